package io.dualwrite.driver;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

import java.sql.BatchUpdateException;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DESIGN principle 4, bullet by bullet: in DUAL_WRITE, what the application observes through
 * dualwrite is what plain PgJDBC gives for the same statements on the same data. Each test runs
 * its scenario on a plain PgJDBC connection in a transaction that is rolled back (the expectation),
 * then through dualwrite, and compares the observations line by line, the final {@code users}
 * rows, and parity of {@code email_address}.
 */
@ExtendWith(PostgresExtension.class)
class JdbcContractTest {

    interface Scenario {
        void run(Connection c, Observed o) throws SQLException;
    }

    /** Writes without RETURNING of their own: every one is a dual write in DUAL_WRITE. */
    static final List<String> WRITES = List.of(
            "UPDATE users SET email = 'x1@example.com' WHERE id = 1",
            "UPDATE users SET email = 'none@example.com' WHERE id > 100",
            "INSERT INTO users VALUES (10, 'Ten', 'ten@example.com'), (11, 'Eleven', NULL)",
            "INSERT INTO users (id, name, email) SELECT id + 100, name, email FROM users WHERE id <= 2",
            "INSERT INTO users VALUES (1, 'Ann', 'conflict@example.com') ON CONFLICT (id) DO NOTHING",
            "INSERT INTO users VALUES (2, 'Bob', 'upsert@example.com') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email",
            "UPDATE users u SET email = lower(u.email) FROM orders o WHERE o.user_id = u.id",
            "WITH x AS (SELECT 4 AS id) UPDATE users SET email = 'cte@example.com' WHERE id IN (SELECT id FROM x)",
            "DELETE FROM users u USING orders o WHERE o.user_id = u.id AND o.amount > 15",
            "DELETE FROM users WHERE id = 4");

    /** Writes with their own RETURNING: rows with two hidden columns through dualwrite. */
    static final List<String> RETURNING = List.of(
            "UPDATE users SET email = upper(email) WHERE id = 5 RETURNING id, email",
            "UPDATE users SET email = 'r@example.com' WHERE id > 100 RETURNING *",
            "INSERT INTO users VALUES (12, 'Tw', 'tw@example.com') RETURNING id AS new_id, upper(email), 42",
            "DELETE FROM users WHERE id = 3 RETURNING *");

    static final List<String> MULTI = List.of(
            "UPDATE users SET email = 'm1@example.com' WHERE id = 1; UPDATE orders SET note = 'n' WHERE id = 100;"
                    + " SELECT id, email FROM users ORDER BY id; DELETE FROM users WHERE id = 2",
            "SELECT 1; INSERT INTO users VALUES (20, 'Tw', 'twenty@example.com'); UPDATE users SET email = NULL WHERE id = 20",
            "SELECT id FROM users WHERE email IS NULL ORDER BY id");

    private static void sameAsPgJdbc(TestDatabase db, Scenario scenario) throws SQLException {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        Observed expected = new Observed();
        Map<Long, String> expectedUsers;
        try (Connection plain = db.connect()) {
            plain.setAutoCommit(false);
            readByKeyOrder(plain);
            scenario.run(plain, expected);
            expectedUsers = MigrationFixture.users(plain);
            plain.rollback();
        }
        Observed actual = new Observed();
        try (Connection c = db.connectDualwrite()) {
            c.setAutoCommit(false);
            readByKeyOrder(c);
            scenario.run(c, actual);
            c.commit();
        }
        assertThat(actual.lines()).as("observations through dualwrite").containsExactlyElementsOf(expected.lines());
        assertThat(MigrationFixture.users(db)).as("users").isEqualTo(expectedUsers);
        MigrationFixture.assertInSync(db);
    }

    /**
     * The rows of a multi-row {@code UPDATE … RETURNING} come in scan order, which SQL leaves open: a sequential or
     * bitmap scan returns them as they lie in the heap, and where the second run's new row versions land depends on
     * what the first (rolled back) run and autovacuum left behind. Index scans give both runs the key order.
     */
    private static void readByKeyOrder(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET enable_seqscan = off");
            s.execute("SET enable_bitmapscan = off");
        }
    }

    /** One step in its own savepoint, so that an error is observed and the transaction goes on (identically on both sides). */
    static void step(Connection c, Observed o, String what, Observed.SqlAction action) throws SQLException {
        Savepoint sp = c.setSavepoint();
        o.add(what);
        if (o.run(what, action)) {
            c.releaseSavepoint(sp);
        } else {
            c.rollback(sp);
        }
    }

    @Test
    void executeUpdateExecuteAndTheResultSequenceAreThoseOfPgJdbc(TestDatabase db) throws SQLException {
        sameAsPgJdbc(db, (c, o) -> {
            for (String sql : concat(WRITES, RETURNING, MULTI)) {
                step(c, o, "Statement.execute " + sql, () -> {
                    try (Statement s = c.createStatement()) {
                        o.results(s, s.execute(sql));
                    }
                });
                step(c, o, "Statement.executeUpdate " + sql, () -> {
                    try (Statement s = c.createStatement()) {
                        o.add("count " + s.executeUpdate(sql) + " then updateCount " + s.getUpdateCount()
                                + " more " + s.getMoreResults() + " " + s.getUpdateCount());
                    }
                });
                step(c, o, "Statement.executeLargeUpdate " + sql, () -> {
                    try (Statement s = c.createStatement()) {
                        o.add("count " + s.executeLargeUpdate(sql));
                    }
                });
                step(c, o, "PreparedStatement.execute " + sql, () -> {
                    try (PreparedStatement p = c.prepareStatement(sql)) {
                        o.results(p, p.execute());
                    }
                });
                step(c, o, "PreparedStatement.executeUpdate " + sql, () -> {
                    try (PreparedStatement p = c.prepareStatement(sql)) {
                        o.add("count " + p.executeUpdate() + " then updateCount " + p.getUpdateCount());
                    }
                });
            }
            for (String sql : RETURNING) {
                step(c, o, "Statement.executeQuery " + sql, () -> {
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                        o.add(Observed.table(rs) + " updateCount " + s.getUpdateCount());
                    }
                });
                step(c, o, "PreparedStatement.executeQuery " + sql, () -> {
                    try (PreparedStatement p = c.prepareStatement(sql); ResultSet rs = p.executeQuery()) {
                        o.add(Observed.table(rs));
                    }
                });
            }
        });
    }

    @Test
    void parametersAndPhaseIndependentShapesThroughPreparedStatements(TestDatabase db) throws SQLException {
        sameAsPgJdbc(db, (c, o) -> {
            step(c, o, "update with parameters", () -> {
                try (PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id = ? RETURNING email, name")) {
                    p.setString(1, "p@example.com");
                    p.setLong(2, 2);
                    o.results(p, p.execute());
                    p.setNull(1, java.sql.Types.VARCHAR);
                    p.setLong(2, 1);
                    o.results(p, p.execute());
                }
            });
        });
    }

    @Test
    void executeBatchGivesOneExactCountPerEntry(TestDatabase db) throws SQLException {
        sameAsPgJdbc(db, (c, o) -> {
            step(c, o, "prepared batch", () -> {
                try (PreparedStatement p = c.prepareStatement(
                        "INSERT INTO users (id, name, email) VALUES (?, 'b', ?) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email")) {
                    for (long id : new long[] {1, 30, 31, 1, 3}) {
                        p.setLong(1, id);
                        p.setString(2, id == 3 ? null : "batch" + id + "@example.com");
                        p.addBatch();
                    }
                    o.add(Arrays.toString(p.executeBatch()));
                }
            });
            step(c, o, "prepared large batch of updates", () -> {
                try (PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id >= ?")) {
                    for (long id : new long[] {5, 3, 999, 1}) {
                        p.setString(1, "lb" + id + "@example.com");
                        p.setLong(2, id);
                        p.addBatch();
                    }
                    o.add(Arrays.toString(p.executeLargeBatch()));
                }
            });
            step(c, o, "statement batch", () -> {
                try (Statement s = c.createStatement()) {
                    s.addBatch("INSERT INTO users VALUES (40, 'Lu', 'lu@example.com'), (41, 'Mo', NULL)");
                    s.addBatch("UPDATE users SET email = 'sb@example.com' WHERE id IN (1, 2, 3)");
                    s.addBatch("DELETE FROM users WHERE id = 999");
                    s.addBatch("DELETE FROM users WHERE id = 4");
                    s.addBatch("UPDATE orders SET note = 'untouched table' WHERE id = 100");
                    o.add(Arrays.toString(s.executeBatch()));
                }
            });
            step(c, o, "statement batch refusing an entry of several statements where it is added", () -> {
                try (Statement s = c.createStatement()) {
                    s.addBatch("UPDATE users SET email = 'x1@example.com' WHERE id = 1");
                    o.run("an entry of two statements", () -> s.addBatch(
                            "UPDATE users SET email = 'f@x' WHERE id = 1; UPDATE users SET email = NULL WHERE id = 2"));
                    s.addBatch("DELETE FROM users WHERE id = 5");
                    o.add(Arrays.toString(s.executeBatch()));
                }
            });
            step(c, o, "prepared batch with generated keys", () -> {
                try (PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id >= ?", Statement.RETURN_GENERATED_KEYS)) {
                    for (long id : new long[] {40, 999, 2}) {
                        p.setString(1, "gk" + id + "@example.com");
                        p.setLong(2, id);
                        p.addBatch();
                    }
                    o.add(Arrays.toString(p.executeBatch()));
                    o.keys(p);
                }
            });
        });
    }

    @Test
    void generatedKeysForEveryVariant(TestDatabase db) throws SQLException {
        List<String> writes = List.of(
                "INSERT INTO users VALUES (50, 'Fifty', 'fifty@example.com'), (51, 'Fiftyone', NULL)",
                "UPDATE users SET email = 'k@example.com' WHERE id <= 2",
                "UPDATE users SET email = 'k@example.com' WHERE id > 1000",
                "DELETE FROM users WHERE id = 5",
                "INSERT INTO users VALUES (52, 'x', 'y@example.com') RETURNING id");
        sameAsPgJdbc(db, (c, o) -> {
            for (String sql : writes) {
                step(c, o, "Statement RETURN_GENERATED_KEYS " + sql, () -> {
                    try (Statement s = c.createStatement()) {
                        o.add("count " + s.executeUpdate(sql, Statement.RETURN_GENERATED_KEYS)).keys(s);
                    }
                });
                step(c, o, "Statement NO_GENERATED_KEYS " + sql, () -> {
                    try (Statement s = c.createStatement()) {
                        o.add("count " + s.executeUpdate(sql, Statement.NO_GENERATED_KEYS)).keys(s);
                    }
                });
                step(c, o, "Statement.execute RETURN_GENERATED_KEYS " + sql, () -> {
                    try (Statement s = c.createStatement()) {
                        o.results(s, s.execute(sql, Statement.RETURN_GENERATED_KEYS)).keys(s);
                    }
                });
                step(c, o, "Statement column names " + sql, () -> {
                    try (Statement s = c.createStatement()) {
                        o.add("count " + s.executeUpdate(sql, new String[] {"id", "email"})).keys(s);
                    }
                });
                step(c, o, "Statement execute column names " + sql, () -> {
                    try (Statement s = c.createStatement()) {
                        o.results(s, s.execute(sql, new String[] {"name"})).keys(s);
                    }
                });
                step(c, o, "Statement large column names " + sql, () -> {
                    try (Statement s = c.createStatement()) {
                        o.add("count " + s.executeLargeUpdate(sql, new String[] {"id"})).keys(s);
                    }
                });
                step(c, o, "Statement unknown column name " + sql, () -> {
                    try (Statement s = c.createStatement()) {
                        o.add("count " + s.executeUpdate(sql, new String[] {"ID"})).keys(s);
                    }
                });
                step(c, o, "Statement column indexes " + sql, () -> {
                    try (Statement s = c.createStatement()) {
                        o.add("count " + s.executeUpdate(sql, new int[] {1})).keys(s);
                    }
                });
                step(c, o, "Prepared RETURN_GENERATED_KEYS " + sql, () -> {
                    try (PreparedStatement p = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
                        o.add("count " + p.executeUpdate()).keys(p);
                        o.results(p, p.execute()).keys(p);
                    }
                });
                step(c, o, "Prepared column names " + sql, () -> {
                    try (PreparedStatement p = c.prepareStatement(sql, new String[] {"id"})) {
                        o.add("count " + p.executeUpdate()).keys(p);
                    }
                });
                step(c, o, "Prepared column indexes " + sql, () -> {
                    try (PreparedStatement p = c.prepareStatement(sql, new int[] {1})) {
                        o.add("count " + p.executeUpdate()).keys(p);
                    }
                });
            }
        });
    }

    @Test
    void hiddenColumnsAreRejectedAsPgJdbcRejectsMissingColumns(TestDatabase db) throws SQLException {
        // Plain PgJDBC on an UPDATE … RETURNING id, email: two columns; dualwrite's rows have two more.
        String sql = "UPDATE users SET email = 'h@example.com' WHERE id = 1 RETURNING id, email";
        sameAsPgJdbc(db, (c, o) -> {
            step(c, o, "hidden", () -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                    o.add("columns " + rs.getMetaData().getColumnCount());
                    assertThat(rs.next()).isTrue();
                    o.add("email " + rs.getString("email") + " " + rs.getString(2) + " found " + rs.findColumn("EMAIL"));
                    for (Object column : List.of(3, 4, 0, "dw$k", "dw$v", "DW$K", "missing")) {
                        o.run("getString(" + column + ")", () -> o.add(column instanceof Integer i ? rs.getString(i) : rs.getString((String) column)));
                        o.run("getObject(" + column + ")", () -> o.add(String.valueOf(
                                column instanceof Integer i ? rs.getObject(i) : rs.getObject((String) column))));
                        o.run("findColumn(" + column + ")", () -> {
                            if (column instanceof String name) {
                                o.add("found " + rs.findColumn(name));
                            }
                        });
                        o.run("metadata(" + column + ")", () -> {
                            if (column instanceof Integer i) {
                                o.add(rs.getMetaData().getColumnLabel(i));
                            }
                        });
                    }
                }
            });
            step(c, o, "PreparedStatement.getMetaData before execution", () -> {
                try (PreparedStatement p = c.prepareStatement("DELETE FROM users WHERE id = ? RETURNING name, email")) {
                    p.setLong(1, 3);
                    o.add("described " + p.getMetaData().getColumnCount() + " " + p.getMetaData().getColumnLabel(2));
                    o.run("described label 3", () -> o.add(p.getMetaData().getColumnLabel(3)));
                    o.add("rows " + Observed.table(p.executeQuery()));
                    o.add("described after " + p.getMetaData().getColumnCount());
                }
            });
            step(c, o, "hidden in generated keys", () -> {
                try (PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id = 2", new String[] {"id"})) {
                    p.setString(1, "g@example.com");
                    o.add("count " + p.executeUpdate());
                    ResultSet keys = p.getGeneratedKeys();
                    o.add("columns " + keys.getMetaData().getColumnCount());
                    o.run("keys getLong(2)", () -> {
                        keys.next();
                        o.add("" + keys.getLong(2));
                    });
                    o.run("keys metadata(2)", () -> o.add(keys.getMetaData().getColumnName(2)));
                }
            });
        });
    }

    @Test
    void constraintViolationsKeepTheirSqlStateAndChangeNeitherTable(TestDatabase db) throws SQLException {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        Map<Long, String> usersBefore = MigrationFixture.users(db);
        List<String> emailAddressBefore = MigrationFixture.emailAddressRows(db);
        String duplicate = "INSERT INTO users VALUES (10, 'Ten', 'ten@example.com'), (1, 'Ann', 'dup@example.com')";
        Observed expected = new Observed();
        Observed actual = new Observed();
        for (Connection c : List.of(db.connect(), db.connectDualwrite())) {
            Observed o = c.isWrapperFor(io.dualwrite.driver.jdbc.DualwriteConnection.class) ? actual : expected;
            try (c; Statement s = c.createStatement()) {
                o.run("statement", () -> s.executeUpdate(duplicate));
                o.run("statement with keys", () -> s.executeUpdate(duplicate, Statement.RETURN_GENERATED_KEYS));
                o.run("returning", () -> s.executeQuery(duplicate + " RETURNING id"));
                try (PreparedStatement p = c.prepareStatement("INSERT INTO users VALUES (?, 'n', ?);"
                        + " INSERT INTO users VALUES (?, 'n', ?)")) {
                    p.setLong(1, 80);
                    p.setString(2, "x@example.com");
                    p.setLong(3, 1);
                    p.setString(4, "y@example.com");
                    o.run("prepared", p::executeUpdate);
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO users VALUES (?, 'b', ?)")) {
                    for (long id : new long[] {60, 61, 2, 62}) {
                        p.setLong(1, id);
                        p.setString(2, id + "@example.com");
                        p.addBatch();
                    }
                    try {
                        p.executeBatch();
                        o.add("batch did not fail");
                    } catch (BatchUpdateException e) {
                        // the message names the application's entry as PgJDBC does, not the rewrite that ran
                        o.add("batch " + e.getSQLState() + " " + Arrays.toString(e.getUpdateCounts()) + " " + e.getMessage()
                                + " next " + (e.getNextException() == null ? null : e.getNextException().getSQLState()));
                    }
                }
                s.addBatch("UPDATE users SET email = email WHERE id = 1");
                s.addBatch("INSERT INTO users VALUES (3, 'dup', 'b2@example.com')");
                try {
                    s.executeBatch();
                    o.add("statement batch did not fail");
                } catch (BatchUpdateException e) {
                    o.add("statement batch " + e.getSQLState() + " " + Arrays.toString(e.getUpdateCounts()) + " "
                            + e.getMessage());
                }
                o.run("null in not-null target is fine, a check violation is not", () ->
                        s.executeUpdate("UPDATE users SET email = 'a' WHERE id = 1/0"));
            }
        }
        assertThat(actual.lines()).containsExactlyElementsOf(expected.lines());
        assertThat(expected.lines()).as("sanity: PgJDBC's SQLStates").contains("statement threw 23505", "prepared threw 23505",
                "null in not-null target is fine, a check violation is not threw 22012");
        assertThat(MigrationFixture.users(db)).isEqualTo(usersBefore);
        assertThat(MigrationFixture.emailAddressRows(db)).isEqualTo(emailAddressBefore);
    }

    @Test
    void savepointsAndRollbacksRollBackBothSides(TestDatabase db) throws SQLException {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        List<String> emailAddressBefore = MigrationFixture.emailAddressRows(db);
        try (Connection c = db.connectDualwrite(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate("UPDATE users SET email = 'kept@example.com' WHERE id = 1");
            Savepoint sp = c.setSavepoint("before_more");
            s.executeUpdate("UPDATE users SET email = 'gone@example.com' WHERE id = 2");
            s.executeUpdate("DELETE FROM users WHERE id = 4");
            s.executeUpdate("INSERT INTO users VALUES (70, 'x', 'seventy@example.com')");
            c.rollback(sp);
            Savepoint failing = c.setSavepoint();
            assertThatThrownBy(() -> s.executeUpdate("INSERT INTO users VALUES (71, 'y', 'y@example.com'), (5, 'dup', 'd@example.com')"))
                    .isInstanceOf(SQLException.class).extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("23505");
            c.rollback(failing);
            s.executeUpdate("UPDATE users SET email = NULL WHERE id = 5");
            c.commit();

            s.executeUpdate("UPDATE users SET email = 'rolled@example.com'");
            s.executeUpdate("DELETE FROM users WHERE id = 2");
            c.rollback();
        }
        Map<Long, String> expected = new java.util.TreeMap<>(MigrationFixture.INITIAL_USERS);
        expected.put(1L, "kept@example.com");
        expected.put(5L, null);
        assertThat(MigrationFixture.users(db)).isEqualTo(expected);
        MigrationFixture.assertInSync(db);
        assertThat(MigrationFixture.nonPrimaryRows(db)).isEqualTo(List.of("1|ann.old@example.com"));
        assertThat(emailAddressBefore).hasSize(5);
    }

    @Test
    void unwrapIsWrapperForBackReferencesAndIsValid(TestDatabase db) throws SQLException {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        Connection c = db.connectDualwrite();
        try (c) {
            PGConnection pg = c.unwrap(PGConnection.class);
            assertThat(pg).isNotNull().isNotSameAs(c);
            assertThat(pg.getBackendPID()).isPositive();
            assertThat(c.isWrapperFor(PGConnection.class)).isTrue();
            assertThat(c.isWrapperFor(Connection.class)).isTrue();
            assertThat(c.isWrapperFor(String.class)).isFalse();
            assertThat(c.isValid(2)).isTrue();

            try (Statement s = c.createStatement()) {
                assertThat(s.getConnection()).isSameAs(c);
                assertThat(s.unwrap(org.postgresql.PGStatement.class)).isNotNull();
                assertThat(s.isWrapperFor(org.postgresql.PGStatement.class)).isTrue();
                try (ResultSet rs = s.executeQuery("SELECT id FROM users")) {
                    assertThat(rs.getStatement()).isSameAs(s);
                    assertThat(rs.unwrap(org.postgresql.jdbc.PgResultSet.class)).isNotNull();
                }
                assertThat(s.execute("SELECT id FROM orders")).isTrue();
                assertThat(s.getResultSet().getStatement()).isSameAs(s);
                assertThat(s.getResultSet()).as("the same result set twice").isSameAs(s.getResultSet());
                s.executeUpdate("UPDATE users SET email = 'b@example.com' WHERE id = 1", Statement.RETURN_GENERATED_KEYS);
                assertThat(s.getGeneratedKeys().getStatement()).isSameAs(s);
                try (ResultSet rs = s.executeQuery("UPDATE users SET email = 'c@example.com' WHERE id = 1 RETURNING id")) {
                    assertThat(rs.getStatement()).isSameAs(s);
                    assertThat(rs.getMetaData().getColumnCount()).isEqualTo(1);
                }
            }
            for (String sql : List.of("SELECT id FROM orders", "UPDATE users SET email = ? WHERE id = 1 RETURNING id")) {
                try (PreparedStatement p = c.prepareStatement(sql)) {
                    if (sql.contains("?")) {
                        p.setString(1, "d@example.com");
                    }
                    assertThat(p.getConnection()).isSameAs(c);
                    assertThat(p.unwrap(org.postgresql.PGStatement.class)).isNotNull();
                    try (ResultSet rs = p.executeQuery()) {
                        assertThat(rs.getStatement()).isSameAs(p);
                    }
                    assertThat(p.execute()).isTrue();
                    assertThat(p.getResultSet().getStatement()).isSameAs(p);
                }
            }
            try (CallableStatement call = c.prepareCall("{call abs(?)}")) {
                call.setInt(1, -3);
                assertThat(call.getConnection()).isSameAs(c);
                try (ResultSet rs = call.executeQuery()) {
                    assertThat(rs.getStatement()).isSameAs(call);
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(3);
                }
            }
            DatabaseMetaData md = c.getMetaData();
            assertThat(md.getConnection()).isSameAs(c);
            assertThat(md.unwrap(org.postgresql.jdbc.PgDatabaseMetaData.class)).isNotNull();
            try (ResultSet tables = md.getTables(null, "public", "users", null)) {
                assertThat(tables.next()).isTrue();
                // PgJDBC's own statement: its connection is the application's, so a write through it is a dual write
                assertThat(tables.getStatement().getConnection()).isSameAs(c);
                tables.getStatement().getConnection().createStatement()
                        .executeUpdate("UPDATE users SET email = 'through-metadata@example.com' WHERE id = 1");
                assertThat(MigrationFixture.primaries(db).get(1L)).isEqualTo("through-metadata@example.com");
            }
            for (ResultSet rs : List.of(md.getColumns(null, "public", "users", "%"), md.getIndexInfo(null, "public", "users",
                    false, true), md.getPrimaryKeys(null, "public", "users"), md.getTypeInfo())) {
                try (rs) {
                    assertThat(rs.getStatement().getConnection()).isSameAs(c);
                    assertThat(rs.next()).isTrue();
                }
            }
        }
        assertThat(c.isValid(2)).as("isValid after close").isFalse();
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        return Arrays.stream(lists).flatMap(List::stream).toList();
    }
}
