package io.dualwrite.driver;

import io.dualwrite.driver.jmx.MigrationControl;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.management.Attribute;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11, class 2: shadow reads never change the application's transaction. The same JDBC steps
 * run on twin databases, plainly and through dualwrite in DUAL_WRITE with every read shadowed
 * (sample rate 1), in every transaction mode: what the application observes (results, counts,
 * SQLStates, auto-commit and transaction state) and the final tables must be identical. The steps
 * include reads whose comparison mismatches (a target row missing), whose new form fails (a cast
 * that only the target's value cannot take), and reads calling {@code nextval}, which must run once.
 */
@ExtendWith(PostgresExtension.class)
class ShadowReadTransactionsTest {

    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();
    private static final String SETUP = """
            CREATE SEQUENCE ticket;
            INSERT INTO users VALUES (6, 'Gus', '42');
            """;

    /** How the application holds its transaction around the steps. */
    enum Mode {
        AUTOCOMMIT, JDBC_TRANSACTION, BEGIN_TEXT, START_TRANSACTION_TEXT, SQL_SAVEPOINT, JDBC_SAVEPOINT, REPEATABLE_READ,
        READ_ONLY, ROLLED_BACK_TEXT
    }

    private TestDatabase plainDb;
    private Connection plain;
    private Connection dual;

    @BeforeEach
    void twins(TestDatabase db) throws Exception {
        plainDb = PostgresServer.get().createDatabase();
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        MigrationFixture.createTables(plainDb);
        db.execute(SETUP);
        plainDb.execute(SETUP);
        // the target diverges: user 4 has no primary row, user 6's address is no number
        db.execute("DELETE FROM email_address WHERE user_id = 4; INSERT INTO email_address VALUES (6, 'not-a-number', true)");
        plain = plainDb.connect();
        dual = MigrationFixture.connectWithOperator(db);
        ObjectName bean = MigrationControl.objectName(MigrationFixture.MIGRATION);
        JMX.setAttribute(bean, new Attribute("ShadowSampleRate", 1.0));
        ShadowReadTest.awaitReadSource(bean, "SHADOW");
    }

    @AfterEach
    void close() throws SQLException {
        dual.close();
        plain.close();
        plainDb.close();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void theApplicationSeesWhatPlainPgJdbcGives(Mode mode, TestDatabase db) throws Exception {
        ObjectName bean = MigrationControl.objectName(MigrationFixture.MIGRATION);
        long comparisons = (Long) JMX.getAttribute(bean, "ShadowComparisons");

        Observed onPlain = steps(plain, mode);
        Observed onDual = steps(dual, mode);

        assertThat(onDual.lines()).isEqualTo(onPlain.lines());
        for (String table : new String[] {"SELECT id, name, email FROM users ORDER BY id", "SELECT last_value, is_called FROM ticket",
                "SELECT id, user_id, amount, note FROM orders ORDER BY id"}) {
            try (Connection p = plainDb.connect(); Connection d = db.connect()) {
                assertThat(MigrationFixture.rows(d, table)).as(table).isEqualTo(MigrationFixture.rows(p, table));
            }
        }
        if (mode != Mode.JDBC_TRANSACTION) {
            // a JDBC transaction's first statement is not shadowed (that would open the transaction with the shadow's snapshot)
            assertThat((Long) JMX.getAttribute(bean, "ShadowComparisons")).as("shadow reads ran").isGreaterThan(comparisons);
        }
    }

    private static Observed steps(Connection c, Mode mode) throws SQLException {
        Observed o = new Observed();
        Savepoint savepoint = null;
        try (Statement s = c.createStatement()) {
            switch (mode) {
                case AUTOCOMMIT -> { }
                case JDBC_TRANSACTION, JDBC_SAVEPOINT -> c.setAutoCommit(false);
                case BEGIN_TEXT, ROLLED_BACK_TEXT, SQL_SAVEPOINT -> s.execute("BEGIN");
                case START_TRANSACTION_TEXT -> s.execute("START TRANSACTION");
                case REPEATABLE_READ -> s.execute("BEGIN ISOLATION LEVEL REPEATABLE READ");
                case READ_ONLY -> s.execute("BEGIN READ ONLY");
            }
            if (mode != Mode.READ_ONLY) {
                o.add("write " + s.executeUpdate("UPDATE orders SET note = 'in tx' WHERE id = 100"));
            }
            if (mode == Mode.SQL_SAVEPOINT) {
                s.execute("SAVEPOINT app");
            } else if (mode == Mode.JDBC_SAVEPOINT) {
                savepoint = c.setSavepoint("app");
            }
            read(o, s, "SELECT id, email FROM users WHERE id = 1");
            read(o, s, "SELECT id, email FROM users WHERE id = 4");          // the comparison mismatches
            read(o, s, "SELECT email::int AS n FROM users WHERE id = 6");   // the new form fails
            read(o, s, "SELECT nextval('ticket') AS t, email FROM users WHERE id = 2");
            read(o, s, "SELECT count(*) AS n FROM users WHERE lower(email) LIKE '%example.com'");
            try (PreparedStatement p = c.prepareStatement("SELECT nextval('ticket') AS t, email FROM users WHERE id = ?")) {
                p.setLong(1, 5);
                o.run("prepared", () -> o.add("prepared " + Observed.table(p.executeQuery())));
            }
            o.add("autocommit " + c.getAutoCommit());
            if (mode != Mode.READ_ONLY) {
                o.add("write " + s.executeUpdate("UPDATE orders SET amount = amount + 1 WHERE id = 101"));
            }
            if (savepoint != null) {
                Savepoint release = savepoint;
                o.run("release", () -> c.releaseSavepoint(release));
            }
            switch (mode) {
                case AUTOCOMMIT -> { }
                case JDBC_TRANSACTION, JDBC_SAVEPOINT -> {
                    c.commit();
                    c.setAutoCommit(true);
                }
                case ROLLED_BACK_TEXT -> s.execute("ROLLBACK");
                default -> o.run("commit", () -> s.execute("COMMIT"));
            }
            o.add("autocommit after " + c.getAutoCommit());
        }
        return o;
    }

    private static void read(Observed o, Statement s, String sql) {
        o.run(sql, () -> o.add(sql + " " + Observed.table(s.executeQuery(sql))));
    }
}
