package io.dualwrite.driver;

import io.dualwrite.driver.jmx.MigrationControl;
import io.dualwrite.driver.runtime.PhaseFreshness;
import io.dualwrite.driver.runtime.RuntimeRegistry;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.Await;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, faults: a connection that cannot learn the phase does not guess. The follower is kept from
 * acknowledging (a test transaction holds {@code dualwrite.instance} locked, so its heartbeat waits) while
 * the application's own connection still works: once the freshness bound passes, writes to the migrated
 * table are refused with SQLState 55000, reads run or not by phase, the log says so once and JMX shows it;
 * when the lock goes, everything runs again.
 */
@ExtendWith(PostgresExtension.class)
class UnknownPhaseTest {

    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();
    /** Short, so the test waits seconds; long enough that a loaded machine's follower rounds stay inside it. */
    private static final String BOUND_MILLIS = "3000";

    private final Logger driverLog = Logger.getLogger("io.dualwrite.driver");
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        driverLog.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        driverLog.removeHandler(capture);
    }

    @Test
    void inDualWriteWritesAreRefusedAndReadsOfTheOldColumnRun(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        String instance = "unknown-dw-" + db.name();
        ObjectName bean = MigrationControl.objectName(MigrationFixture.MIGRATION, instance);
        try (Connection app = connect(db, instance); Connection admin = db.connect()) {
            assertThat(update(app, 2, "known@example.com")).isEqualTo(1);
            assertThat((Boolean) JMX.getAttribute(bean, "PhaseKnown")).isTrue();

            blockAcknowledgements(admin);
            SQLException refused = awaitRefusedWrite(app);
            assertThat((Object) refused).isInstanceOf(SQLTransientException.class);
            assertThat(refused.getSQLState()).isEqualTo(PhaseFreshness.REFUSED_SQLSTATE);
            assertThat(refused.getMessage()).contains("migration users.email", "its phase is not known", "STALE",
                    "writes to the migrated table and reads of its new table are refused", "retry");
            try (PreparedStatement p = app.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
                p.setString(1, "prepared@example.com");
                p.setLong(2, 4);
                assertThat(refusal(p::executeUpdate).getSQLState()).isEqualTo(PhaseFreshness.REFUSED_SQLSTATE);
            }
            assertThat(refusal(() -> update(app, 5, "again@example.com")).getSQLState()).isEqualTo(PhaseFreshness.REFUSED_SQLSTATE);
            assertThat(readEmail(app, 4)).as("DUAL_WRITE reads the old column, written in every phase one move away")
                    .isEqualTo("dee@example.com");
            assertThat(readEmail(app, 1)).isEqualTo("ann@example.com");
            try (Statement s = app.createStatement()) {
                s.executeUpdate("UPDATE orders SET note = 'unrelated' WHERE id = 100"); // no migration: passes
            }

            assertThat((Boolean) JMX.getAttribute(bean, "PhaseKnown")).isFalse();
            assertThat((String) JMX.getAttribute(bean, "PhaseState")).startsWith("STALE: not read and acknowledged for");
            assertThat((Long) JMX.getAttribute(bean, "UnknownPhaseRefusals")).isGreaterThanOrEqualTo(3);
            assertThat(warnings(db, "are no longer known")).as("logged once, not per statement").hasSize(1);

            admin.rollback(); // the heartbeat goes through
            Await.within(20_000, () -> tryUpdate(app, 2, "after@example.com"), "writes run again once acknowledged");
            assertThat((Boolean) JMX.getAttribute(bean, "PhaseKnown")).isTrue();
            assertThat((String) JMX.getAttribute(bean, "PhaseState")).startsWith("KNOWN");
            // the state turns KNOWN before whoever notices it first logs the change: a write may run in between
            Await.within(10_000, () -> !infos(db, "are known again").isEmpty(), "the recovery is logged");
            assertThat(infos(db, "are known again")).hasSize(1);
        }
        assertThat(MigrationFixture.users(db).get(2L)).isEqualTo("after@example.com");
        assertThat(MigrationFixture.users(db).get(4L)).as("the refused write changed nothing").isEqualTo("dee@example.com");
        assertThat(db.queryLong(MigrationFixture.PARITY)).isZero();
    }

    @Test
    void inReadNewReadsOfTheNewTableAreRefusedToo(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.READ_NEW);
        String instance = "unknown-rn-" + db.name();
        try (Connection app = connect(db, instance); Connection admin = db.connect()) {
            assertThat(readEmail(app, 1)).isEqualTo("ann@example.com");
            blockAcknowledgements(admin);
            awaitRefusedWrite(app);
            SQLException read = refusal(() -> readEmail(app, 1));
            assertThat(read.getSQLState()).isEqualTo(PhaseFreshness.REFUSED_SQLSTATE);
            assertThat(read.getMessage()).contains("phase is not known");
            admin.rollback();
            Await.within(20_000, () -> {
                try {
                    return "ann@example.com".equals(readEmail(app, 1));
                } catch (SQLException e) {
                    return false;
                }
            }, "reads run again once acknowledged");
        }
    }

    /** The follower's heartbeat (an upsert into dualwrite.instance) waits on this lock until {@code admin} ends its transaction. */
    private static void blockAcknowledgements(Connection admin) throws SQLException {
        admin.setAutoCommit(false);
        try (Statement s = admin.createStatement()) {
            s.execute("LOCK TABLE dualwrite.instance IN ACCESS EXCLUSIVE MODE");
        }
    }

    /** Writes (each one dual-written while the phase is known) until the first is refused. */
    private static SQLException awaitRefusedWrite(Connection app) throws Exception {
        SQLException[] refused = new SQLException[1];
        int[] n = {0};
        Await.within(20_000, () -> {
            try {
                update(app, 3, "while-known-" + n[0]++ + "@example.com");
                return false;
            } catch (SQLException e) {
                refused[0] = e;
                return true;
            }
        }, "a write is refused once the phase is stale");
        return refused[0];
    }

    private static int update(Connection app, long id, String email) throws SQLException {
        try (PreparedStatement p = app.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
            p.setString(1, email);
            p.setLong(2, id);
            return p.executeUpdate();
        }
    }

    private static boolean tryUpdate(Connection app, long id, String email) {
        try {
            return update(app, id, email) == 1;
        } catch (SQLException e) {
            return false;
        }
    }

    private static String readEmail(Connection app, long id) throws SQLException {
        try (PreparedStatement p = app.prepareStatement("SELECT email FROM users WHERE id = ?")) {
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    interface Sql {
        Object run() throws SQLException;
    }

    private static SQLException refusal(Sql sql) {
        try {
            sql.run();
        } catch (SQLException e) {
            return e;
        }
        throw new AssertionError("expected a refusal");
    }

    private List<LogRecord> warnings(TestDatabase db, String text) {
        return logged(db, Level.WARNING, text);
    }

    private List<LogRecord> infos(TestDatabase db, String text) {
        return logged(db, Level.INFO, text);
    }

    private List<LogRecord> logged(TestDatabase db, Level level, String text) {
        return logged.stream().filter(r -> r.getLevel() == level && r.getMessage().contains(text)
                && r.getMessage().contains(db.name())).toList();
    }

    private static Connection connect(TestDatabase db, String instance) throws SQLException {
        Properties p = db.properties();
        p.setProperty(RuntimeRegistry.INSTANCE_PROPERTY, instance);
        p.setProperty("dualwritePhaseStaleMillis", BOUND_MILLIS);
        return DriverManager.getConnection(db.dualwriteUrl(), p);
    }
}
