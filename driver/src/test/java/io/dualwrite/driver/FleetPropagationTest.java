package io.dualwrite.driver;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.driver.jmx.MigrationControl;
import io.dualwrite.driver.runtime.PhaseFollower;
import io.dualwrite.driver.runtime.RuntimeRegistry;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.Await;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.management.Attribute;
import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.ObjectName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three application instances (three DataSources with their own {@code dualwriteInstance}, so
 * three runtimes, followers and acknowledgements) follow one phase.
 */
@ExtendWith(PostgresExtension.class)
class FleetPropagationTest {

    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    @Test
    void aPhaseChangeThroughJmxOnOneInstanceReachesTheOthersWithinOneSecond(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.EXPANDED);
        String[] instances = {"a-" + db.name(), "b-" + db.name(), "c-" + db.name()};
        List<Connection> open = new ArrayList<>();
        try {
            for (String instance : instances) {
                open.add(connect(db, instance));
            }
            List<Notification> seenByC = new CopyOnWriteArrayList<>();
            JMX.addNotificationListener(MigrationControl.objectName(MigrationFixture.MIGRATION, instances[2]),
                    (n, handback) -> seenByC.add(n), null, null);

            long start = System.nanoTime();
            JMX.setAttribute(MigrationControl.objectName(MigrationFixture.MIGRATION, instances[0]),
                    new Attribute("Phase", "DUAL_WRITE"));
            for (String instance : instances) {
                Await.within(1000, () -> phaseOf(instance).equals("DUAL_WRITE"), instance + " applies DUAL_WRITE");
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("[fleet] DUAL_WRITE reached 3 instances in " + millis + " ms");

            // the instances behave accordingly: a write on instance c now reaches email_address
            try (Statement s = open.get(2).createStatement()) {
                assertThat(s.executeUpdate("UPDATE users SET email = 'fleet@example.com' WHERE id = 2")).isEqualTo(1);
            }
            assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 2 AND is_primary"))
                    .isEqualTo("fleet@example.com");

            // the audit log names who changed it, and every instance acknowledges the phase
            assertThat(db.queryString("SELECT from_phase || '>' || to_phase || ' by ' || changed_by FROM dualwrite.phase_change"
                    + " ORDER BY id DESC LIMIT 1")).startsWith("EXPANDED>DUAL_WRITE by jmx@");
            Await.within(3000, () -> notAcknowledging(db, Phase.DUAL_WRITE).isEmpty(), "all instances acknowledge DUAL_WRITE");
            assertThat(db.queryLong("SELECT count(*) FROM dualwrite.instance WHERE id LIKE '%" + db.name() + "%'")).isEqualTo(3);
            Await.within(1000, () -> !seenByC.isEmpty(), "instance c emits a JMX notification");
            assertThat(seenByC.get(0).getMessage()).contains("EXPANDED -> DUAL_WRITE");
        } finally {
            for (Connection c : open) {
                c.close();
            }
        }
    }

    @Test
    void aProcessThatClosesEveryConnectionAndOpensAgainStaysOneInstance(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        String instance = "r-" + db.name();
        String rows = "SELECT count(*) FROM dualwrite.instance WHERE id LIKE 'r-" + db.name() + "%'";
        try (Connection app = connect(db, instance)) {
            Await.within(2000, () -> count(db, rows) == 1, "the instance heartbeats");
        }
        Await.within(3000, () -> followerPids(db) == 0, "the follower rests once every connection is closed");
        try (Connection app = connect(db, instance)) {
            Await.within(2000, () -> followerPids(db) > 0, "the follower is back");
            String id = db.queryString("SELECT id FROM dualwrite.instance WHERE id LIKE 'r-" + db.name() + "%'");
            Await.within(3000, () -> heartbeatAge(db, id) < 1.0, "the instance heartbeats again");
        }
        assertThat(db.queryLong(rows)).isEqualTo(1);
    }

    private static long count(TestDatabase db, String sql) {
        try {
            return db.queryLong(sql);
        } catch (SQLException e) {
            return -1;
        }
    }

    private static double heartbeatAge(TestDatabase db, String id) {
        try {
            return Double.parseDouble(db.queryString("SELECT extract(epoch FROM now() - heartbeat_at)::text"
                    + " FROM dualwrite.instance WHERE id = '" + id + "'"));
        } catch (SQLException e) {
            return Double.MAX_VALUE;
        }
    }

    @Test
    void killingTheNotificationConnectionDoesNotStopPropagation(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.EXPANDED);
        String instance = "k-" + db.name();
        try (Connection app = connect(db, instance)) {
            Await.within(2000, () -> followerPids(db) > 0, "the follower is connected");
            try (Connection admin = db.connect(); Statement s = admin.createStatement()) {
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
                        + PhaseFollower.APPLICATION_NAME + "' AND datname = current_database()");
                PhaseWriter.change(admin, PhaseWriter.Request.of(MigrationFixture.MIGRATION, Phase.DUAL_WRITE, "test", "after the kill"));
            }
            Await.within(2000, () -> phaseOf(instance).equals("DUAL_WRITE"), "the instance follows after its follower was killed");
            try (Statement s = app.createStatement()) {
                s.executeUpdate("UPDATE users SET email = 'after-kill@example.com' WHERE id = 1");
            }
            assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 1 AND is_primary"))
                    .isEqualTo("after-kill@example.com");
            Await.within(2000, () -> followerPids(db) > 0, "the follower reconnected");
        }
    }

    @Test
    void aTransactionFinishesInThePhaseItStartedAndHoldsBackTheAcknowledgement(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.EXPANDED);
        String instance = "t-" + db.name();
        try (Connection app = connect(db, instance)) {
            app.setAutoCommit(false);
            try (Statement s = app.createStatement()) {
                s.executeUpdate("UPDATE users SET email = 'in-expanded@example.com' WHERE id = 1");
            }
            try (Connection admin = db.connect()) {
                PhaseWriter.change(admin, PhaseWriter.Request.of(MigrationFixture.MIGRATION, Phase.DUAL_WRITE, "test", "mid-transaction"));
            }
            Await.within(2000, () -> phaseOf(instance).equals("DUAL_WRITE"), "the instance applies DUAL_WRITE");
            // the open transaction keeps its phase: its second write does not touch email_address either,
            // and the instance keeps acknowledging EXPANDED until it ends
            try (Statement s = app.createStatement()) {
                s.executeUpdate("UPDATE users SET email = 'still-expanded@example.com' WHERE id = 2");
            }
            Thread.sleep(1200);
            assertThat(notAcknowledging(db, Phase.DUAL_WRITE)).singleElement().asString().contains("applies EXPANDED");
            app.commit();
            assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 2 AND is_primary"))
                    .isEqualTo("bob@example.com");
            Await.within(2000, () -> notAcknowledging(db, Phase.DUAL_WRITE).isEmpty(), "acknowledged after the commit");
            // the next transaction runs in DUAL_WRITE
            try (Statement s = app.createStatement()) {
                s.executeUpdate("UPDATE users SET email = 'dual@example.com' WHERE id = 2");
            }
            app.commit();
            assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 2 AND is_primary"))
                    .isEqualTo("dual@example.com");
        }
    }

    private static Connection connect(TestDatabase db, String instance) throws SQLException {
        Properties p = MigrationFixture.withOperator(db);
        p.setProperty(RuntimeRegistry.INSTANCE_PROPERTY, instance);
        return DriverManager.getConnection(db.dualwriteUrl(), p);
    }

    private static String phaseOf(String instance) {
        try {
            ObjectName name = MigrationControl.objectName(MigrationFixture.MIGRATION, instance);
            return (String) JMX.getAttribute(name, "Phase");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> notAcknowledging(TestDatabase db, Phase phase) {
        try (Connection c = db.connect()) {
            return Fleet.lagging(c, MigrationFixture.MIGRATION, Set.of(phase));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long followerPids(TestDatabase db) {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                     + PhaseFollower.APPLICATION_NAME + "' AND datname = current_database()")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
