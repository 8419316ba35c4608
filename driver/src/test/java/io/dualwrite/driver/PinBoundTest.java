package io.dualwrite.driver;

import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.driver.jmx.MigrationControl;
import io.dualwrite.driver.runtime.RuntimeRegistry;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.Await;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import static io.dualwrite.driver.SqlTextTransactionPinTest.notAcknowledging;
import static io.dualwrite.driver.SqlTextTransactionPinTest.phaseOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Issue 11, class 5: one connection never holds an instance's acknowledgement back forever. A
 * connection left idle in a transaction pinned to the old phase is reported by name, then ended
 * after {@code dualwrite.pinIdleSeconds} (its transaction rolls back, so its old-phase writes never
 * commit); a transaction that ended where the driver could not see it (COMMIT in a pass-through
 * PreparedStatement) stops holding at the follower's next round.
 */
@ExtendWith(PostgresExtension.class)
class PinBoundTest {

    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    @AfterEach
    void restore() {
        System.clearProperty("dualwrite.pinIdleSeconds");
    }

    @Test
    void aConnectionIdleInItsTransactionIsReportedThenEnded(TestDatabase db) throws Exception {
        System.setProperty("dualwrite.pinIdleSeconds", "3");
        MigrationFixture.create(db, Phase.EXPANDED);
        String instance = "idle-" + db.name();
        try (Connection app = connect(db, instance)) {
            app.setAutoCommit(false);
            try (Statement s = app.createStatement()) {
                s.executeUpdate("UPDATE users SET email = 'never-committed@example.com' WHERE id = 1");
            }
            moveTo(db, Phase.DUAL_WRITE);
            Await.within(2000, () -> phaseOf(instance).equals("DUAL_WRITE"), "the instance applies DUAL_WRITE");
            ObjectName bean = MigrationControl.objectName(MigrationFixture.MIGRATION, instance);
            Await.within(2000, () -> heldBackBy(bean).length == 1, "the holder is reported");
            assertThat(heldBackBy(bean)[0]).contains("pinned to users.email EXPANDED").contains("idle in transaction");
            assertThat(notAcknowledging(db)).isNotEmpty();

            Await.within(6000, () -> notAcknowledging(db).isEmpty(), "acknowledged once the idle transaction was ended");
            assertThat((Long) JMX.getAttribute(bean, "HeldTransactionsEnded")).isEqualTo(1);
            assertThat(heldBackBy(bean)).isEmpty();
            SQLException gone = catchThrowableOfType(SQLException.class, app::commit);
            assertThat((Object) gone).as("the ended connection fails its commit").isNotNull();
        }
        assertThat(MigrationFixture.users(db)).as("the old-phase write never committed").isEqualTo(MigrationFixture.INITIAL_USERS);
    }

    @Test
    void aTransactionEndedOutOfSightStopsHolding(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.EXPANDED);
        String instance = "unseen-" + db.name();
        try (Connection app = connect(db, instance)) {
            try (Statement s = app.createStatement()) {
                s.execute("BEGIN");
                s.executeUpdate("UPDATE users SET email = 'committed@example.com' WHERE id = 1");
            }
            try (PreparedStatement commit = app.prepareStatement("COMMIT")) {
                commit.execute(); // PgJDBC's own statement: the driver does not see it run
            }
            moveTo(db, Phase.DUAL_WRITE);
            Await.within(2000, () -> phaseOf(instance).equals("DUAL_WRITE"), "the instance applies DUAL_WRITE");
            Await.within(3000, () -> notAcknowledging(db).isEmpty(), "acknowledged: the pinned transaction is over");
            assertThat((Long) JMX.getAttribute(MigrationControl.objectName(MigrationFixture.MIGRATION, instance),
                    "HeldTransactionsEnded")).isZero();
            try (Statement s = app.createStatement()) {
                s.executeUpdate("UPDATE users SET email = 'dual@example.com' WHERE id = 2");
            }
        }
        assertThat(MigrationFixture.users(db).get(1L)).isEqualTo("committed@example.com");
        assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 2 AND is_primary")).isEqualTo("dual@example.com");
    }

    private static String[] heldBackBy(ObjectName bean) {
        try {
            return (String[]) JMX.getAttribute(bean, "HeldBackBy");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void moveTo(TestDatabase db, Phase phase) throws SQLException {
        try (Connection admin = db.connect()) {
            PhaseWriter.change(admin, PhaseWriter.Request.of(MigrationFixture.MIGRATION, phase, "test", "bound"));
        }
    }

    private static Connection connect(TestDatabase db, String instance) throws SQLException {
        Properties p = db.properties();
        p.setProperty(RuntimeRegistry.INSTANCE_PROPERTY, instance);
        return DriverManager.getConnection(db.dualwriteUrl(), p);
    }
}
