package io.dualwrite.driver;

import io.dualwrite.driver.ShapesByPhaseTest.Api;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DESIGN principle 1 (acceptance): a statement that needs no rewrite reaches PostgreSQL exactly as
 * plain PgJDBC sends it. The server's own record of the text ({@code pg_stat_activity.query} of
 * the executing backend, read from a second connection) must be the same for both drivers.
 */
@ExtendWith(PostgresExtension.class)
class PassThroughByteIdenticalTest {

    /** NONE: no control schema at all in the database. */
    enum Setup { NONE, EXPANDED, DUAL_WRITE, READ_NEW }

    record Case(String name, Api api, String sql, List<Object> params) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static List<Object> p(Object... values) {
        return Arrays.asList(values);
    }

    /** Statements that do not touch users (some mention it inside literals and comments, to tempt a naive rewriter). */
    static List<Case> cases() {
        return List.of(
                new Case("prepared select by key", Api.PREPARED, "SELECT id, amount FROM orders WHERE id = ?", p(100L)),
                new Case("comments and odd whitespace", Api.PREPARED,
                        "/* leading comment: users.email */ SELECT  id,\n\tamount   FROM orders -- where email = ?\n WHERE amount > ?",
                        p(5L)),
                new Case("dollar quote with ? inside", Api.PREPARED,
                        "INSERT INTO orders (id, user_id, amount, note) VALUES (?, ?, ?, $tag$it's a ? in users.email$tag$)",
                        p(200L, 1L, 7L)),
                new Case("string literal naming users.email", Api.STATEMENT,
                        "UPDATE orders SET note = 'UPDATE users SET email = ''x''' WHERE id = 101", p()),
                new Case("E-string with escaped quote", Api.STATEMENT,
                        "SELECT note FROM orders WHERE note LIKE '%email%' OR note = E'it\\'s ?'", p()),
                new Case("jsonb ?? operator and quoted label", Api.PREPARED,
                        "SELECT '{\"a\":1}'::jsonb ?? 'a', ?::text AS \"users.email\"", p("x")),
                new Case("own WITH", Api.STATEMENT,
                        "WITH t AS (SELECT id FROM orders WHERE amount > 1) SELECT count(*) FROM t", p()),
                new Case("DELETE RETURNING", Api.PREPARED, "DELETE FROM orders WHERE id = ? RETURNING id, note", p(102L)),
                new Case("leading whitespace, lower case, semicolon", Api.STATEMENT, "  \n\tselect   1 ,  'users'  ;  ", p()),
                new Case("dollar body and nested comment", Api.STATEMENT,
                        "SELECT $$ UPDATE users SET email = 'x' $$ AS body, 1 /* nested /* comment */ users */ AS n", p()),
                new Case("two statements in one string", Api.STATEMENT,
                        "SELECT 1; UPDATE orders SET amount = amount + 1 WHERE id = 100", p()));
    }

    static Stream<Arguments> setupsAndCases() {
        List<Arguments> out = new ArrayList<>();
        for (Setup setup : Setup.values()) {
            for (Case c : cases()) {
                out.add(Arguments.of(setup, c));
            }
        }
        return out.stream();
    }

    private static void prepare(TestDatabase db, Setup setup) throws SQLException {
        MigrationFixture.createTables(db);
        if (setup != Setup.NONE) {
            MigrationFixture.register(db, Phase.valueOf(setup.name()));
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("setupsAndCases")
    void serverSeesTheSameTextAsWithPlainPgJdbc(Setup setup, Case k, TestDatabase db) throws SQLException {
        prepare(db, setup);
        if (setup == Setup.NONE) {
            assertThat(db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'dualwrite'")).isZero();
        }
        try (Connection observer = db.connect()) {
            String plainText;
            try (Connection plain = db.connect()) {
                plain.setAutoCommit(false);
                plainText = runAndObserve(plain, observer, k);
                plain.rollback();
            }
            if (k.api() == Api.STATEMENT && !k.sql().contains(";")) {
                assertThat(plainText).as("sanity: plain PgJDBC sends a Statement verbatim").isEqualTo(k.sql());
            }
            // in a transaction rolled back, then in auto-commit (last, as it commits)
            for (boolean autoCommit : new boolean[] {false, true}) {
                try (Connection dw = db.connectDualwrite()) {
                    dw.setAutoCommit(autoCommit);
                    String dwText = runAndObserve(dw, observer, k);
                    assertThat(dwText).as("text PostgreSQL received through dualwrite (autoCommit=" + autoCommit + ")")
                            .isEqualTo(plainText);
                    if (!autoCommit) {
                        dw.rollback();
                    }
                }
            }
        }
    }

    /** Reads of users need no rewrite while reads stay on the old column; in EXPANDED writes pass through too. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("oldReadPhases")
    void usersStatementsThatNeedNoRewriteAreUntouched(Setup setup, TestDatabase db) throws SQLException {
        prepare(db, setup);
        List<Case> untouched = new ArrayList<>(List.of(
                new Case("prepared read of email", Api.PREPARED, "SELECT id, email FROM users WHERE email = ? OR id = ?",
                        p("bob@example.com", 1L)),
                new Case("statement SELECT *", Api.STATEMENT, "SELECT * FROM users u JOIN orders o ON o.user_id = u.id", p())));
        if (setup == Setup.EXPANDED) {
            untouched.add(new Case("update in EXPANDED", Api.PREPARED, "UPDATE users SET email = ? WHERE id = ?",
                    p("x@example.com", 2L)));
            untouched.add(new Case("insert in EXPANDED", Api.STATEMENT,
                    "INSERT INTO users (id, name, email) VALUES (9, 'Ned', 'ned@example.com')", p()));
        }
        try (Connection observer = db.connect()) {
            for (Case k : untouched) {
                String plainText;
                try (Connection plain = db.connect()) {
                    plain.setAutoCommit(false);
                    plainText = runAndObserve(plain, observer, k);
                    plain.rollback();
                }
                try (Connection dw = db.connectDualwrite()) {
                    assertThat(runAndObserve(dw, observer, k)).as(k.name()).isEqualTo(plainText);
                }
            }
        }
    }

    static Stream<Setup> oldReadPhases() {
        return Stream.of(Setup.EXPANDED, Setup.DUAL_WRITE);
    }

    /** Runs the case on {@code c} (consuming every result) and returns what the server recorded as its last query. */
    private static String runAndObserve(Connection c, Connection observer, Case k) throws SQLException {
        int pid;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            pid = rs.getInt(1);
        }
        if (k.api() == Api.STATEMENT) {
            try (Statement s = c.createStatement()) {
                consume(s, s.execute(MigrationFixture.inline(k.sql(), k.params())));
            }
        } else {
            try (PreparedStatement p = c.prepareStatement(k.sql())) {
                MigrationFixture.bind(p, k.params());
                consume(p, p.execute());
            }
        }
        try (PreparedStatement q = observer.prepareStatement("SELECT query FROM pg_stat_activity WHERE pid = ?")) {
            q.setInt(1, pid);
            try (ResultSet rs = q.executeQuery()) {
                assertThat(rs.next()).as("backend " + pid + " in pg_stat_activity").isTrue();
                String text = rs.getString(1);
                assertThat(text).as("sanity: the server recorded the statement under test, not an earlier one")
                        .doesNotContain("pg_backend_pid");
                if (!k.sql().contains(";")) {
                    assertThat(text).startsWith(k.sql().substring(0, 12));
                }
                return text;
            }
        }
    }

    private static void consume(Statement s, boolean isResultSet) throws SQLException {
        boolean rsNext = isResultSet;
        while (true) {
            if (rsNext) {
                try (ResultSet rs = s.getResultSet()) {
                    while (rs.next()) {
                        // drain
                    }
                }
            } else if (s.getUpdateCount() == -1) {
                return;
            }
            rsNext = s.getMoreResults();
        }
    }
}
