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
 * A MERGE into the migrated table passes through where none of its actions needs a sync (an update of other columns, an
 * insert leaving the column NULL, from NEW_ONLY on a delete the source's triggers follow) and is refused otherwise
 * ({@code MergeIntoSource}). On twins ({@link TwinRun}): the same counts and rows as plain PgJDBC, and the new table
 * equal to the plain twin's column, or refused with nothing changed.
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
    private static final String DELETE_OR_UPDATE = USING + "WHEN MATCHED AND v.n IS NULL THEN DELETE"
            + " WHEN MATCHED THEN UPDATE SET name = v.n WHEN NOT MATCHED THEN DO NOTHING";
    private static final List<String> REFUSED = List.of(
            USING + "WHEN MATCHED THEN UPDATE SET email = v.n || '@example.com'",
            USING + "WHEN NOT MATCHED THEN INSERT VALUES (v.id, v.n, NULL)",
            USING + "WHEN MATCHED THEN UPDATE SET id = v.id + 100",
            USING + "WHEN MATCHED AND u.email IS NULL THEN UPDATE SET name = v.n");

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void aMergeRunsAsOnThePlainSchemaWhereNoActionNeedsASyncAndIsRefusedElsewhere(Phase phase, TestDatabase db)
            throws Exception {
        assumeTrue(mergeExists(db), "MERGE exists from PostgreSQL 15");
        boolean deletesFollowed = !phase.writesOld();
        int refused = run(phase, db, "", List.of(UPDATE_AND_INSERT, DELETE_OR_UPDATE,
                "MERGE INTO users u USING (SELECT 2 AS id, 'Bo' AS n) v ON u.id = v.id WHEN MATCHED THEN UPDATE SET name = v.n"));
        assertThat(refused).as("the delete, while the old column is written").isEqualTo(deletesFollowed ? 0 : 1);
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "NEW_ONLY", "CONTRACTED"})
    void aMergeThatWritesTheColumnOrTheKeyIsRefused(Phase phase, TestDatabase db) throws Exception {
        assumeTrue(mergeExists(db), "MERGE exists from PostgreSQL 15");
        assertThat(run(phase, db, "", REFUSED)).isEqualTo(REFUSED.size());
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "CONTRACTED"})
    void anInsertActionIsRefusedWhileTheColumnHasADefault(Phase phase, TestDatabase db) throws Exception {
        assumeTrue(mergeExists(db), "MERGE exists from PostgreSQL 15");
        assertThat(run(phase, db, " DEFAULT 'none@example.com'", List.of(UPDATE_AND_INSERT,
                USING + "WHEN MATCHED THEN UPDATE SET name = v.n"))).isEqualTo(1);
    }

    /** The statements on fresh twins; how many were refused. */
    private static int run(Phase phase, TestDatabase db, String emailDefault, List<String> statements) throws Exception {
        return TwinRun.refusedOnTwins("MergeTwinTest " + phase, FIXTURE.formatted(emailDefault), phase, db,
                "SELECT id, name FROM users ORDER BY id", statements, sql -> false);
    }

    private static boolean mergeExists(TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            return c.getMetaData().getDatabaseMajorVersion() >= 15;
        }
    }
}
