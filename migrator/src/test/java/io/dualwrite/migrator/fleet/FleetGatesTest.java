package io.dualwrite.migrator.fleet;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.SilentInstance;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.Await;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guarded transition to READ_NEW and the automatic rollback on drift, with real driver
 * instances following the control schema.
 */
@ExtendWith(PostgresExtension.class)
class FleetGatesTest {

    private static final String MIGRATION = "users.email";

    @Test
    void readNewIsRefusedUntilBackfillParityAndEveryInstanceHoldThenAllowed(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 2_000);
        Fixtures.expandAndDualWrite(db);
        try (Connection app = instance(db, "app-" + db.name())) {
            read(app, 1);
            Await.within(3000, () -> lagging(db, Phase.DUAL_WRITE).isEmpty(), "the instance acknowledges DUAL_WRITE");

            Run noBackfill = phase(db, "READ_NEW");
            assertThat(noBackfill.code()).as(noBackfill.toString()).isEqualTo(1);
            assertThat(noBackfill.err() + noBackfill.out()).contains("backfill");

            Run backfill = cli("backfill", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", MIGRATION);
            assertThat(backfill.code()).as(backfill.toString()).isZero();

            db.execute("UPDATE email_address SET address = 'drift@example.com' WHERE user_id = 5 AND is_primary");
            Run drift = phase(db, "READ_NEW");
            assertThat(drift.code()).as(drift.toString()).isEqualTo(1);
            assertThat(drift.err() + drift.out()).contains("parity");
            db.execute("UPDATE email_address SET address = 'u5@example.com' WHERE user_id = 5 AND is_primary");

            // a second instance whose open transaction began in EXPANDED: it keeps acknowledging EXPANDED
            assertThat(phase(db, "EXPANDED").code()).isZero();
            try (Connection laggard = instance(db, "laggard-" + db.name())) {
                laggard.setAutoCommit(false);
                read(laggard, 2); // pins its transaction to EXPANDED
                assertThat(phase(db, "DUAL_WRITE").code()).isZero();
                Await.within(3000, () -> lagging(db, Phase.DUAL_WRITE).size() == 1, "only the laggard lags");
                Run lag = cli("phase", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", MIGRATION, "--wait", "0",
                        "READ_NEW");
                assertThat(lag.code()).as(lag.toString()).isEqualTo(1);
                assertThat(lag.err() + lag.out()).contains("laggard-" + db.name()).contains("EXPANDED");

                laggard.commit();
                Await.within(3000, () -> lagging(db, Phase.DUAL_WRITE).isEmpty(), "the laggard acknowledges after its commit");
                Run allowed = phase(db, "READ_NEW");
                assertThat(allowed.code()).as(allowed.toString()).isZero();
            }
            assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("READ_NEW");
            Run history = cli("status", "--url", db.jdbcUrl(), "--user", db.user(), "--history");
            assertThat(history.out()).contains("DUAL_WRITE -> READ_NEW").contains("EXPANDED -> DUAL_WRITE")
                    .contains("DUAL_WRITE -> EXPANDED").contains("live app-" + db.name());
        }
    }

    @Test
    void driftFoundInReadNewSendsTheWholeFleetBackToTheOldColumn(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 500);
        Fixtures.expandAndDualWrite(db);
        try (Connection a = instance(db, "a-" + db.name()); Connection b = instance(db, "b-" + db.name())) {
            read(a, 1);
            read(b, 1);
            Await.within(3000, () -> lagging(db, Phase.DUAL_WRITE).isEmpty(), "both instances acknowledge DUAL_WRITE");
            assertThat(cli("backfill", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", MIGRATION).code()).isZero();
            assertThat(phase(db, "READ_NEW").code()).isZero();
            Await.within(1000, () -> lagging(db, Phase.READ_NEW).isEmpty(), "both instances apply READ_NEW");

            // a direct write to one side (as a COPY through the unwrapped PgConnection would do)
            db.execute("UPDATE email_address SET address = 'new-side' WHERE user_id = 3 AND is_primary");
            Await.within(1000, () -> "new-side".equals(readOnBoth(a, b)), "both serve the drifted new value");

            Run parity = cli("parity", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", MIGRATION);
            assertThat(parity.code()).as(parity.toString()).isEqualTo(1);
            assertThat(parity.err()).contains("rolled back to the old column");
            assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("DUAL_WRITE");
            assertThat(db.queryString("SELECT changed_by || ' ' || reason FROM dualwrite.phase_change ORDER BY id DESC LIMIT 1"))
                    .startsWith("parity@").contains("automatic rollback").contains("1 mismatching");
            // fleet-wide: both instances serve the old column again within a second
            Await.within(1000, () -> "u3@example.com".equals(readOnBoth(a, b)), "both read the old column again");
        }
    }

    @Test
    void dualWriteWaitsUntilEveryConnectedInstanceHasReadTheMigration(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 100);
        // a real instance connected before expand, and one that cannot read the control schema
        try (Connection app = instance(db, "early-" + db.name()); SilentInstance silent = new SilentInstance(db)) {
            read(app, 1);
            assertThat(cli(Fixtures.expandArgs(db)).code()).isZero();
            Await.within(3000, () -> lagging(db, Phase.EXPANDED).toString().startsWith("[1 driver instance(s)"),
                    "the early instance reports the migration, the silent one does not");

            Run refused = cli("phase", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", MIGRATION, "--wait", "0",
                    "DUAL_WRITE");
            assertThat(refused.code()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err()).contains("instances not yet on EXPANDED")
                    .contains("1 driver instance(s) connected to this database").contains("have not reported " + MIGRATION);
            assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("EXPANDED");
            Run status = cli("status", "--url", db.jdbcUrl(), "--user", db.user());
            assertThat(status.out()).contains("instances (1 live):", "live early-" + db.name(),
                    "and 1 connected that do not report");

            Thread closer = new Thread(() -> {
                try {
                    Thread.sleep(1_000);
                    silent.close();
                } catch (InterruptedException | SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            closer.start();
            Run waited = phase(db, "DUAL_WRITE");
            closer.join();
            assertThat(waited.code()).as(waited.toString()).isZero();
            assertThat(waited.err()).contains("waiting up to 10s for every live instance to apply EXPANDED");
            Await.within(3000, () -> lagging(db, Phase.DUAL_WRITE).isEmpty(), "the early instance applies DUAL_WRITE");
        }
    }

    @Test
    void aFollowerSessionSilentForLongerThanAHeartbeatCountsAsGone(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 10);
        assertThat(cli(Fixtures.expandArgs(db)).code()).isZero();
        Properties p = db.properties();
        p.setProperty("ApplicationName", Fleet.FOLLOWER_APPLICATION_NAME);
        // a client gone without closing its socket: the server keeps the session, which runs nothing any more
        try (Connection zombie = DriverManager.getConnection(db.jdbcUrl(), p); Connection c = db.connect()) {
            assertThat(Fleet.unreported(c, MIGRATION)).isOne();
            Await.within(Fleet.STALE_AFTER.toMillis() + 5_000, () -> unreported(db) == 0,
                    "a session idle for longer than the staleness bound no longer holds the gates");
            assertThat(lagging(db, Phase.EXPANDED)).isEmpty();
            assertThat(zombie.isClosed()).isFalse();
        }
    }

    private static long unreported(TestDatabase db) {
        try (Connection c = db.connect()) {
            return Fleet.unreported(c, MIGRATION);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads user 3's email on both instances; returns it if they agree, else null. */
    private static String readOnBoth(Connection a, Connection b) {
        try {
            String fromA = read(a, 3);
            String fromB = read(b, 3);
            return fromA != null && fromA.equals(fromB) ? fromA : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Run phase(TestDatabase db, String phase) {
        return cli("phase", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", MIGRATION, phase);
    }

    private static Connection instance(TestDatabase db, String name) throws SQLException {
        Properties p = db.properties();
        p.setProperty("dualwriteInstance", name);
        return DriverManager.getConnection(db.dualwriteUrl(), p);
    }

    private static String read(Connection c, long id) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT email FROM users WHERE id = " + id)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static List<String> lagging(TestDatabase db, Phase phase) {
        try (Connection c = db.connect()) {
            return Fleet.lagging(c, MIGRATION, Set.of(phase));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
