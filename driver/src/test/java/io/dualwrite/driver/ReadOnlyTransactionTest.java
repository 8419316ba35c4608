package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Writes in a read-only transaction fail as on plain PgJDBC: the same SQLState (25006) and message, which names the
 * application's command ({@code cannot execute UPDATE in a read-only transaction}), not the INSERT into the sync view
 * that tops a dual write or a translation; in a batch too. Read-only by {@code setReadOnly(true)} and by SQL.
 */
@ExtendWith(PostgresExtension.class)
class ReadOnlyTransactionTest {

    private static final List<String> WRITES = List.of(
            "UPDATE users SET email = 'x@example.com' WHERE id = 1",
            "UPDATE users u SET email = lower(u.email), name = 'n' WHERE u.id = 1 RETURNING u.email",
            "DELETE FROM users WHERE id = 2",
            "DELETE FROM users WHERE email LIKE 'b%' RETURNING *",
            "INSERT INTO users (id, name, email) VALUES (99, 'Zed', 'zed@example.com')",
            "INSERT INTO users (id, name, email) VALUES (1, 'Ann', 'a@example.com') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email",
            "WITH changed AS (UPDATE users SET email = 'y@example.com' WHERE id = 1 RETURNING id) SELECT * FROM changed",
            "WITH gone AS (DELETE FROM orders WHERE id = 100) UPDATE users SET email = 'z@example.com' WHERE id = 1",
            "TRUNCATE users CASCADE",
            "UPDATE users SET name = 'only the name' WHERE id = 1");

    private static final String MERGE = "MERGE INTO users u USING (VALUES (1, 'm@example.com')) v(id, email) ON u.id = v.id"
            + " WHEN MATCHED THEN UPDATE SET email = v.email";

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void writesFailAsOnPlainPgJdbc(Phase phase, TestDatabase db) throws Exception {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            MigrationFixture.createTables(db);
            MigrationFixture.registerIn(db, phase);
            List<String> writes = new ArrayList<>(WRITES);
            try (Connection c = plainDb.connect()) {
                if (c.getMetaData().getDatabaseMajorVersion() >= 17) { // before 17 refused from DUAL_WRITE on (0A000)
                    writes.add(MERGE);
                }
            }
            List<String> differences = new ArrayList<>();
            try (Connection plain = plainDb.connect(); Connection dual = db.connectDualwrite()) {
                for (String sql : writes) {
                    for (boolean bySql : new boolean[] {false, true}) {
                        String p = failure(plain, sql, bySql);
                        String d = failure(dual, sql, bySql);
                        if (!p.equals(d)) {
                            differences.add(sql + (bySql ? " (SET TRANSACTION READ ONLY)" : " (setReadOnly)") + "\n  plain:     "
                                    + p + "\n  dualwrite: " + d);
                        }
                    }
                }
                String update = "UPDATE users SET email = ? WHERE id = ?";
                String p = batchFailure(plain, update);
                String d = batchFailure(dual, update);
                if (!p.equals(d)) {
                    differences.add("batch of " + update + "\n  plain:     " + p + "\n  dualwrite: " + d);
                }
            }
            assertThat(differences).as(phase + ": writes in a read-only transaction").isEmpty();
        }
    }

    /** How {@code sql} fails in a read-only transaction: SQLState and message. */
    private static String failure(Connection c, String sql, boolean bySql) throws SQLException {
        c.setAutoCommit(false);
        if (bySql) {
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION READ ONLY");
            }
        } else {
            c.setReadOnly(true);
        }
        try (Statement s = c.createStatement()) {
            s.execute(sql);
            return "ran";
        } catch (SQLException e) {
            return e.getSQLState() + " " + e.getMessage();
        } finally {
            c.rollback();
            c.setReadOnly(false);
            c.setAutoCommit(true);
        }
    }

    private static String batchFailure(Connection c, String sql) throws SQLException {
        c.setAutoCommit(false);
        c.setReadOnly(true);
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (long id = 1; id <= 2; id++) {
                p.setString(1, "batch" + id + "@example.com");
                p.setLong(2, id);
                p.addBatch();
            }
            p.executeBatch();
            return "ran";
        } catch (BatchUpdateException e) {
            SQLException entry = e.getNextException();
            return e.getSQLState() + " " + e.getMessage() + " / " + (entry == null ? null : entry.getSQLState() + " "
                    + entry.getMessage());
        } finally {
            c.rollback();
            c.setReadOnly(false);
            c.setAutoCommit(true);
        }
    }
}
