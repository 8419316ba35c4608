package io.dualwrite.driver.metrics;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Micrometer is optional: the driver, loaded from this module's classpath without Micrometer's jars, dual-writes
 * as before, and never loads the classes that name Micrometer's types.
 */
@ExtendWith(PostgresExtension.class)
class WithoutMicrometerTest {

    /** Exposes which classes it has loaded itself. */
    private static final class IsolatedLoader extends URLClassLoader {
        IsolatedLoader(URL[] urls) {
            super(urls, ClassLoader.getPlatformClassLoader());
        }

        boolean hasLoaded(String name) {
            synchronized (getClassLoadingLock(name)) {
                return findLoadedClass(name) != null;
            }
        }
    }

    @Test
    void theDriverDualWritesWithoutMicrometerOnTheClasspath(TestDatabase db) throws Exception {
        db.execute("""
                CREATE TABLE guests(id bigint PRIMARY KEY, email text);
                CREATE TABLE guest_email(guest_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
                CREATE UNIQUE INDEX ON guest_email(guest_id) WHERE is_primary;
                """);
        try (Connection c = db.connect()) {
            ControlSchema.register(c, new MigrationSpec("public", "guests", "id", "email", "public", "guest_email",
                    "guest_id", "address", "is_primary", ControlSchema.syncViewName("guests", "email")));
            PhaseWriter.change(c, PhaseWriter.Request.of("guests.email", Phase.DUAL_WRITE, "test", "optional").forced(true));
        }
        try (IsolatedLoader loader = new IsolatedLoader(classpathWithoutMicrometer())) {
            assertThatThrownBy(() -> Class.forName("io.micrometer.core.instrument.MeterRegistry", false, loader))
                    .isInstanceOf(ClassNotFoundException.class);
            Driver driver = (Driver) Class.forName("io.dualwrite.driver.DualwriteDriver", true, loader)
                    .getConstructor().newInstance();
            try (Connection app = driver.connect(db.dualwriteUrl(), db.properties()); Statement s = app.createStatement()) {
                assertThat(s.executeUpdate("INSERT INTO guests (id, email) VALUES (1, 'g@example.com')")).isEqualTo(1);
            }
            assertThat(loader.hasLoaded("io.dualwrite.driver.metrics.KnownMigrations")).as("migrations still followed").isTrue();
            assertThat(loader.hasLoaded("io.dualwrite.driver.metrics.DualwriteMetrics")).isFalse();
            assertThat(loader.hasLoaded("io.dualwrite.driver.metrics.MigrationMeters")).isFalse();
            // no registry reads the rewrite timer, so the statement path did not time the dual write
            Object followed = loader.loadClass("io.dualwrite.driver.metrics.KnownMigrations").getMethod("named", String.class)
                    .invoke(null, "guests.email");
            Object runtime = followed.getClass().getMethod("current").invoke(followed);
            Object rewriteTime = runtime.getClass().getMethod("rewriteTime").invoke(runtime);
            assertThat(runtime.getClass().getMethod("dualWrites").invoke(runtime)).isEqualTo(1L);
            assertThat(rewriteTime.getClass().getMethod("count").invoke(rewriteTime)).as("statements timed").isEqualTo(0L);
        }
        assertThat(db.queryString("SELECT address FROM guest_email WHERE guest_id = 1 AND is_primary")).isEqualTo("g@example.com");
    }

    /** Surefire's test classpath (its booter jar hides it from java.class.path), Micrometer's jars left out. */
    private static URL[] classpathWithoutMicrometer() throws MalformedURLException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (!entry.contains("micrometer") && !entry.isBlank()) {
                urls.add(new File(entry).toURI().toURL());
            }
        }
        assertThat(urls).as("test classpath").anyMatch(u -> u.getPath().contains("postgresql"));
        return urls.toArray(URL[]::new);
    }
}
