package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A MERGE into the migrated table ({@code MergeIntoSource}) on twins ({@link TwinRun}): the same counts and rows as plain
 * PgJDBC and the new table equal to the plain twin's column, or refused with nothing changed. It passes through where
 * none of its actions needs a sync (an update of other columns, an insert leaving the column NULL, from NEW_ONLY on a
 * delete the source's triggers follow); while the old column is written, on PostgreSQL 17 and later it feeds the sync
 * from its RETURNING, once it is not written there it is translated where RETURNING can compute each row's value, and
 * before 17 it is refused; with an assignment of the key, refused.
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
    /**
     * They write the column: synced from RETURNING on 17+ while it is written, translated there once it is not (the
     * value computed from the source row, one per kind of action: {@code MergeTranslator}), refused before 17.
     */
    private static final List<String> TRANSLATED_COLUMN_WRITES = List.of(
            USING + "WHEN MATCHED THEN UPDATE SET email = v.n || '@example.com'",
            // Hibernate's StatelessSession.upsert, for a row that exists and one that does not
            "merge into users as t using (select 1 id, 'ann@new.org' email, 'Ann' name) as s on (t.id=s.id) when not"
                    + " matched then insert (id, email, name) values (s.id, s.email, s.name) when matched then update set"
                    + " email=s.email, name=s.name",
            "merge into users as t using (select 7 id, 'seven@new.org' email, 'Sev' name) as s on (t.id=s.id) when not"
                    + " matched then insert (id, email, name) values (s.id, s.email, s.name) when matched then update set"
                    + " email=s.email, name=s.name",
            // the optional-table form: a row whose values are all NULL is deleted
            "merge into users as t using (select 2 id, cast(null as text) email) as s on (t.id=s.id) when not matched then"
                    + " insert (email, id) values (s.email, s.id) when matched and s.email is null then delete when matched"
                    + " then update set email=s.email",
            USING + "WHEN MATCHED THEN UPDATE SET name = v.n WHEN NOT MATCHED THEN INSERT (id, email) VALUES (v.id, v.n || '@x')",
            USING + "WHEN MATCHED AND v.n IS NULL THEN DELETE WHEN MATCHED THEN UPDATE SET email = v.n || '@x', name = 'Z'"
                    + " WHEN NOT MATCHED THEN INSERT (id, name) VALUES (v.id, v.n)",
            USING + "WHEN MATCHED AND v.id = 3 THEN UPDATE SET email = upper(v.n) WHEN MATCHED THEN UPDATE SET email ="
                    + " upper(v.n) WHEN NOT MATCHED THEN INSERT (id, email) VALUES (v.id, DEFAULT)",
            "MERGE INTO users USING (VALUES (2, 'B')) v(id, n) ON users.id = v.id WHEN MATCHED THEN UPDATE SET email = v.n",
            // CASE … WHEN inside an action is not a WHEN clause; quoted names; a value cast on the way
            "MERGE INTO public.\"users\" AS \"T\" USING (VALUES (1, NULL), (2, 'b')) v(id, n) ON \"T\".id = v.id WHEN MATCHED"
                    + " THEN UPDATE SET \"email\" = CASE WHEN v.n IS NULL THEN NULL ELSE v.n || '@case' END, name = 'c'",
            USING + "WHEN MATCHED THEN UPDATE SET email = 42 WHEN NOT MATCHED THEN INSERT (id, email) OVERRIDING SYSTEM"
                    + " VALUE VALUES (v.id, NULL)",
            // PostgreSQL 17's NOT MATCHED BY SOURCE: rows of the target no source row matches (users 2)
            USING + "WHEN MATCHED THEN UPDATE SET email = 'seen@x' WHEN NOT MATCHED BY SOURCE THEN UPDATE SET email ="
                    + " 'seen@x' WHEN NOT MATCHED THEN DO NOTHING",
            USING + "WHEN MATCHED AND v.n IS NOT NULL THEN UPDATE SET email = v.n WHEN NOT MATCHED BY SOURCE THEN DELETE",
            // the same target row twice: 21000 on both
            "MERGE INTO users u USING (VALUES (1, 'a'), (1, 'b')) v(id, n) ON u.id = v.id WHEN MATCHED THEN UPDATE SET"
                    + " email = v.n");
    /** They read the column, give it a value RETURNING cannot tell apart, or a row form: refused unless it is written. */
    private static final List<String> COLUMN_WRITES = List.of(
            USING + "WHEN MATCHED AND v.n IS NULL THEN DELETE WHEN MATCHED THEN UPDATE SET (name, email) = (v.n, NULL)"
                    + " WHEN NOT MATCHED THEN INSERT (id, email) VALUES (v.id, lower(v.n) || '@example.com')",
            USING + "WHEN NOT MATCHED THEN INSERT VALUES (v.id, v.n, v.n || '@x')",
            "MERGE INTO users USING (VALUES (2)) v(id) ON users.id = v.id AND users.email LIKE 'bob%'"
                    + " WHEN MATCHED THEN UPDATE SET email = upper(users.email)",
            USING + "WHEN MATCHED AND v.n IS NULL THEN DELETE WHEN MATCHED THEN UPDATE SET email = v.n || '@x'"
                    + " WHEN NOT MATCHED THEN INSERT (id, name) VALUES (v.id, v.n) RETURNING merge_action(), u.id, u.email",
            USING + "WHEN MATCHED AND v.id = 3 THEN UPDATE SET email = 'three@x' WHEN MATCHED THEN UPDATE SET name = v.n",
            USING + "WHEN MATCHED THEN UPDATE SET email = u.name",
            USING + "WHEN NOT MATCHED THEN INSERT (id, email) VALUES (v.id, v.n) WHEN MATCHED THEN UPDATE SET email = v.n || name",
            USING + "WHEN MATCHED THEN UPDATE SET email = v.n WHEN NOT MATCHED BY SOURCE THEN UPDATE SET name = 'gone'",
            "MERGE INTO users email USING (VALUES (1, 'x')) v(id, n) ON email.id = v.id WHEN MATCHED THEN UPDATE SET name = v.n");

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
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void aMergeGivingTheColumnValuesFromItsSourceRunsInEveryPhaseOnSeventeen(Phase phase, TestDatabase db)
            throws Exception {
        int version = version(db);
        assumeTrue(version >= 15, "MERGE exists from PostgreSQL 15");
        assertThat(run(phase, db, "", TRANSLATED_COLUMN_WRITES, sql -> !phase.writesOld()))
                .isEqualTo(version >= 17 ? 0 : TRANSLATED_COLUMN_WRITES.size());
    }

    /**
     * Hibernate's upsert as it sends it, a PreparedStatement, on both twins; and a MERGE whose translation moves a
     * parameter (the INSERT's value of the column goes to RETURNING, after the UPDATE's): bound in the application's order.
     */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void preparedMergesBindTheirParametersAsTheApplicationOrdered(Phase phase, TestDatabase db) throws Exception {
        assumeTrue(version(db) >= 17, "MERGE has RETURNING from PostgreSQL 17");
        String upsert = "merge into users as t using (select cast(? as bigint) id, cast(? as text) email, cast(? as text)"
                + " name) as s on (t.id=s.id) when not matched then insert (id, email, name) values (s.id,s.email,s.name)"
                + " when matched then update set email=s.email,name=s.name";
        String moved = USING + "WHEN NOT MATCHED THEN INSERT (id, email, name) VALUES (v.id, ?, v.n)"
                + " WHEN MATCHED THEN UPDATE SET name = ?";
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            plainDb.execute(FIXTURE.formatted(""));
            db.execute(FIXTURE.formatted(""));
            MigrationFixture.registerIn(db, phase);
            try (TwinRun twins = TwinRun.usersAndEmails("MergeTwinTest prepared " + phase, plainDb, db,
                    "SELECT id, name FROM users ORDER BY id")) {
                twins.compare("upsert of a row that exists", upsert, List.of(2L, "bob@new.org", "Bobby"), true);
                twins.compare("upsert of a new row", upsert, List.of(8L, "eight@new.org", "Eight"), true);
                twins.compare("upsert to NULL", upsert, Arrays.asList(1L, null, "Ann"), true);
                twins.compare("a moved parameter", moved, List.of("nine@new.org", "Renamed"), true);
                twins.report();
                assertThat(twins.translated()).isEqualTo(4);
            }
            // a JDBC batch of the upsert: the same per-entry counts and rows
            List<List<Object>> entries = List.of(List.of(1L, "a@batch.org", "A"), List.of(20L, "t@batch.org", "T"),
                    Arrays.asList(3L, null, "C"));
            assertThat(batch(db.connectDualwrite(), upsert, entries, CorpusContractedTest.DUAL_EMAILS))
                    .isEqualTo(batch(plainDb.connect(), upsert, entries, CorpusContractedTest.PLAIN_EMAILS))
                    .startsWith("[1, 1, 1]");
        }
    }

    /** The batch's counts, then {@code users} and the addresses ({@code emails}: the twin's query of them). */
    private static String batch(Connection c, String sql, List<List<Object>> entries, String emails) throws Exception {
        try (c; PreparedStatement p = c.prepareStatement(sql)) {
            for (List<Object> entry : entries) {
                MigrationFixture.bind(p, entry);
                p.addBatch();
            }
            return Arrays.toString(p.executeBatch()) + " " + MigrationFixture.rows(c, "SELECT id, name FROM users ORDER BY id")
                    + " " + MigrationFixture.rows(c, emails);
        }
    }

    /**
     * An UPDATE action assigning the key ({@code KeptKey}): giving each row the key it has, it runs as on plain PgJDBC
     * (on 17 a record written back whole, the column with it); changing one, the database's guard refuses it; in a
     * row-form SET, the driver does.
     */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "CONTRACTED"})
    void aMergeAssigningTheKeyRunsWhereItKeepsTheKey(Phase phase, TestDatabase db) throws Exception {
        int version = version(db);
        assumeTrue(version >= 15, "MERGE exists from PostgreSQL 15");
        List<String> statements = new java.util.ArrayList<>(List.of(USING + "WHEN MATCHED THEN UPDATE SET id = v.id, name = v.n",
                USING + "WHEN MATCHED THEN UPDATE SET id = v.id + 100", USING + "WHEN MATCHED THEN UPDATE SET (id, name) = (v.id, v.n)"));
        if (version >= 17) {
            statements.add(USING + "WHEN MATCHED THEN UPDATE SET id = u.id, name = v.n, email = v.n || '@x' WHEN NOT MATCHED"
                    + " THEN INSERT (id, name, email) VALUES (v.id, v.n, v.n || '@x')");
        }
        assertThat(run(phase, db, "", statements, sql -> true)).as("the key changed, the row-form SET").isEqualTo(2);
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
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            plainDb.execute(FIXTURE.formatted(""));
            db.execute(FIXTURE.formatted(""));
            MigrationFixture.registerIn(db, phase);
            String plain = MigrationFixture.generatedKeys(plainDb.connect(), sql, List.of());
            String dual = MigrationFixture.generatedKeys(db.connectDualwrite(), sql, List.of());
            if (phase.writesOld()) {
                assertThat(dual).isEqualTo(plain).contains("email");
            } else {
                assertThat(dual).startsWith("0A000");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "CONTRACTED"})
    void anInsertLeavingTheColumnToItsDefaultIsSyncedOnSeventeenAndRefusedBefore(Phase phase, TestDatabase db) throws Exception {
        int version = version(db);
        assumeTrue(version >= 15, "MERGE exists from PostgreSQL 15");
        boolean synced = version >= 17;
        assertThat(run(phase, db, " DEFAULT 'none@example.com'", List.of(UPDATE_AND_INSERT,
                USING + "WHEN MATCHED THEN UPDATE SET name = v.n"))).isEqualTo(synced ? 0 : 1);
    }

    /** The statements on fresh twins; how many were refused. */
    private static int run(Phase phase, TestDatabase db, String emailDefault, List<String> statements) throws Exception {
        return run(phase, db, emailDefault, statements, sql -> false);
    }

    /** {@code translated}: which statements the plan translates, for the report. */
    private static int run(Phase phase, TestDatabase db, String emailDefault, List<String> statements,
                           Predicate<String> translated) throws Exception {
        return TwinRun.refusedOnTwins("MergeTwinTest " + phase, FIXTURE.formatted(emailDefault), phase, db,
                "SELECT id, name FROM users ORDER BY id", statements, translated);
    }

    private static int version(TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            return c.getMetaData().getDatabaseMajorVersion();
        }
    }
}
