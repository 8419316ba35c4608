package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.driver.CorpusOnDatabaseTest.Case;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.rewrite.StatementRewriter;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12, acceptance 2: {@link CorpusOnDatabaseTest}'s corpus (hand-written statements on {@code users},
 * generated shapes × spellings × literals, PreparedStatements) after the contract. Each statement runs
 * plainly with PgJDBC on a twin that still has {@code users.email}, and through dualwrite in CONTRACTED on
 * one that dropped it, each in its own transaction, rolled back on both. Either the translation behaves as
 * the original did on the original schema — the same results (labels, types, rows), update counts and
 * SQLState class, and afterwards the primary {@code email_address} rows equal the plain twin's
 * {@code users.email} and the other tables equal — or dualwrite refuses it with 0A000 and nothing changed.
 */
@ExtendWith(PostgresExtension.class)
class CorpusContractedTest {

    /**
     * Statements (the corpus's SQL text) whose translated outcome still differs from the plain one, with
     * why. Any difference not listed here fails the test, and so does a listed one that stopped differing.
     */
    static final Map<String, String> KNOWN_DIFFERENCES = Map.of();

    /** The plain twin's content as the dual twin must hold it: users.email as primary email_address rows. */
    private static final String PLAIN_EMAILS = """
            SELECT id, email, true FROM users WHERE email IS NOT NULL
            UNION ALL
            SELECT user_id, address, is_primary FROM email_address WHERE NOT is_primary AND user_id IN (SELECT id FROM users)
            ORDER BY 1, 2, 3""";

    /**
     * The dual twin's email_address. Non-primary rows of users that are gone are left out on both sides: the
     * plain statement never touches email_address, the translated DELETE may take a user's other rows with it.
     */
    private static final String DUAL_EMAILS = """
            SELECT user_id, address, is_primary FROM email_address WHERE is_primary OR user_id IN (SELECT id FROM users)
            ORDER BY 1, 2, 3""";

    private static final String USERS = "SELECT id, name FROM users ORDER BY id";
    private static final String ORDERS = "SELECT id, user_id, amount, note FROM orders ORDER BY id";

    private final List<String> differences = new ArrayList<>();
    private final List<String> refusals = new ArrayList<>();
    private int translated;
    private int passedThrough;
    private int sameError;

    @Test
    void everyStatementOnUsersBehavesAsOnTheOriginalSchemaOrIsRefused(TestDatabase db) throws Exception {
        List<Case> corpus = CorpusOnDatabaseTest.corpus();
        StatementRewriter rewriter = new StatementRewriter(
                List.of(new SourceTable(MigrationFixture.SPEC, List.of("id", "name", "email"))));
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            MigrationFixture.create(db, Phase.DUAL_WRITE);
            MigrationFixture.enterTranslatingPhase(db, Phase.CONTRACTED);
            Twin plain = new Twin(plainDb::connect);
            Twin dual = new Twin(db::connectDualwrite);
            try {
                String initial = plainState(plain.connection());
                assertThat(dualState(dual.connection())).as("the twins start equal").isEqualTo(initial);
                plain.connection().rollback();
                dual.connection().rollback();
                for (Case k : corpus) {
                    compare(k, rewriter.plan(k.sql()).forPhase(Phase.CONTRACTED), plain, dual, initial);
                }
            } finally {
                plain.close();
                dual.close();
            }
        }
        report(corpus.size());
    }

    /**
     * One twin's connection, in manual commit. PgJDBC closes a connection that a COPY … FROM STDIN sent
     * through a plain Statement left in copy mode; the next statement gets a fresh one.
     */
    private static final class Twin implements AutoCloseable {
        private final Connector connector;
        private Connection connection;

        Twin(Connector connector) {
            this.connector = connector;
        }

        Connection connection() throws SQLException {
            if (connection == null || connection.isClosed()) {
                connection = connector.connect();
                connection.setAutoCommit(false);
            }
            return connection;
        }

        /** Ends the statement's transaction, whatever it left behind. */
        void rollback() throws SQLException {
            if (!connection.isClosed()) {
                connection.rollback();
            }
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }

    private interface Connector {
        Connection connect() throws SQLException;
    }

    private void compare(Case k, Rewrite planned, Twin plain, Twin dual, String initial) throws SQLException {
        Outcome p = run(plain.connection(), k);
        String plainAfter = p.failed() ? null : plainState(plain.connection());
        plain.rollback();
        Connection dc = dual.connection();
        Outcome d = run(dc, k);
        String difference;
        try {
            difference = dc.isClosed() ? difference(k, p.describe(), "the connection was closed after " + d.describe())
                    : judge(k, planned, p, d, plainAfter, dc, initial);
        } finally {
            dual.rollback();
        }
        boolean known = KNOWN_DIFFERENCES.containsKey(k.sql());
        if (difference != null && !known) {
            differences.add(difference);
        } else if (difference == null && known) {
            differences.add("listed as a known difference but behaves as the original now: " + k);
        }
    }

    /** Null when the dualwrite outcome is acceptable (counted), else the difference, precisely. */
    private String judge(Case k, Rewrite planned, Outcome p, Outcome d, String plainAfter, Connection dual,
            String initial) {
        if (d.refused()) {
            String after = stateOrAborted(dual);
            if (after != null && !after.equals(initial)) {
                return "refused, but the tables changed: " + k + "\n  before: " + initial + "\n  after:  " + after;
            }
            refusals.add(k.name() + " [" + oneLine(k.sql()) + "]\n    " + firstLine(d.error()));
            return null;
        }
        if (p.failed() || d.failed()) {
            if (p.failed() && d.failed() && p.sqlState().regionMatches(0, d.sqlState(), 0, 2)) {
                sameError++;
                return null;
            }
            return difference(k, p.describe(), d.describe());
        }
        if (!p.lines().equals(d.lines())) {
            return difference(k, p.describe(), d.describe());
        }
        String dualAfter = stateOrAborted(dual);
        if (!plainAfter.equals(dualAfter)) {
            return difference(k, "tables afterwards " + plainAfter, "tables afterwards " + dualAfter);
        }
        if (planned instanceof Rewrite.Rewritten) {
            translated++;
        } else {
            passedThrough++;
        }
        return null;
    }

    private static String difference(Case k, String plain, String dual) {
        return "DIFFERENT: " + k.name() + "\n  SQL:       " + oneLine(k.sql()) + "\n  plain:     " + plain
                + "\n  dualwrite: " + dual;
    }

    private void report(int size) {
        System.out.printf("CorpusContractedTest: %d statements in CONTRACTED: %d translated, %d passed through unchanged"
                        + " (same outcome as plain PgJDBC with the column), %d refused (0A000, tables unchanged),"
                        + " %d failed as on the original schema (same SQLState class), %d known differences%n",
                size, translated, passedThrough, refusals.size(), sameError, KNOWN_DIFFERENCES.size());
        refusals.forEach(r -> System.out.println("CorpusContractedTest refused: " + r));
        KNOWN_DIFFERENCES.forEach((sql, why) -> System.out.println("CorpusContractedTest known difference: "
                + oneLine(sql) + "\n    " + why));
        differences.forEach(f -> System.out.println("CorpusContractedTest " + f));
        assertThat(differences).as("statements whose translation behaves otherwise than the original").isEmpty();
        assertThat(translated + passedThrough + refusals.size() + sameError + KNOWN_DIFFERENCES.size()).isEqualTo(size);
        assertThat(translated).as("translated").isGreaterThanOrEqualTo(size / 2);
    }

    /** What the application sees of one execution, or the error it got. */
    private record Outcome(List<String> lines, SQLException error) {

        boolean failed() {
            return error != null;
        }

        String sqlState() {
            return String.valueOf(error.getSQLState());
        }

        /** dualwrite's own refusal names the statement; a server's 0A000 does not. */
        boolean refused() {
            return failed() && "0A000".equals(error.getSQLState()) && String.valueOf(error.getMessage()).contains("Statement:");
        }

        String describe() {
            return failed() ? "error " + error.getSQLState() + ": " + firstLine(error) : String.join(" / ", lines);
        }
    }

    private static Outcome run(Connection c, Case k) {
        try {
            List<String> lines;
            if (k.params().isEmpty()) {
                try (Statement s = c.createStatement()) {
                    lines = results(s, s.execute(k.sql()));
                }
            } else {
                try (PreparedStatement ps = c.prepareStatement(k.sql())) {
                    MigrationFixture.bind(ps, k.params());
                    lines = results(ps, ps.execute());
                }
            }
            return new Outcome(explained(k.sql()) ? labelsOnly(lines) : lines, null);
        } catch (SQLException e) {
            return new Outcome(List.of(), e);
        }
    }

    /** The getResultSet / getUpdateCount / getMoreResults sequence: labels, types and rows, or counts. */
    private static List<String> results(Statement s, boolean isResultSet) throws SQLException {
        List<String> out = new ArrayList<>();
        boolean rs = isResultSet;
        for (int i = 0; i < 20; i++) {
            if (rs) {
                out.add("rows " + DifferentialHarnessTest.table(s.getResultSet()));
            } else {
                int count = s.getUpdateCount();
                if (count == -1) {
                    return out;
                }
                out.add("count " + count);
            }
            rs = s.getMoreResults();
        }
        out.add("more than 20 results");
        return out;
    }

    /** EXPLAIN prints the plan of the statement that ran, which a translation changes by design: labels only. */
    private static boolean explained(String sql) {
        return sql.strip().toLowerCase(Locale.ROOT).startsWith("explain");
    }

    private static List<String> labelsOnly(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.startsWith("rows [") ? line.substring(0, line.indexOf(']') + 1) : line);
        }
        return out;
    }

    private static String plainState(Connection c) throws SQLException {
        return state(c, PLAIN_EMAILS);
    }

    private static String dualState(Connection c) throws SQLException {
        return state(c, DUAL_EMAILS);
    }

    private static String state(Connection c, String emails) throws SQLException {
        return "users " + MigrationFixture.rows(c, USERS) + " email_address " + MigrationFixture.rows(c, emails)
                + " orders " + MigrationFixture.rows(c, ORDERS);
    }

    /** The dual twin's content inside the statement's transaction; null when the statement left it aborted. */
    private static String stateOrAborted(Connection dual) {
        try {
            return dualState(dual);
        } catch (SQLException e) {
            return null;
        }
    }

    private static String firstLine(SQLException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static String oneLine(String sql) {
        return sql.replaceAll("\\s+", " ").strip();
    }
}
