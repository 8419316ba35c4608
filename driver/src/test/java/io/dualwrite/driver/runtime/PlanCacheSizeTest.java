package io.dualwrite.driver.runtime;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code dualwritePlanCacheBytes} setting, as a connection property and in the URL, on a real database. */
@ExtendWith(PostgresExtension.class)
class PlanCacheSizeTest {

    private static final MigrationSpec SPEC = new MigrationSpec("public", "users", "id", "email",
            "public", "email_address", "user_id", "address", "is_primary", ControlSchema.syncViewName("users", "email"));

    @Test
    void sizesTheCacheOfTheDatabaseItOpens(TestDatabase db) throws SQLException {
        setUp(db);
        assertThat(cachedAfterADualWrite(db.jdbcUrl(), props(db, "cache-default", null))).isEqualTo(1);
        assertThat(cachedAfterADualWrite(db.jdbcUrl(), props(db, "cache-off", "0"))).isZero();
        String inUrl = db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + PlanCacheSize.PROPERTY + "=0";
        assertThat(cachedAfterADualWrite(inUrl, props(db, "cache-url", null))).isZero();
    }

    @Test
    void refusesAValueThatIsNotABytesCount(TestDatabase db) {
        for (String bad : new String[] {"-1", "32MB", ""}) {
            assertThatThrownBy(() -> DriverManager.getConnection(db.dualwriteUrl(), props(db, "cache-bad", bad)).close())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08001"))
                    .hasMessageContaining("dualwritePlanCacheBytes must be a number of bytes >= 0");
        }
    }

    private static void setUp(TestDatabase db) throws SQLException {
        db.execute("""
                CREATE TABLE users (id bigint PRIMARY KEY, name text, email text);
                INSERT INTO users VALUES (1, 'a', 'a@example.com');
                CREATE TABLE email_address (user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
                CREATE UNIQUE INDEX ON email_address (user_id) WHERE is_primary;
                INSERT INTO email_address VALUES (1, 'a@example.com', true);
                """);
        try (Connection c = db.connect()) {
            ControlSchema.register(c, SPEC);
            PhaseWriter.change(c, PhaseWriter.Request.of("users.email", Phase.DUAL_WRITE, "test", "fixture"));
        }
    }

    /** Runs one dual write twice through {@code jdbc:dualwrite:} + {@code pgUrl}; how many rewrites that runtime's cache then holds. */
    private static long cachedAfterADualWrite(String pgUrl, Properties props) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:dualwrite:" + pgUrl.substring("jdbc:".length()), props)) {
            for (int i = 0; i < 2; i++) {
                try (PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id = 1")) {
                    p.setString(1, "n" + i + "@example.com");
                    assertThat(p.executeUpdate()).isEqualTo(1);
                }
            }
        }
        try (Connection physical = DriverManager.getConnection(pgUrl, props)) {
            assertThat(scalar(physical, "SELECT address FROM email_address WHERE user_id = 1 AND is_primary"))
                    .isEqualTo("n1@example.com");
            return RuntimeRegistry.attach(pgUrl, props, physical).migrations().rewriter().cachedPlans();
        }
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static Properties props(TestDatabase db, String instance, String cacheBytes) {
        Properties p = new Properties();
        p.putAll(db.properties());
        p.setProperty(RuntimeRegistry.INSTANCE_PROPERTY, instance);
        if (cacheBytes != null) {
            p.setProperty(PlanCacheSize.PROPERTY, cacheBytes);
        }
        return p;
    }
}
