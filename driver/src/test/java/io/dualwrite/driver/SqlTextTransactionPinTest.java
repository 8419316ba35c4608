package io.dualwrite.driver;

import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.driver.jmx.MigrationControl;
import io.dualwrite.driver.runtime.RuntimeRegistry;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.Await;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11, class 5: a transaction driven by SQL text is pinned to the phase it started in, like
 * one driven by {@code setAutoCommit(false)}. On twin databases (one plain, one through dualwrite
 * that moves from EXPANDED to DUAL_WRITE in the middle of the transaction) the application sees the
 * same, every statement of the transaction runs in EXPANDED (so its writes leave the target table
 * alone, as on the plain twin), the instance keeps acknowledging EXPANDED until the transaction ends
 * (so no gate passes while it is open), and the first statement after it runs in DUAL_WRITE.
 */
@ExtendWith(PostgresExtension.class)
class SqlTextTransactionPinTest {

    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    @ParameterizedTest(name = "{0} ... {1}")
    @CsvSource(delimiter = '|', value = {
            "BEGIN | COMMIT",
            "START TRANSACTION ISOLATION LEVEL READ COMMITTED | END",
            "begin transaction; UPDATE users SET name = 'opened' WHERE id = 3 | COMMIT WORK",
            "BEGIN; SAVEPOINT a | ROLLBACK TO SAVEPOINT a; RELEASE a; COMMIT",
            "BEGIN | ROLLBACK",
            "BEGIN | ABORT",
    })
    void theTransactionKeepsItsPhaseUntilItEnds(String begin, String end, TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.EXPANDED);
        String instance = "sql-" + db.name();
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            try (Connection plain = plainDb.connect(); Connection dual = connect(db, instance)) {
                List<String> onPlain = steps(plain, begin, end, () -> { });
                List<String> onDual = steps(dual, begin, end, () -> {
                    try (Connection admin = db.connect()) {
                        PhaseWriter.change(admin, PhaseWriter.Request.of(MigrationFixture.MIGRATION, Phase.DUAL_WRITE, "test", "mid-tx"));
                    }
                    Await.within(2000, () -> phaseOf(instance).equals("DUAL_WRITE"), "the instance applies DUAL_WRITE");
                    Thread.sleep(1200); // two acknowledgements later
                    assertThat(notAcknowledging(db)).as("held back by the open transaction")
                            .singleElement().asString().contains("applies EXPANDED");
                });
                assertThat(onDual).isEqualTo(onPlain);
                // every statement of the transaction ran in EXPANDED: the target table is what the plain twin has
                assertThat(MigrationFixture.emailAddressRows(db)).isEqualTo(MigrationFixture.emailAddressRows(plainDb));
                assertThat(MigrationFixture.users(db)).isEqualTo(MigrationFixture.users(plainDb));
                Await.within(2000, () -> notAcknowledging(db).isEmpty(), "DUAL_WRITE acknowledged after the transaction");
                // the next statement runs in DUAL_WRITE
                try (Statement s = dual.createStatement()) {
                    s.executeUpdate("UPDATE users SET email = 'after@example.com' WHERE id = 5");
                }
                assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 5 AND is_primary"))
                        .isEqualTo("after@example.com");
            }
        }
    }

    interface Middle {
        void run() throws Exception;
    }

    private static List<String> steps(Connection c, String begin, String end, Middle middle) throws Exception {
        Observed o = new Observed();
        try (Statement s = c.createStatement()) {
            o.results(s, s.execute(begin));
            o.add("update " + s.executeUpdate("UPDATE users SET email = 'one@example.com' WHERE id = 1"));
            middle.run();
            o.add("update " + s.executeUpdate("UPDATE users SET email = 'two@example.com' WHERE id = 2"));
            o.add("delete " + s.executeUpdate("DELETE FROM users WHERE id = 4"));
            o.add("read " + Observed.table(s.executeQuery("SELECT id, email FROM users ORDER BY id")));
            o.results(s, s.execute(end));
            o.add("autocommit " + c.getAutoCommit());
        }
        return o.lines();
    }

    private static Connection connect(TestDatabase db, String instance) throws SQLException {
        Properties p = db.properties();
        p.setProperty(RuntimeRegistry.INSTANCE_PROPERTY, instance);
        return DriverManager.getConnection(db.dualwriteUrl(), p);
    }

    static String phaseOf(String instance) {
        try {
            ObjectName name = MigrationControl.objectName(MigrationFixture.MIGRATION, instance);
            return (String) JMX.getAttribute(name, "Phase");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> notAcknowledging(TestDatabase db) {
        try (Connection c = db.connect()) {
            return Fleet.lagging(c, MigrationFixture.MIGRATION, Set.of(Phase.DUAL_WRITE));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
