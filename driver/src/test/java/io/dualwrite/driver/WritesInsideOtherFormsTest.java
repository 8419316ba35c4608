package io.dualwrite.driver;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 11, class 4: writes hidden inside other statement forms (EXPLAIN ANALYZE, COPY (…) TO,
 * SQL-level PREPARE, CREATE TABLE … AS, SELECT … INTO, DECLARE … CURSOR) and updatable result
 * sets. Each step runs on twin databases, plain PgJDBC against the driver in DUAL_WRITE: it is
 * either rewritten (the application sees the same thing, users are equal, parity 0) or refused
 * (0A000, and the driver's database is unchanged and in sync).
 */
@ExtendWith(PostgresExtension.class)
class WritesInsideOtherFormsTest {

    /** What a JDBC step showed the application: its rows, update counts, or the SQLState it failed with. */
    interface Step {
        List<String> run(Connection c) throws SQLException;
    }

    private static List<String> observe(Connection c, Step step) {
        try {
            return step.run(c);
        } catch (SQLException e) {
            return List.of("SQLState " + e.getSQLState());
        }
    }

    private static Step sql(String sql) {
        return c -> {
            List<String> out = new ArrayList<>();
            try (Statement s = c.createStatement()) {
                boolean rows = s.execute(sql);
                while (true) {
                    if (rows) {
                        try (ResultSet rs = s.getResultSet()) {
                            out.add("rows " + MigrationFixture.labels(rs));
                            if (!rs.getMetaData().getColumnLabel(1).equals("QUERY PLAN")) {
                                out.addAll(MigrationFixture.rows(rs)); // a plan differs by design: the dual write's own
                            }
                        }
                    } else if (s.getUpdateCount() >= 0) {
                        out.add("count " + s.getUpdateCount());
                    } else {
                        return out;
                    }
                    rows = s.getMoreResults();
                }
            }
        };
    }

    /** Runs the steps on a plain twin and through the driver in {@code phase}; returns the driver's observations. */
    private static List<List<String>> twin(TestDatabase db, Phase phase, Step... steps) throws SQLException {
        try (TestDatabase other = PostgresServer.get().createDatabase()) {
            MigrationFixture.create(db, phase);
            MigrationFixture.createTables(other);
            List<List<String>> plainSeen = new ArrayList<>();
            List<List<String>> dualSeen = new ArrayList<>();
            try (Connection plain = other.connect(); Connection dual = db.connectDualwrite()) {
                for (Step step : steps) {
                    plainSeen.add(observe(plain, step));
                    dualSeen.add(observe(dual, step));
                }
            }
            for (int i = 0; i < steps.length; i++) {
                if (!dualSeen.get(i).equals(List.of("SQLState 0A000"))) {
                    assertThat(dualSeen.get(i)).as("step %d as plain PgJDBC saw it", i).isEqualTo(plainSeen.get(i));
                }
            }
            if (!dualSeen.contains(List.of("SQLState 0A000"))) {
                assertThat(MigrationFixture.users(db)).as("users on both sides").isEqualTo(MigrationFixture.users(other));
            }
            MigrationFixture.assertInSync(db);
            return dualSeen;
        }
    }

    private static void assertRefusedAndUnchanged(TestDatabase db, Phase phase, Step... steps) throws SQLException {
        List<List<String>> seen = twin(db, phase, steps);
        assertThat(seen).contains(List.of("SQLState 0A000"));
        assertThat(MigrationFixture.users(db)).as("nothing changed").isEqualTo(MigrationFixture.INITIAL_USERS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"EXPLAIN ANALYZE ", "EXPLAIN ANALYSE ", "EXPLAIN ANALYSE VERBOSE ", "EXPLAIN (ANALYZE) ",
            "EXPLAIN (analyse) ", "EXPLAIN (ANALYZE true, VERBOSE, BUFFERS) ", "EXPLAIN (FORMAT JSON, ANALYSE on) "})
    void explainAnalyzeOfAWriteRunsTheDualWrite(String explain, TestDatabase db) throws SQLException {
        twin(db, Phase.DUAL_WRITE,
                sql(explain + "UPDATE users SET email = 'new@example.com' WHERE id = 1"),
                sql(explain + "INSERT INTO users (id, name, email) VALUES (9, 'Nia', 'nia@example.com') RETURNING id"),
                sql(explain + "DELETE FROM users WHERE id = 2"),
                sql(explain + "WITH x AS (SELECT 4 AS id) UPDATE users u SET email = NULL FROM x WHERE u.id = x.id"));
        assertThat(MigrationFixture.users(db)).containsEntry(1L, "new@example.com").containsEntry(9L, "nia@example.com")
                .doesNotContainKey(2L).containsEntry(4L, null);
    }

    @Test
    void explainWithoutAnalyzeRunsNothing(TestDatabase db) throws SQLException {
        twin(db, Phase.DUAL_WRITE, sql("EXPLAIN UPDATE users SET email = 'x@example.com'"),
                sql("EXPLAIN (ANALYZE off, VERBOSE) DELETE FROM users"));
        assertThat(MigrationFixture.users(db)).isEqualTo(MigrationFixture.INITIAL_USERS);
    }

    @Test
    void explainAnalyzeOfARefusedWriteIsRefused(TestDatabase db) throws SQLException {
        assertRefusedAndUnchanged(db, Phase.DUAL_WRITE, sql("EXPLAIN ANALYZE MERGE INTO users u USING (VALUES (1)) s(id)"
                + " ON u.id = s.id WHEN MATCHED THEN UPDATE SET (id, email) = (s.id + 1000, 'm@example.com')"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"COPY (UPDATE users SET email = 'c@example.com' WHERE id = 1 RETURNING id) TO STDOUT",
            "COPY (DELETE FROM users WHERE id = 2 RETURNING *) TO STDOUT",
            "COPY (WITH w AS (UPDATE users SET email = NULL RETURNING id) SELECT * FROM w) TO STDOUT"})
    void copyOfAWriteIsRefused(String copy, TestDatabase db) throws SQLException {
        assertRefusedAndUnchanged(db, Phase.DUAL_WRITE, sql(copy));
    }

    @Test
    void prepareOfAWriteIsRefusedAlreadyInExpanded(TestDatabase db) throws SQLException {
        MigrationFixture.create(db, Phase.EXPANDED);
        try (Connection dual = db.connectDualwrite()) {
            assertThat(observe(dual, sql("PREPARE p (text, bigint) AS UPDATE users SET email = $1 WHERE id = $2")))
                    .containsExactly("SQLState 0A000");
            MigrationFixture.setPhase(db, Phase.DUAL_WRITE);
            assertThat(observe(dual, sql("EXECUTE p('late@example.com', 1)"))).containsExactly("SQLState 26000");
            assertThat(observe(dual, sql("PREPARE q AS DELETE FROM users WHERE id = 2")))
                    .containsExactly("SQLState 0A000");
        }
        assertThat(MigrationFixture.users(db)).isEqualTo(MigrationFixture.INITIAL_USERS);
        MigrationFixture.assertInSync(db);
    }

    @Test
    void prepareOfAReadRuns(TestDatabase db) throws SQLException {
        twin(db, Phase.DUAL_WRITE, sql("PREPARE r (bigint) AS SELECT id, email FROM users WHERE id = $1"),
                sql("EXECUTE r(2)"), sql("DEALLOCATE r"));
    }

    @Test
    void createTableAsSelectIntoAndCursorsReadAsPlainPgJdbc(TestDatabase db) throws SQLException {
        twin(db, Phase.DUAL_WRITE,
                sql("CREATE TABLE copy1 AS SELECT id, email FROM users"),
                sql("SELECT id, email FROM copy1 ORDER BY id"),
                sql("SELECT id, email INTO copy2 FROM users WHERE email IS NOT NULL"),
                sql("SELECT * FROM copy2 ORDER BY id"),
                sql("CREATE TEMP TABLE copy3 AS SELECT * FROM users WITH NO DATA"),
                sql("SELECT count(*) FROM copy3"),
                sql("BEGIN"),
                sql("DECLARE c SCROLL CURSOR FOR SELECT id, email FROM users ORDER BY id"),
                sql("FETCH 2 FROM c"),
                sql("FETCH ALL FROM c"),
                sql("COMMIT"));
    }

    @Test
    void createTableAsOverAWriteIsRefused(TestDatabase db) throws SQLException {
        assertRefusedAndUnchanged(db, Phase.DUAL_WRITE,
                sql("CREATE TABLE t AS WITH w AS (UPDATE users SET email = 'w@example.com' RETURNING id) SELECT * FROM w"));
    }

    @Test
    void readsInsideOtherFormsReadTheNewSourceInReadNew(TestDatabase db) throws SQLException {
        MigrationFixture.create(db, Phase.READ_NEW);
        // a value only the new side has shows which side a read used
        db.execute("UPDATE email_address SET address = 'only-new@example.com' WHERE user_id = 1 AND is_primary");
        try (Connection dual = db.connectDualwrite()) {
            dual.setAutoCommit(false);
            List<String> seen = new ArrayList<>();
            for (String s : List.of("CREATE TABLE copy1 AS SELECT id, email FROM users WHERE id = 1",
                    "SELECT id, email INTO copy2 FROM users WHERE id = 1",
                    "DECLARE c CURSOR FOR SELECT id, email FROM users WHERE id = 1",
                    "PREPARE r AS SELECT id, email FROM users WHERE id = 1")) {
                seen.addAll(observe(dual, sql(s)));
            }
            seen.addAll(observe(dual, sql("SELECT * FROM copy1")));
            seen.addAll(observe(dual, sql("SELECT * FROM copy2")));
            seen.addAll(observe(dual, sql("FETCH ALL FROM c")));
            seen.addAll(observe(dual, sql("EXECUTE r")));
            dual.commit();
            assertThat(seen).filteredOn(s -> s.startsWith("1|")).containsExactly("1|only-new@example.com",
                    "1|only-new@example.com", "1|only-new@example.com", "1|only-new@example.com");
        }
    }

    // ---- updatable result sets ----------------------------------------------------------------

    private static Step updatable(String query, RowChange change) {
        return c -> {
            try (Statement s = c.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_UPDATABLE);
                 ResultSet rs = s.executeQuery(query)) {
                return change.apply(rs);
            }
        };
    }

    private static Step updatablePrepared(String query, RowChange change) {
        return c -> {
            try (PreparedStatement p = c.prepareStatement(query, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE);
                 ResultSet rs = p.executeQuery()) {
                return change.apply(rs);
            }
        };
    }

    private static Step updatableCall(String query, RowChange change) {
        return c -> {
            try (CallableStatement p = c.prepareCall(query, ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_UPDATABLE);
                 ResultSet rs = p.executeQuery()) {
                return change.apply(rs);
            }
        };
    }

    interface RowChange {
        List<String> apply(ResultSet rs) throws SQLException;
    }

    private static final RowChange UPDATE_EMAIL = rs -> {
        rs.next();
        rs.updateString("email", "rs@example.com");
        rs.updateRow();
        return List.of(rs.getString("email"));
    };
    private static final RowChange INSERT = rs -> {
        rs.moveToInsertRow();
        rs.updateLong("id", 7);
        rs.updateString("email", "ins@example.com");
        rs.insertRow();
        return List.of("inserted");
    };
    private static final RowChange INSERT_NAME = rs -> {
        rs.moveToInsertRow();
        rs.updateLong("id", 8);
        rs.updateString("name", "Ivy");
        rs.insertRow();
        return List.of("inserted");
    };
    private static final RowChange DELETE = rs -> {
        rs.next();
        rs.deleteRow();
        return List.of("deleted");
    };

    @Test
    void updatableResultSetChangesAreRefusedInDualWrite(TestDatabase db) throws SQLException {
        assertRefusedAndUnchanged(db, Phase.DUAL_WRITE,
                updatable("SELECT id, email FROM users WHERE id = 1", UPDATE_EMAIL),
                updatable("SELECT id, email FROM users", INSERT),
                updatable("SELECT id, email FROM users WHERE id = 2", DELETE),
                updatablePrepared("SELECT id, name, email FROM users WHERE id = 4", UPDATE_EMAIL),
                updatableCall("SELECT id, name, email FROM users WHERE id = 3", UPDATE_EMAIL));
    }

    /** The query names the table, not the column: it passes through, but PgJDBC's deleteRow() would leave the email rows. */
    @Test
    void deleteRowOfAQueryWithoutTheColumnIsRefusedToo(TestDatabase db) throws SQLException {
        assertRefusedAndUnchanged(db, Phase.DUAL_WRITE,
                updatable("SELECT id, name FROM users WHERE id = 2", DELETE),
                updatablePrepared("SELECT id, name FROM users WHERE id = 4", DELETE),
                updatableCall("SELECT id, name FROM users ORDER BY id", DELETE),
                updatable("SELECT id, name FROM users", INSERT_NAME),
                updatablePrepared("SELECT id, name FROM users", INSERT_NAME),
                updatableCall("SELECT id, name FROM users", INSERT_NAME));
    }

    /** Once triggers follow deletes (NEW_ONLY on), PgJDBC's own DELETE leaves nothing behind: deleteRow() is PgJDBC's. */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void deleteRowOfAQueryWithoutTheColumnOnceDeletesAreFollowed(Phase phase, TestDatabase db) throws SQLException {
        MigrationFixture.createTables(db);
        MigrationFixture.registerIn(db, phase);
        try (Connection c = db.connectDualwrite()) {
            assertThat(updatable("SELECT id, name FROM users WHERE id = 2", DELETE).run(c)).containsExactly("deleted");
            assertThat(updatablePrepared("SELECT id, name FROM users WHERE id = 4", DELETE).run(c)).containsExactly("deleted");
            assertThatThrownBy(() -> updatable("SELECT id, name FROM users", INSERT_NAME).run(c))
                    .hasFieldOrPropertyWithValue("SQLState", "0A000");
        }
        assertThat(db.queryString("SELECT string_agg(id::text, ',' ORDER BY id) FROM users")).isEqualTo("1,3,5");
        assertThat(db.queryString("SELECT string_agg(DISTINCT user_id::text, ',') FROM email_address")).isEqualTo("1,5");
    }

    /** Such a query may still change the other columns of its rows, as with PgJDBC. */
    @Test
    void updateRowOfAQueryWithoutTheColumnWorksAsPgJdbc(TestDatabase db) throws SQLException {
        RowChange rename = rs -> {
            rs.next();
            rs.updateString("name", "Anna");
            rs.updateRow();
            return List.of(rs.getString("name"));
        };
        assertThat(twin(db, Phase.DUAL_WRITE, updatable("SELECT id, name FROM users WHERE id = 1", rename),
                updatablePrepared("SELECT id, name FROM users WHERE id = 2", rename)))
                .containsExactly(List.of("Anna"), List.of("Anna"));
        assertThat(db.queryLong("SELECT count(*) FROM users WHERE name = 'Anna'")).isEqualTo(2);
    }

    /** Where the query ran as written (DUAL_WRITE), the other columns of its rows may change as with PgJDBC. */
    @Test
    void updateRowOfOtherColumnsOfAQueryReadingTheColumnWorksAsPgJdbcInDualWrite(TestDatabase db) throws SQLException {
        RowChange rename = rs -> {
            rs.next();
            rs.updateString(2, "Ann");
            rs.updateString("name", "Anna");
            rs.updateRow();
            return List.of(rs.getString("name"), String.valueOf(rs.getString(3)));
        };
        assertThat(twin(db, Phase.DUAL_WRITE, updatable("SELECT * FROM users WHERE id = 1", rename),
                updatablePrepared("SELECT id, name, email FROM users WHERE id = 2", rename)))
                .containsExactly(List.of("Anna", "ann@example.com"), List.of("Anna", "bob@example.com"));
        assertThat(db.queryLong("SELECT count(*) FROM users WHERE name = 'Anna'")).isEqualTo(2);
    }

    /** The column under another name is still the column, and the key is followed by the new table: refused. */
    @Test
    void anUpdateOfTheColumnUnderAnAliasOrOfTheKeyIsRefused(TestDatabase db) throws SQLException {
        assertRefusedAndUnchanged(db, Phase.DUAL_WRITE, updatable("SELECT id, email AS mail FROM users WHERE id = 1", rs -> {
            rs.next();
            rs.updateString("mail", "alias@example.com");
            rs.updateRow();
            return List.of("updated");
        }), updatable("SELECT * FROM users WHERE id = 2", rs -> {
            rs.next();
            rs.updateLong(1, 20);
            rs.updateRow();
            return List.of("updated");
        }), updatable("SELECT id, name FROM users WHERE id = 3", rs -> {
            rs.next();
            rs.updateLong("id", 30);
            rs.updateRow();
            return List.of("updated");
        }));
    }

    @Test
    void updatableResultSetChangesAreRefusedInReadNew(TestDatabase db) throws SQLException {
        assertRefusedAndUnchanged(db, Phase.READ_NEW, updatable("SELECT id, email FROM users WHERE id = 1", UPDATE_EMAIL));
    }

    @Test
    void updatableResultSetsWorkAsPgJdbcInExpandedAndForReading(TestDatabase db) throws SQLException {
        twin(db, Phase.EXPANDED, updatable("SELECT id, name FROM users WHERE id = 1", rs -> {
            rs.next();
            rs.updateString("name", "Anna");
            rs.updateRow();
            return List.of(rs.getString("name"));
        }));
        assertThat(db.queryString("SELECT name FROM users WHERE id = 1")).isEqualTo("Anna");
    }

    /** Described from the application's query, as other result sets of a rewritten read are; refreshRow refused. */
    @Test
    void updatableResultSetOfARewrittenReadReadsAsPlainInReadNew(TestDatabase db) throws SQLException {
        RowChange described = rs -> {
            List<String> seen = new ArrayList<>(MigrationFixture.rows(rs));
            java.sql.ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                seen.add(md.getColumnLabel(i) + " " + md.getTableName(i) + " " + md.isNullable(i) + " "
                        + md.getColumnTypeName(i) + " " + md.getPrecision(i));
            }
            return seen;
        };
        RowChange refresh = rs -> {
            rs.next();
            rs.refreshRow();
            return List.of(rs.getString("email"));
        };
        List<List<String>> seen = twin(db, Phase.READ_NEW, updatable("SELECT * FROM users ORDER BY id", described),
                updatableCall("SELECT id, email FROM users ORDER BY id", described),
                updatable("SELECT id, email FROM users ORDER BY id", refresh));
        assertThat(seen.get(0)).contains("email users 1 text 2147483647");
        assertThat(seen.get(2)).containsExactly("SQLState 0A000");
    }

    @Test
    void updatableResultSetReadsAsPlainInDualWrite(TestDatabase db) throws SQLException {
        twin(db, Phase.DUAL_WRITE, updatable("SELECT id, email FROM users ORDER BY id", MigrationFixture::rows));
    }
}
