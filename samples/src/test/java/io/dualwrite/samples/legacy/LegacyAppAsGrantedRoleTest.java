package io.dualwrite.samples.legacy;

import io.dualwrite.control.Secrets;
import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.driver.runtime.OperatorCredential;
import io.dualwrite.driver.runtime.RuntimeRegistry;
import io.dualwrite.migrator.cli.DualwriteCli;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.Await;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.Attribute;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 13, acceptance 3: the demo's legacy application runs as a role set up by {@code dualwrite grant} through every
 * phase, EXPANDED to CONTRACTED; that role can neither UPDATE {@code dualwrite.migration} nor change the phase through
 * JMX without an operator credential; the operator's changes (JMX with {@code dualwriteOperatorUser}, and the CLI) go
 * through the gates.
 */
@ExtendWith(PostgresExtension.class)
class LegacyAppAsGrantedRoleTest {

    private static final MBeanServer MBEANS = ManagementFactory.getPlatformMBeanServer();
    private static final String MIGRATION = "users.email";
    private static final String APP_PASSWORD = "app-Secret-7d1f";

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theGrantedRoleRunsTheAppInEveryPhaseAndOnlyTheOperatorChangesIt(TestDatabase db) throws Exception {
        String app = "app_" + db.name();
        String operator = "operator_" + db.name();
        String url = Secrets.withoutParameters(db.jdbcUrl(), "user", "password");
        String dwUrl = "jdbc:dualwrite:" + url.substring("jdbc:".length());
        List<String> owner = new ArrayList<>(List.of("--url", url, "--user", db.user()));
        if (db.password() != null) {
            owner.addAll(List.of("--password", db.password()));
        }
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text)");
        db.execute("INSERT INTO users SELECT g, 'user ' || g, CASE WHEN g % 20 = 0 THEN NULL ELSE 'u' || g || '@example.com' END"
                + " FROM generate_series(1, 3000) g");
        assertThat(cli(owner, "expand", "--source", "users.email", "--key", "id", "--target", "email_address.address",
                "--target-key", "user_id", "--primary-flag", "is_primary").code()).isZero();
        db.execute("CREATE ROLE " + app + " LOGIN PASSWORD '" + APP_PASSWORD + "'; CREATE ROLE " + operator + " LOGIN");
        LegacyApp legacy = null;
        try {
            Run grant = cli(owner, "grant", "--app-role", app, "--operator-role", operator, "--apply");
            assertThat(grant.code()).as(grant.toString()).isZero();
            assertThat(grant.out()).contains("REVOKE ALL ON ALL TABLES IN SCHEMA \"dualwrite\" FROM \"" + app + "\";",
                    "GRANT SELECT ON \"dualwrite\".\"schema_version\", \"dualwrite\".\"migration\"", "-- applied in one transaction");
            List<String> asOperator = List.of("--url", url, "--user", operator);

            legacy = new LegacyApp(dwUrl, app, APP_PASSWORD, 2, 500);
            legacy.start();
            Properties withOperator = new Properties();
            withOperator.setProperty("user", app);
            withOperator.setProperty("password", APP_PASSWORD);
            withOperator.setProperty(RuntimeRegistry.INSTANCE_PROPERTY, "ops");
            withOperator.setProperty(OperatorCredential.USER_PROPERTY, operator);
            try (Connection ops = DriverManager.getConnection(dwUrl, withOperator)) {
                ObjectName appBean = new ObjectName("io.dualwrite:type=Migration,name=" + MIGRATION);
                ObjectName opsBean = new ObjectName("io.dualwrite:type=Migration,name=" + MIGRATION + ",instance=ops");
                runs(legacy, db, dwUrl, app, Phase.EXPANDED);

                assertThat(MBEANS.getAttribute(appBean, "Operator")).asString().contains("none configured");
                assertThat(MBEANS.getAttribute(appBean, "Phase")).isEqualTo("EXPANDED");
                assertThatThrownBy(() -> MBEANS.setAttribute(appBean, new Attribute("Phase", "DUAL_WRITE")))
                        .as("JMX without an operator credential is read-only").rootCause()
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("no operator credential is configured")
                        .hasMessageContaining(OperatorCredential.USER_PROPERTY);
                assertThat(phase(db)).isEqualTo("EXPANDED");

                assertThat(MBEANS.getAttribute(opsBean, "Operator")).isEqualTo(operator);
                MBEANS.setAttribute(opsBean, new Attribute("Phase", "DUAL_WRITE"));
                runs(legacy, db, dwUrl, app, Phase.DUAL_WRITE);
                assertThatThrownBy(() -> MBEANS.invoke(opsBean, "flipReads", new Object[0], new String[0]))
                        .as("the operator's JMX change still goes through the gates").rootCause()
                        .hasMessageContaining("the backfill has not completed");
                assertThat(phase(db)).isEqualTo("DUAL_WRITE");

                Run backfill = cli(asOperator, "backfill", "--migration", MIGRATION, "--batch-size", "500");
                assertThat(backfill.code()).as(backfill.toString()).isZero();
                Run parity = cli(asOperator, "parity", "--migration", MIGRATION);
                assertThat(parity.code()).as(parity.toString()).isZero();
                MBEANS.invoke(opsBean, "flipReads", new Object[0], new String[0]);
                runs(legacy, db, dwUrl, app, Phase.READ_NEW);

                Run newOnly = cli(asOperator, "phase", "--migration", MIGRATION, "NEW_ONLY", "--soak", "1s");
                assertThat(newOnly.code()).as(newOnly.toString()).isZero();
                runs(legacy, db, dwUrl, app, Phase.NEW_ONLY);

                Thread.sleep(1100); // the soak the contract asks for
                Run contract = cli(owner, "contract", "--migration", MIGRATION, "--soak", "1s");
                assertThat(contract.code()).as(contract.toString()).isZero();
                runs(legacy, db, dwUrl, app, Phase.CONTRACTED);
            }
            legacy.stop();
            assertThat(legacy.unexpectedErrors()).as(legacy.report()).isZero();
            assertThat(db.queryString("SELECT string_agg(to_phase || ' by ' || split_part(changed_by, '@', 1), ', ' ORDER BY id)"
                    + " FROM dualwrite.phase_change")).isEqualTo("EXPANDED by expand, DUAL_WRITE by jmx, READ_NEW by jmx,"
                    + " NEW_ONLY by cli, CONTRACTED by contract");
        } finally {
            if (legacy != null) {
                legacy.stop();
            }
            dropRoles(db, app, operator);
        }
    }

    /** Every instance applies {@code phase}; the app made progress in it; its role still cannot change the phase. */
    private static void runs(LegacyApp legacy, TestDatabase db, String dwUrl, String app, Phase phase) throws Exception {
        try (Connection c = db.connect()) {
            assertThat(Fleet.await(c, MIGRATION, Set.of(phase), Duration.ofSeconds(60), 1)).as("lagging instances").isEmpty();
        }
        long before = legacy.totalOk();
        Await.within(60_000, () -> legacy.totalOk() >= before + 100, "the legacy app works in " + phase);
        assertThat(legacy.healthy()).isTrue();
        assertThat(legacy.unexpectedErrors()).as(legacy.report()).isZero();
        try (Connection c = DriverManager.getConnection(dwUrl, app, APP_PASSWORD); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("UPDATE dualwrite.migration SET phase = 'EXPANDED'"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"))
                    .hasMessageContaining("permission denied for table migration");
        }
        assertThat(phase(db)).isEqualTo(phase.name());
    }

    private static String phase(TestDatabase db) throws SQLException {
        return db.queryString("SELECT phase FROM dualwrite.migration WHERE name = '" + MIGRATION + "'");
    }

    record Run(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- out:\n" + out + "\n--- err:\n" + err;
        }
    }

    /** The CLI in-process with stdout and stderr captured. */
    static synchronized Run cli(List<String> connection, String command, String... args) {
        List<String> all = new ArrayList<>();
        all.add(command);
        all.addAll(connection);
        all.addAll(Arrays.asList(args));
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = DualwriteCli.execute(all.toArray(new String[0]));
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static void dropRoles(TestDatabase db, String... roles) throws SQLException {
        for (String role : roles) {
            db.execute("DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + role + "') THEN"
                    + " EXECUTE 'DROP OWNED BY " + role + "; DROP ROLE " + role + "'; END IF; END $$");
        }
    }
}
