package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A MERGE into the migrated table ({@code MergeIntoSource}) on twins ({@link TwinRun}): the same counts and rows as plain
 * PgJDBC and the new table equal to the plain twin's column, or refused with nothing changed. It passes through where
 * none of its actions needs a sync (an update of other columns, an insert leaving the column NULL, from NEW_ONLY on a
 * delete the source's triggers follow); while the old column is written, on PostgreSQL 17 and later it feeds the sync
 * from its RETURNING, and before 17 it is refused; once it is not written, and with an assignment of the key, refused.
 */
@ExtendWith(PostgresExtension.class)
class MergeTwinTest {

    private static final String FIXTURE = """
            CREATE TABLE users(id bigint PRIMARY KEY, name text, email text%s);
            INSERT INTO users (id, name, email) VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com'),
                                                      (3, 'Cy', NULL);
            CREATE TABLE email_address(user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
            INSERT INTO email_address SELECT id, email, true FROM users WHERE email IS NOT NULL;
            """;
    private static final String USING = "MERGE INTO users u USING (VALUES (1, 'Ann2'), (3, NULL), (9, 'Nine')) v(id, n)"
            + " ON u.id = v.id ";
    private static final String UPDATE_AND_INSERT = USING + "WHEN MATCHED THEN UPDATE SET name = v.n"
            + " WHEN NOT MATCHED THEN INSERT (id, name) VALUES (v.id, v.n)";
    /** No action needs a sync from NEW_ONLY on; the delete needs one before. */
    private static final List<String> SYNC_NOT_NEEDED = List.of(UPDATE_AND_INSERT,
            "MERGE INTO users u USING (SELECT 2 AS id, 'Bo' AS n) v ON u.id = v.id WHEN MATCHED THEN UPDATE SET name = v.n",
            USING + "WHEN MATCHED AND v.n IS NULL THEN DELETE WHEN MATCHED THEN UPDATE SET name = v.n"
                    + " WHEN NOT MATCHED THEN DO NOTHING");
    /** They write or read the column: synced from RETURNING on 17+ while it is written, refused otherwise. */
    private static final List<String> COLUMN_WRITES = List.of(
            USING + "WHEN MATCHED THEN UPDATE SET email = v.n || '@example.com'",
            USING + "WHEN MATCHED AND v.n IS NULL THEN DELETE WHEN MATCHED THEN UPDATE SET (name, email) = (v.n, NULL)"
                    + " WHEN NOT MATCHED THEN INSERT (id, email) VALUES (v.id, lower(v.n) || '@example.com')",
            USING + "WHEN NOT MATCHED THEN INSERT VALUES (v.id, v.n, v.n || '@x')",
            "MERGE INTO users USING (VALUES (2)) v(id) ON users.id = v.id AND users.email LIKE 'bob%'"
                    + " WHEN MATCHED THEN UPDATE SET email = upper(users.email)",
            USING + "WHEN MATCHED AND v.n IS NULL THEN DELETE WHEN MATCHED THEN UPDATE SET email = v.n || '@x'"
                    + " WHEN NOT MATCHED THEN INSERT (id, name) VALUES (v.id, v.n) RETURNING merge_action(), u.id, u.email");

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void aMergeWhoseActionsNeedNoSyncPassesThroughInEveryPhase(Phase phase, TestDatabase db) throws Exception {
        int version = version(db);
        assumeTrue(version >= 15, "MERGE exists from PostgreSQL 15");
        boolean deleteRefused = phase.writesOld() && version < 17;
        assertThat(run(phase, db, "", SYNC_NOT_NEEDED)).as("the delete, while the old column is written, before 17")
                .isEqualTo(deleteRefused ? 1 : 0);
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void aMergeWritingTheColumnIsDualWrittenOnSeventeenAndRefusedOnceTheColumnIsNotWritten(Phase phase, TestDatabase db)
            throws Exception {
        int version = version(db);
        assumeTrue(version >= 15, "MERGE exists from PostgreSQL 15");
        boolean synced = phase.writesOld() && version >= 17;
        assertThat(run(phase, db, "", COLUMN_WRITES)).isEqualTo(synced ? 0 : COLUMN_WRITES.size());
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "CONTRACTED"})
    void aMergeAssigningTheKeyIsRefused(Phase phase, TestDatabase db) throws Exception {
        assumeTrue(version(db) >= 15, "MERGE exists from PostgreSQL 15");
        assertThat(run(phase, db, "", List.of(USING + "WHEN MATCHED THEN UPDATE SET id = v.id + 100"))).isEqualTo(1);
    }

    /**
     * Generated keys: PgJDBC appends {@code RETURNING *} to a MERGE (17 and later), the source's columns and the table's;
     * while the old column is written the driver gives the same rows beside its sync, after the contract it refuses.
     */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "CONTRACTED"})
    void generatedKeysOfAMergeAreThePlainOnesOrRefused(Phase phase, TestDatabase db) throws Exception {
        assumeTrue(version(db) >= 17, "MERGE has RETURNING from PostgreSQL 17");
        String sql = USING + "WHEN MATCHED THEN UPDATE SET name = v.n WHEN NOT MATCHED THEN INSERT (id, name) VALUES (v.id, v.n)";
        try (TestDatabase plainDb = io.dualwrite.testing.PostgresServer.get().createDatabase()) {
            plainDb.execute(FIXTURE.formatted(""));
            db.execute(FIXTURE.formatted(""));
            MigrationFixture.registerIn(db, phase);
            String plain = keys(plainDb.connect(), sql);
            String dual = keys(db.connectDualwrite(), sql);
            if (phase.writesOld()) {
                assertThat(dual).isEqualTo(plain).contains("email");
            } else {
                assertThat(dual).startsWith("0A000");
            }
        }
    }

    /** The generated keys' labels and rows, or the SQLState; rolled back. */
    private static String keys(Connection c, String sql) throws Exception {
        try (c) {
            c.setAutoCommit(false);
            try (java.sql.PreparedStatement p = c.prepareStatement(sql, java.sql.Statement.RETURN_GENERATED_KEYS)) {
                int count = p.executeUpdate();
                try (java.sql.ResultSet rs = p.getGeneratedKeys()) {
                    return count + " " + MigrationFixture.labels(rs) + " " + MigrationFixture.rows(rs);
                }
            } catch (java.sql.SQLException e) {
                return e.getSQLState() + " " + e.getMessage();
            } finally {
                c.rollback();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "CONTRACTED"})
    void anInsertLeavingTheColumnToItsDefaultIsSyncedOrRefused(Phase phase, TestDatabase db) throws Exception {
        int version = version(db);
        assumeTrue(version >= 15, "MERGE exists from PostgreSQL 15");
        boolean synced = phase.writesOld() && version >= 17;
        assertThat(run(phase, db, " DEFAULT 'none@example.com'", List.of(UPDATE_AND_INSERT,
                USING + "WHEN MATCHED THEN UPDATE SET name = v.n"))).isEqualTo(synced ? 0 : 1);
    }

    /** The statements on fresh twins; how many were refused. */
    private static int run(Phase phase, TestDatabase db, String emailDefault, List<String> statements) throws Exception {
        return TwinRun.refusedOnTwins("MergeTwinTest " + phase, FIXTURE.formatted(emailDefault), phase, db,
                "SELECT id, name FROM users ORDER BY id", statements, sql -> false);
    }

    private static int version(TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            return c.getMetaData().getDatabaseMajorVersion();
        }
    }
}
