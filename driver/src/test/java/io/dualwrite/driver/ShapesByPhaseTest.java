package io.dualwrite.driver;

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
import java.util.Map;
import java.util.stream.Stream;

import static io.dualwrite.driver.MigrationFixture.bind;
import static io.dualwrite.driver.MigrationFixture.inline;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The statement shapes of DESIGN.md through the dualwrite driver, per phase, per API (Statement /
 * PreparedStatement) and per transaction mode (auto-commit / explicit commit): the app sees the
 * same update counts and rows as with plain PgJDBC, and the target table follows the phase.
 */
@ExtendWith(PostgresExtension.class)
class ShapesByPhaseTest {

    enum Api { STATEMENT, PREPARED }

    enum Tx { AUTOCOMMIT, EXPLICIT_COMMIT }

    /** A write; {@code expectedCount} is what plain PgJDBC reports on the fixture's rows. */
    record WriteCase(String name, String sql, List<Object> params, int expectedCount) {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * A read, run after the fixture made the two tables differ: old values as in users.email, new
     * values 'new-' || old and no primary row for user 4.
     */
    record SelectCase(String name, String sql, List<Object> params, List<String> labels,
                      List<String> expectedOld, List<String> expectedNew) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static List<Object> p(Object... values) {
        return Arrays.asList(values);
    }

    static List<WriteCase> writeCases() {
        return List.of(
                new WriteCase("INSERT one row", "INSERT INTO users (id, name, email) VALUES (?, ?, ?)",
                        p(10L, "Fay", "fay@example.com"), 1),
                new WriteCase("INSERT one row, NULL email", "INSERT INTO users (id, name, email) VALUES (?, ?, ?)",
                        p(11L, "Gus", null), 1),
                new WriteCase("INSERT three rows", "INSERT INTO users (id, name, email) VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?)",
                        p(20L, "Hal", "hal@example.com", 21L, "Ivy", null, 22L, "Jo", "jo@example.com"), 3),
                new WriteCase("UPDATE SET email = lower(?) WHERE id = ?", "UPDATE users SET email = lower(?) WHERE id = ?",
                        p("NEW.Bob@Example.COM", 2L), 1),
                new WriteCase("UPDATE SET email = email || '.x' (several rows, one NULL)",
                        "UPDATE users SET email = email || '.x' WHERE id > ?", p(1L), 4),
                new WriteCase("UPDATE SET email = NULL WHERE id = ?", "UPDATE users SET email = NULL WHERE id = ?",
                        p(1L), 1),
                new WriteCase("UPDATE SET email = ? (NULL parameter)", "UPDATE users SET email = ? WHERE id = ?",
                        p(null, 4L), 1),
                new WriteCase("UPDATE SET email = ? on a NULL email", "UPDATE users SET email = ? WHERE name = ?",
                        p("cy@example.com", "Cy"), 1),
                new WriteCase("UPDATE matching 0 rows", "UPDATE users SET email = ? WHERE id = ?",
                        p("nobody@example.com", 999L), 0),
                new WriteCase("UPDATE SET email = lower(email) (several rows)",
                        "UPDATE users SET email = lower(email) WHERE id IN (?, ?, ?)", p(2L, 3L, 5L), 3),
                new WriteCase("UPDATE SET name = ?, email = ?", "UPDATE users SET name = ?, email = ? WHERE id = ?",
                        p("Deedee", "deedee@example.com", 4L), 1),
                new WriteCase("UPDATE not touching email", "UPDATE users SET name = ? WHERE id = ?",
                        p("Robert", 2L), 1),
                new WriteCase("DELETE WHERE id = ?", "DELETE FROM users WHERE id = ?", p(2L), 1),
                new WriteCase("DELETE several rows", "DELETE FROM users WHERE id >= ?", p(3L), 3),
                new WriteCase("DELETE matching 0 rows", "DELETE FROM users WHERE id = ?", p(999L), 0),
                // further shapes DESIGN.md lists as must-work
                new WriteCase("INSERT ... SELECT", "INSERT INTO users (id, name, email) SELECT id + 100, name, upper(email) FROM users WHERE id <= ?",
                        p(3L), 3),
                new WriteCase("INSERT ... ON CONFLICT DO NOTHING",
                        "INSERT INTO users (id, name, email) VALUES (?, ?, ?), (?, ?, ?) ON CONFLICT DO NOTHING",
                        p(1L, "Dup", "dup@example.com", 30L, "Kim", "kim@example.com"), 1),
                new WriteCase("INSERT ... ON CONFLICT DO UPDATE",
                        "INSERT INTO users (id, name, email) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email",
                        p(2L, "Bob", "upsert@example.com"), 1),
                new WriteCase("UPDATE with alias and FROM",
                        "UPDATE users u SET email = u.name || '@orders.example' FROM orders o WHERE o.user_id = u.id AND o.amount > ?",
                        p(6L), 2),
                new WriteCase("UPDATE SET email = (subquery)",
                        "UPDATE users SET email = (SELECT min(note) FROM orders WHERE orders.user_id = users.id) WHERE id IN (?, ?)",
                        p(1L, 3L), 2),
                new WriteCase("DELETE ... USING", "DELETE FROM users u USING orders o WHERE o.user_id = u.id AND o.id = ?",
                        p(102L), 1),
                new WriteCase("quoted, schema-qualified names", "UPDATE \"public\".\"users\" SET \"email\" = ? WHERE \"id\" = ?",
                        p("quoted@example.com", 5L), 1),
                new WriteCase("comments inside", "UPDATE users /* why: ticket 42 */ SET email = ? -- trailing\n WHERE id = ?",
                        p("commented@example.com", 4L), 1));
    }

    static List<SelectCase> selectCases() {
        return List.of(
                new SelectCase("by key", "SELECT email FROM users WHERE id = ?", p(2L), List.of("email"),
                        List.of("bob@example.com"), List.of("new-bob@example.com")),
                new SelectCase("SELECT * by key", "SELECT * FROM users WHERE id = ?", p(1L), List.of("id", "name", "email"),
                        List.of("1|Ann|ann@example.com"), List.of("1|Ann|new-ann@example.com")),
                new SelectCase("SELECT * all rows", "SELECT * FROM users WHERE id < ? ORDER BY id", p(100L),
                        List.of("id", "name", "email"),
                        List.of("1|Ann|ann@example.com", "2|Bob|bob@example.com", "3|Cy|null", "4|Dee|dee@example.com",
                                "5|Eve|Eve@Example.com"),
                        List.of("1|Ann|new-ann@example.com", "2|Bob|new-bob@example.com", "3|Cy|null", "4|Dee|null",
                                "5|Eve|new-Eve@Example.com")),
                new SelectCase("join with orders",
                        "SELECT u.name, u.email, o.amount FROM users u JOIN orders o ON o.user_id = u.id WHERE o.amount > ? ORDER BY o.id",
                        p(6L), List.of("name", "email", "amount"),
                        List.of("Ann|ann@example.com|10.50", "Bob|bob@example.com|20.00"),
                        List.of("Ann|new-ann@example.com|10.50", "Bob|new-bob@example.com|20.00")),
                new SelectCase("aggregate count(email)", "SELECT count(email) FROM users WHERE id < ?", p(100L),
                        List.of("count"), List.of("4"), List.of("3")),
                new SelectCase("WHERE email = ? (old value)", "SELECT id, name FROM users WHERE email = ?",
                        p("bob@example.com"), List.of("id", "name"), List.of("2|Bob"), List.of()),
                new SelectCase("WHERE email = ? (new value)", "SELECT id, name FROM users WHERE email = ?",
                        p("new-bob@example.com"), List.of("id", "name"), List.of(), List.of("2|Bob")),
                new SelectCase("WHERE email IS NULL", "SELECT id FROM users WHERE email IS NULL AND id < ? ORDER BY id",
                        p(100L), List.of("id"), List.of("3"), List.of("3", "4")),
                new SelectCase("scalar subquery", "SELECT (SELECT email FROM users WHERE id = o.user_id) AS owner FROM orders o WHERE o.id = ?",
                        p(101L), List.of("owner"), List.of("bob@example.com"), List.of("new-bob@example.com")),
                new SelectCase("FOR UPDATE", "SELECT id, email FROM users WHERE id = ? FOR UPDATE", p(1L), List.of("id", "email"),
                        List.of("1|ann@example.com"), List.of("1|new-ann@example.com")),
                new SelectCase("aliased column", "SELECT u.email AS e FROM users u WHERE u.id = ?", p(5L), List.of("e"),
                        List.of("Eve@Example.com"), List.of("new-Eve@Example.com")));
    }

    private static final Phase[] PHASES = {Phase.EXPANDED, Phase.DUAL_WRITE, Phase.READ_NEW};

    static Stream<Arguments> writes() {
        List<Arguments> out = new ArrayList<>();
        for (Phase phase : PHASES) {
            for (Api api : Api.values()) {
                for (Tx tx : Tx.values()) {
                    for (WriteCase w : writeCases()) {
                        out.add(Arguments.of(phase, api, tx, w));
                    }
                }
            }
        }
        return out.stream();
    }

    static Stream<Arguments> selects() {
        List<Arguments> out = new ArrayList<>();
        for (Phase phase : PHASES) {
            for (Api api : Api.values()) {
                for (Tx tx : Tx.values()) {
                    for (SelectCase s : selectCases()) {
                        out.add(Arguments.of(phase, api, tx, s));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}: {3}")
    @MethodSource("writes")
    void writeGivesPlainUpdateCountAndTargetFollowsPhase(Phase phase, Api api, Tx tx, WriteCase w, TestDatabase db)
            throws SQLException {
        MigrationFixture.create(db, phase);
        List<String> emailAddressBefore = MigrationFixture.emailAddressRows(db);
        List<String> nonPrimaryBefore = MigrationFixture.nonPrimaryRows(db);

        // what plain PgJDBC does with the same statement (rolled back): the expected count and users state
        Map<Long, String> expectedUsers;
        try (Connection plain = db.connect()) {
            plain.setAutoCommit(false);
            int plainCount = execute(plain, api, w.sql(), w.params());
            assertThat(plainCount).as("test's own expectation vs plain PgJDBC").isEqualTo(w.expectedCount());
            expectedUsers = MigrationFixture.users(plain);
            plain.rollback();
        }
        assertThat(MigrationFixture.users(db)).isEqualTo(MigrationFixture.INITIAL_USERS);

        try (Connection c = db.connectDualwrite()) {
            if (tx == Tx.EXPLICIT_COMMIT) {
                c.setAutoCommit(false);
            }
            int count = execute(c, api, w.sql(), w.params());
            assertThat(count).as("update count the app sees").isEqualTo(w.expectedCount());
            if (tx == Tx.EXPLICIT_COMMIT) {
                c.commit();
            }
        }

        assertThat(MigrationFixture.users(db)).as("users after").isEqualTo(expectedUsers);
        if (phase.writesNew()) {
            assertThat(MigrationFixture.primaries(db)).as("email_address primary rows mirror users.email in " + phase)
                    .isEqualTo(MigrationFixture.mirrorOf(expectedUsers));
            assertThat(MigrationFixture.nonPrimaryRows(db)).as("non-primary rows untouched").isEqualTo(nonPrimaryBefore);
        } else {
            assertThat(MigrationFixture.emailAddressRows(db)).as("email_address unchanged in " + phase)
                    .isEqualTo(emailAddressBefore);
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}: {3}")
    @MethodSource("selects")
    void selectReadsTheColumnOfThePhaseUnderTheSameLabel(Phase phase, Api api, Tx tx, SelectCase s, TestDatabase db)
            throws SQLException {
        MigrationFixture.create(db, phase);
        // make the two sides differ, so the test can tell which one a read came from
        db.execute("UPDATE email_address SET address = 'new-' || address");
        db.execute("DELETE FROM email_address WHERE user_id = 4 AND is_primary");

        // the test's expectations of old values are what plain PgJDBC reads
        try (Connection plain = db.connect()) {
            assertThat(query(plain, api, s.sql(), s.params(), null)).as("plain PgJDBC rows").isEqualTo(s.expectedOld());
        }

        List<String> labels = new ArrayList<>();
        List<String> rows;
        try (Connection c = db.connectDualwrite()) {
            if (tx == Tx.EXPLICIT_COMMIT) {
                c.setAutoCommit(false);
            }
            rows = query(c, api, s.sql(), s.params(), labels);
            if (tx == Tx.EXPLICIT_COMMIT) {
                c.commit();
            }
        }
        assertThat(labels).as("column labels").isEqualTo(s.labels());
        assertThat(rows).as("rows read in " + phase).isEqualTo(phase.readsNew() ? s.expectedNew() : s.expectedOld());
    }

    static int execute(Connection c, Api api, String sql, List<?> params) throws SQLException {
        if (api == Api.STATEMENT) {
            try (Statement s = c.createStatement()) {
                return s.executeUpdate(inline(sql, params));
            }
        }
        try (PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, params);
            return p.executeUpdate();
        }
    }

    static List<String> query(Connection c, Api api, String sql, List<?> params, List<String> labelsOut)
            throws SQLException {
        if (api == Api.STATEMENT) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(inline(sql, params))) {
                return read(rs, labelsOut);
            }
        }
        try (PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, params);
            try (ResultSet rs = p.executeQuery()) {
                return read(rs, labelsOut);
            }
        }
    }

    private static List<String> read(ResultSet rs, List<String> labelsOut) throws SQLException {
        if (labelsOut != null) {
            labelsOut.addAll(MigrationFixture.labels(rs));
        }
        return MigrationFixture.rows(rs);
    }
}
