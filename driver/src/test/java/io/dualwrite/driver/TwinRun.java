package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Runs statements on twin databases — plainly with PgJDBC on one that still has the old column, through
 * dualwrite in a translating phase on one that dropped it — each in its own transaction, rolled back on
 * both, and judges the dualwrite outcome: the same results (labels, types, each column's origin: table,
 * base column, nullability and auto-increment; rows), update counts and
 * SQLState class as the plain one, and the same tables afterwards (as each twin's state query shows
 * them); or refused by dualwrite with 0A000 and nothing changed. Collects the counts, the refusals with
 * their reasons and every difference, precisely.
 */
final class TwinRun implements AutoCloseable {

    /** A twin's content inside the statement's transaction, as text comparable across the twins. */
    interface State {
        String of(Connection c) throws SQLException;
    }

    interface Connector {
        Connection connect() throws SQLException;
    }

    private final String label;
    private final Twin plain;
    private final Twin dual;
    private final State plainState;
    private final State dualState;
    private final Map<String, String> known;
    private final String initial;
    private final List<String> differences = new ArrayList<>();
    private final List<String> refusals = new ArrayList<>();
    /** Known differences seen differing, once per execution. */
    private final List<String> stillDiffering = new ArrayList<>();
    private int translated;
    private int passedThrough;
    /** Statements that failed alike on both twins, by the plain SQLState. */
    private final Map<String, Integer> sameError = new TreeMap<>();
    private int statements;

    /**
     * {@code known}: SQL text → why its outcome still differs. A listed statement that behaves as the
     * original now is a difference too, so the list cannot go stale.
     */
    TwinRun(String label, Connector plain, Connector dual, State plainState, State dualState, Map<String, String> known)
            throws SQLException {
        this.label = label;
        this.plain = new Twin(plain);
        this.dual = new Twin(dual);
        this.plainState = plainState;
        this.dualState = dualState;
        this.known = known;
        this.initial = plainState.of(this.plain.connection());
        assertThat(dualState.of(this.dual.connection())).as("the twins start equal").isEqualTo(initial);
        this.plain.rollback();
        this.dual.rollback();
    }

    /**
     * Twins compared as most twin tests compare them: {@code users} as {@code usersQuery} lists it (without the migrated
     * column), the new table as the dual twin must hold the plain twin's column ({@link CorpusContractedTest#PLAIN_EMAILS},
     * {@link CorpusContractedTest#DUAL_EMAILS}), and the rows of each of {@code more} queries.
     */
    static TwinRun usersAndEmails(String label, TestDatabase plainDb, TestDatabase db, String usersQuery, String... more)
            throws SQLException {
        return new TwinRun(label, plainDb::connect, db::connectDualwrite,
                c -> usersAndEmails(c, usersQuery, CorpusContractedTest.PLAIN_EMAILS, more),
                c -> usersAndEmails(c, usersQuery, CorpusContractedTest.DUAL_EMAILS, more), Map.of());
    }

    /**
     * {@code fixture} on a fresh plain twin and on {@code db}, the migration there in {@code phase}
     * ({@link MigrationFixture#registerIn}); each statement compared on both, {@code translated} saying which the plan
     * translates ({@link #report} fails on a difference); how many were refused.
     */
    static int refusedOnTwins(String label, String fixture, Phase phase, TestDatabase db, String usersQuery,
                              List<String> statements, Predicate<String> translated, String... more) throws Exception {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            plainDb.execute(fixture);
            db.execute(fixture);
            MigrationFixture.registerIn(db, phase);
            try (TwinRun run = usersAndEmails(label, plainDb, db, usersQuery, more)) {
                for (String sql : statements) {
                    run.compare(sql, sql, List.of(), translated.test(sql));
                }
                run.report();
                return run.refused();
            }
        }
    }

    private static String usersAndEmails(Connection c, String usersQuery, String emails, String... more)
            throws SQLException {
        StringBuilder b = new StringBuilder("users ").append(MigrationFixture.rows(c, usersQuery))
                .append(" email_address ").append(MigrationFixture.rows(c, emails));
        for (String query : more) {
            b.append(" | ").append(MigrationFixture.rows(c, query));
        }
        return b.toString();
    }

    /** Runs {@code sql} (with {@code params}: a PreparedStatement) on both twins; {@code rewritten}: the plan translates it. */
    void compare(String name, String sql, List<?> params, boolean rewritten) throws SQLException {
        statements++;
        Outcome p = run(plain.connection(), sql, params);
        String plainAfter = p.failed() ? null : plainState.of(plain.connection());
        plain.rollback();
        Connection dc = dual.connection();
        Outcome d = run(dc, sql, params);
        String difference;
        try {
            difference = dc.isClosed() ? difference(name, sql, p.describe(), "the connection was closed after " + d.describe())
                    : judge(name, sql, rewritten, p, d, plainAfter, dc);
        } finally {
            dual.rollback();
        }
        boolean isKnown = known.containsKey(sql);
        if (difference != null && isKnown) {
            stillDiffering.add(sql);
        } else if (difference != null) {
            differences.add(difference);
        } else if (difference == null && isKnown) {
            differences.add("listed as a known difference but behaves as the original now: " + name + " [" + oneLine(sql) + "]");
        }
    }

    /** Null when the dualwrite outcome is acceptable (then counted), else the difference. */
    private String judge(String name, String sql, boolean rewritten, Outcome p, Outcome d, String plainAfter,
            Connection dc) {
        if (d.refused()) {
            String after = stateOrAborted(dc);
            if (after != null && !after.equals(initial)) {
                return "refused, but the tables changed: " + name + " [" + oneLine(sql) + "]\n  before: " + initial
                        + "\n  after:  " + after;
            }
            refusals.add(name + " [" + oneLine(sql) + "]\n    " + firstLine(d.error()));
            return null;
        }
        if (p.failed() || d.failed()) {
            if (p.failed() && d.failed() && p.sqlState().regionMatches(0, d.sqlState(), 0, 2)) {
                sameError.merge(p.sqlState(), 1, Integer::sum);
                return null;
            }
            return difference(name, sql, p.describe(), d.describe());
        }
        if (!p.lines().equals(d.lines())) {
            return difference(name, sql, p.describe(), d.describe());
        }
        String dualAfter = stateOrAborted(dc);
        if (!plainAfter.equals(dualAfter)) {
            return difference(name, sql, "tables afterwards " + plainAfter, "tables afterwards " + dualAfter);
        }
        if (rewritten) {
            translated++;
        } else {
            passedThrough++;
        }
        return null;
    }

    /** Prints the counts, the refusals, the known and the new differences; fails on any new difference. */
    void report() {
        System.out.printf("%s: %d statements: %d translated, %d passed through unchanged (same outcome as"
                        + " plain PgJDBC with the column), %d refused (0A000, tables unchanged), %d failed as on the"
                        + " original schema (same SQLState class; by SQLState %s), %d known differences,"
                        + " %d new differences%n",
                label, statements, translated, passedThrough, refusals.size(), sameErrors(), sameError,
                stillDiffering.size(), differences.size());
        refusals.forEach(r -> System.out.println(label + " refused: " + r));
        known.forEach((sql, why) -> System.out.println(label + " known difference: " + oneLine(sql) + "\n    " + why));
        differences.forEach(f -> System.out.println(label + " " + f));
        assertThat(stillDiffering).as("every known difference is in the corpus").containsAll(known.keySet());
        assertThat(differences).as("statements whose translation behaves otherwise than the original").isEmpty();
        assertThat(translated + passedThrough + refusals.size() + sameErrors() + stillDiffering.size())
                .isEqualTo(statements);
    }

    private int sameErrors() {
        return sameError.values().stream().mapToInt(Integer::intValue).sum();
    }

    int translated() {
        return translated;
    }

    int refused() {
        return refusals.size();
    }

    private static String difference(String name, String sql, String plain, String dual) {
        return "DIFFERENT: " + name + "\n  SQL:       " + oneLine(sql) + "\n  plain:     " + plain
                + "\n  dualwrite: " + dual;
    }

    /** The dual twin's content inside the statement's transaction; null when the statement left it aborted. */
    private String stateOrAborted(Connection c) {
        try {
            return dualState.of(c);
        } catch (SQLException e) {
            return null;
        }
    }

    @Override
    public void close() throws SQLException {
        plain.close();
        dual.close();
    }

    /** What the application sees of one execution, or the error it got. */
    private record Outcome(List<String> lines, SQLException error) {

        boolean failed() {
            return error != null;
        }

        String sqlState() {
            return String.valueOf(error.getSQLState());
        }

        boolean refused() {
            return failed() && refusedByDualwrite(error);
        }

        String describe() {
            return failed() ? "error " + error.getSQLState() + ": " + firstLine(error) : String.join(" / ", lines);
        }
    }

    /**
     * A refusal by dualwrite, not any 0A000 of the server: the driver's own names the statement; the guards dualwrite
     * installs in the database (a key changed, a replica session, asymmetric row-level security) say so.
     */
    static boolean refusedByDualwrite(SQLException e) {
        String message = String.valueOf(e.getMessage());
        return "0A000".equals(e.getSQLState())
                && (message.contains("Statement:") || message.startsWith("ERROR: dualwrite refuses this write"));
    }

    /**
     * What the application sees of one execution of {@code sql} as the twin comparison reads it (rows in order only under
     * an ORDER BY), or the SQLState of its error.
     */
    static String seen(Connection c, String sql, List<?> params) {
        Outcome o = run(c, sql, params);
        return o.failed() ? "error " + o.sqlState() : String.join(" / ", o.lines());
    }

    private static Outcome run(Connection c, String sql, List<?> params) {
        try {
            List<String> lines;
            if (params.isEmpty()) {
                try (Statement s = c.createStatement()) {
                    lines = results(s, s.execute(sql), ordered(sql));
                }
            } else {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    MigrationFixture.bind(ps, params);
                    lines = results(ps, ps.execute(), ordered(sql));
                }
            }
            return new Outcome(explained(sql) ? labelsOnly(lines) : lines, null);
        } catch (SQLException e) {
            return new Outcome(List.of(), e);
        }
    }

    /**
     * The getResultSet / getUpdateCount / getMoreResults sequence: labels, types and rows, or counts. Rows
     * keep their order when the statement has an ORDER BY (a translation must sort as the original did),
     * else are sorted (the twins' plans may differ).
     */
    private static List<String> results(Statement s, boolean isResultSet, boolean ordered) throws SQLException {
        List<String> out = new ArrayList<>();
        boolean rs = isResultSet;
        for (int i = 0; i < 20; i++) {
            if (rs) {
                ResultSet result = s.getResultSet();
                out.add("rows " + (ordered ? Observed.table(result, true) : DifferentialHarnessTest.table(result, true)));
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

    /**
     * Whether the statement sorts its result: an ORDER BY outside parentheses (one in a subquery orders nothing the
     * application sees; an UPDATE … RETURNING's rows come in scan order, which the twins' plans may differ in).
     */
    static boolean ordered(String sql) {
        String text = sql.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == ')') {
                depth += c == '(' ? 1 : -1;
            } else if (depth == 0 && text.startsWith("order by", i)) {
                return true;
            }
        }
        return false;
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

    private static String firstLine(SQLException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    static String oneLine(String sql) {
        return sql.replaceAll("\\s+", " ").strip();
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
            if (connection != null) {
                connection.close();
            }
        }
    }
}
