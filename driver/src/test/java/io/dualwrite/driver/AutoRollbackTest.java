package io.dualwrite.driver;

import io.dualwrite.driver.jmx.MigrationControl;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** In READ_NEW, an error-rate spike of rewritten statements sends reads back to the old column for the fleet. */
@ExtendWith(PostgresExtension.class)
class AutoRollbackTest {

    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    @Test
    void readsGoBackToOldWhenRewrittenReadsStartFailing(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.READ_NEW);
        try (Connection c = db.connectDualwrite(); PreparedStatement p = c.prepareStatement("SELECT email FROM users WHERE id = ?")) {
            ObjectName bean = MigrationControl.objectName(MigrationFixture.MIGRATION);
            List<Notification> notifications = new CopyOnWriteArrayList<>();
            JMX.addNotificationListener(bean, (n, h) -> notifications.add(n), null, null);
            for (int i = 0; i < 150; i++) {
                p.setLong(1, 1 + i % 5);
                try (ResultSet rs = p.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                }
            }
            // the new table breaks under the application (as a bad deploy of the target schema would)
            db.execute("ALTER TABLE email_address RENAME COLUMN address TO address_broken");
            for (int i = 0; i < 3; i++) {
                p.setLong(1, 1);
                assertThatThrownBy(p::executeQuery).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42703"));
            }
            long deadline = System.currentTimeMillis() + 3000;
            while (!"DUAL_WRITE".equals(JMX.getAttribute(bean, "Phase"))) {
                assertThat(System.currentTimeMillis()).as("rolled back within 3 s").isLessThan(deadline);
                Thread.sleep(10);
            }
            assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("DUAL_WRITE");
            assertThat(db.queryString("SELECT changed_by || ': ' || reason FROM dualwrite.phase_change ORDER BY id DESC LIMIT 1"))
                    .startsWith("auto-rollback@").contains("rewritten statements failed");
            assertThat(notifications).anySatisfy(n -> assertThat(n.getMessage()).contains("READ_NEW -> DUAL_WRITE"));
            // reads now come from the old column and work again, on the same prepared statement
            p.setLong(1, 2);
            try (ResultSet rs = p.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("bob@example.com");
            }
        }
    }

    /**
     * Issue 11: errors the application gets from its own statement too — a NOWAIT lock it cannot
     * take, an exception its own trigger raises — are not the rewrite's, and at 10 % of the
     * rewritten statements they must not roll the fleet's reads back.
     */
    @Test
    void applicationErrorsAboveTheThresholdDoNotRollBack(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.READ_NEW);
        db.execute("""
                CREATE FUNCTION refuse_blocked() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF NEW.email LIKE '%@blocked.example' THEN RAISE EXCEPTION 'address % is blocked', NEW.email; END IF;
                  RETURN NEW;
                END $$;
                CREATE TRIGGER refuse_blocked BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION refuse_blocked();
                """);
        ObjectName bean = MigrationControl.objectName(MigrationFixture.MIGRATION);
        try (Connection locker = db.connect(); Connection c = db.connectDualwrite();
             PreparedStatement read = c.prepareStatement("SELECT email FROM users WHERE id = ? FOR UPDATE NOWAIT");
             PreparedStatement write = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
            locker.setAutoCommit(false);
            locker.createStatement().execute("SELECT 1 FROM users WHERE id = 5 FOR UPDATE");
            int lockErrors = 0;
            int triggerErrors = 0;
            for (int i = 0; i < 200; i++) {
                long id = 1 + i % 5; // every fifth read meets the lock: 20 % of the reads
                read.setLong(1, id);
                try (ResultSet rs = read.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                } catch (SQLException e) {
                    assertThat(e.getSQLState()).isEqualTo("55P03");
                    lockErrors++;
                }
                write.setString(1, i % 10 == 0 ? "x@blocked.example" : "u" + i + "@example.com");
                write.setLong(2, id == 5 ? 4 : id);
                try {
                    write.executeUpdate();
                } catch (SQLException e) {
                    assertThat(e.getSQLState()).isEqualTo("P0001");
                    triggerErrors++;
                }
            }
            assertThat(lockErrors).isEqualTo(40);
            assertThat(triggerErrors).isEqualTo(20);
            assertThat((Long) JMX.getAttribute(bean, "RewrittenFailures")).isZero();
            Thread.sleep(300); // a rollback, had one been triggered, runs asynchronously
            assertThat(JMX.getAttribute(bean, "Phase")).isEqualTo("READ_NEW");
            assertThat(MigrationFixture.controlPhase(db)).isEqualTo("READ_NEW");
            locker.rollback();
        }
    }

    /**
     * A statement that is invalid on its own fails alike through the driver, with its error position in the text the
     * rewrite changed. PostgreSQL rejects the application's statement as written the same way, so the failure is the
     * application's: however often the fleet repeats it, reads stay on the new table.
     */
    @Test
    void statementsInvalidAsWrittenDoNotRollBack(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.READ_NEW);
        ObjectName bean = MigrationControl.objectName(MigrationFixture.MIGRATION);
        List<String> invalid = List.of(
                "INSERT INTO users SELECT 430, 'x', 'y', 'too many'",
                "UPDATE users SET email = 'a@example.com' WHERE id = 1 RETURNING count(*) OVER ()",
                "SELECT email, nme FROM users WHERE id = 1");
        try (Connection c = db.connectDualwrite(); java.sql.Statement s = c.createStatement()) {
            readsThatSucceed(s);
            for (int i = 0; i < 30; i++) {
                String sql = invalid.get(i % invalid.size());
                assertThatThrownBy(() -> s.execute(sql)).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isIn("42601", "42P20", "42703"));
            }
            Thread.sleep(1000); // the check and a rollback, had one been triggered, run asynchronously
            assertThat((Long) JMX.getAttribute(bean, "RewrittenFailures")).isZero();
            assertThat(JMX.getAttribute(bean, "Phase")).isEqualTo("READ_NEW");
            assertThat(MigrationFixture.controlPhase(db)).isEqualTo("READ_NEW");
        }
    }

    /**
     * The same for what a JDBC call adds to the text: a generated-keys column that does not exist (PgJDBC appends
     * {@code RETURNING "EMAIL"}), a parameter bound with a type its column does not take ({@code setString} for a
     * {@code bigint}). The statement as PgJDBC sends it fails alike, so reads stay on the new table.
     */
    @Test
    void callsInvalidAsSentDoNotRollBack(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.READ_NEW);
        ObjectName bean = MigrationControl.objectName(MigrationFixture.MIGRATION);
        try (Connection c = db.connectDualwrite(); java.sql.Statement s = c.createStatement()) {
            readsThatSucceed(s);
            for (int i = 0; i < 10; i++) {
                int id = 80 + i;
                assertThatThrownBy(() -> {
                    try (PreparedStatement p = c.prepareStatement("INSERT INTO users (id, name, email) VALUES (" + id
                            + ", 'K', 'k@example.com')", new String[] {"EMAIL"})) {
                        p.executeUpdate();
                    }
                }).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42703"));
                assertThatThrownBy(() -> s.executeUpdate("UPDATE users SET email = 'k@example.com' WHERE id = " + id,
                        new String[] {"Email"})).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo("42703"));
                assertThatThrownBy(() -> {
                    try (PreparedStatement p = c.prepareStatement("INSERT INTO users (id, email) VALUES (?, ?) RETURNING email, id")) {
                        p.setString(1, "m@example.com");
                        p.setLong(2, id);
                        p.executeQuery();
                    }
                }).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42804"));
            }
            Thread.sleep(1000); // the check and a rollback, had one been triggered, run asynchronously
            assertThat((Long) JMX.getAttribute(bean, "RewrittenFailures")).isZero();
            assertThat(MigrationFixture.controlPhase(db)).isEqualTo("READ_NEW");
        }
    }

    /**
     * The other side of the check above: an error positioned in the rewritten text that names nothing of dualwrite's
     * (the new table's column changed type under the application) is the rewrite's when the statement as written
     * passes PostgreSQL's analysis, and rolls reads back.
     */
    @Test
    void rewrittenTextErrorsTheStatementAsWrittenDoesNotHaveRollBack(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.READ_NEW);
        ObjectName bean = MigrationControl.objectName(MigrationFixture.MIGRATION);
        try (Connection c = db.connectDualwrite(); java.sql.Statement s = c.createStatement()) {
            readsThatSucceed(s);
            db.execute("ALTER TABLE email_address ALTER COLUMN address TYPE integer USING length(address)");
            // the comparison the rewrite moved into its lookup; the application's LIKE, applied to the replaced value
            for (String sql : List.of("SELECT id FROM users WHERE email = lower('Bob@example.com')",
                    "SELECT id FROM users WHERE email LIKE 'b%'", "SELECT id FROM users WHERE id = 1 AND email LIKE 'b%'")) {
                assertThatThrownBy(() -> s.executeQuery(sql)).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42883"));
            }
            // each verdict arrives from the check's thread; the second already crosses the 1 % threshold, so the
            // rollback may be seen before the third is counted
            long deadline = System.currentTimeMillis() + 5000;
            while (!"DUAL_WRITE".equals(JMX.getAttribute(bean, "Phase")) || (Long) JMX.getAttribute(bean, "RewrittenFailures") < 3) {
                assertThat(System.currentTimeMillis()).as("rolled back and all three counted within 5 s").isLessThan(deadline);
                Thread.sleep(10);
            }
            assertThat((Long) JMX.getAttribute(bean, "RewrittenFailures")).isEqualTo(3);
        }
    }

    @Test
    void plainStatementsCountToo(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.READ_NEW);
        try (Connection c = db.connectDualwrite(); java.sql.Statement s = c.createStatement()) {
            ObjectName bean = MigrationControl.objectName(MigrationFixture.MIGRATION);
            readsThatSucceed(s);
            long failuresBefore = (Long) JMX.getAttribute(bean, "RewrittenFailures");
            long refusedBefore = (Long) JMX.getAttribute(bean, "RejectedStatements");
            // a refusal is not a failure of a rewritten statement, the database's guard's (a key changed) neither
            assertThatThrownBy(() -> s.execute("UPDATE users SET id = id + 1")).isInstanceOf(SQLException.class);
            assertThat((Long) JMX.getAttribute(bean, "RewrittenFailures")).isEqualTo(failuresBefore);
            assertThat((Long) JMX.getAttribute(bean, "RejectedStatements")).isEqualTo(refusedBefore + 1);
            db.execute("ALTER TABLE email_address RENAME COLUMN address TO address_broken");
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> s.executeQuery("SELECT email FROM users WHERE id = 1")).isInstanceOf(SQLException.class);
            }
            long deadline = System.currentTimeMillis() + 3000;
            while (!"DUAL_WRITE".equals(JMX.getAttribute(bean, "Phase"))
                    || (Long) JMX.getAttribute(bean, "RewrittenFailures") - failuresBefore < 3) {
                assertThat(System.currentTimeMillis()).as("rolled back and all three counted within 3 s").isLessThan(deadline);
                Thread.sleep(10);
            }
            assertThat((Long) JMX.getAttribute(bean, "RewrittenFailures") - failuresBefore).isEqualTo(3);
            try (ResultSet rs = s.executeQuery("SELECT email FROM users WHERE id = 2")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("bob@example.com");
            }
        }
    }

    /** 150 rewritten reads that succeed: the executions the failures are counted against. */
    private static void readsThatSucceed(java.sql.Statement s) throws SQLException {
        for (int i = 0; i < 150; i++) {
            try (ResultSet rs = s.executeQuery("SELECT email FROM users WHERE id = " + (1 + i % 5))) {
                assertThat(rs.next()).isTrue();
            }
        }
    }
}
