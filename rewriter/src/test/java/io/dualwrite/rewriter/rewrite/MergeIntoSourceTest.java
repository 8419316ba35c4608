package io.dualwrite.rewriter.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.RelationName;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import io.dualwrite.rewriter.SourceTable;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A MERGE into the migrated table passes through where nothing it does needs a sync, judged per action as the UPDATE,
 * INSERT or DELETE written alone; on PostgreSQL 17 and later a MERGE that needs one feeds it from its RETURNING while the
 * old column is written; elsewhere it is refused with the reason ({@link MergeIntoSource}).
 */
class MergeIntoSourceTest {

    private static final List<String> COLUMNS = List.of("id", "name", "email", "created_at");
    private static final String USING = "MERGE INTO users u USING (VALUES (?::bigint, ?::text)) v(id, n) ON u.id = v.id ";

    private final StatementRewriter plain = Fixtures.rewriter();

    private static StatementRewriter rewriter(String valueDefault, boolean storedMayDiffer, boolean deletesFollowed) {
        return new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL, COLUMNS, "text", valueDefault, false,
                true, storedMayDiffer, null, List.of(), null, null, null,
                deletesFollowed)));
    }

    /** What each phase group gets: DUAL_WRITE and READ_NEW alike, NEW_ONLY and CONTRACTED alike, EXPANDED passes. */
    private static void assertPhases(StatementRewriter rewriter, String sql, boolean passesWhileWritten,
                                     boolean passesOnceNotWritten, String... reasonParts) {
        RewritePlan plan = rewriter.plan(sql);
        assertThat(plan.forPhase(Phase.EXPANDED)).isSameAs(Rewrite.PASS_THROUGH);
        for (Phase p : new Phase[] {Phase.DUAL_WRITE, Phase.READ_NEW, Phase.NEW_ONLY, Phase.CONTRACTED}) {
            boolean passes = p.writesOld() ? passesWhileWritten : passesOnceNotWritten;
            if (passes) {
                assertThat(plan.forPhase(p)).as(p + ": " + sql).isSameAs(Rewrite.PASS_THROUGH);
            } else {
                assertThat(plan.forPhase(p)).as(p + ": " + sql).isInstanceOfSatisfying(Rewrite.Rejected.class,
                        r -> assertThat(r.reason()).contains("a MERGE into the migrated table").contains(reasonParts));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        USING + "WHEN MATCHED THEN UPDATE SET name = v.n",
        USING + "WHEN MATCHED AND u.name <> v.n THEN UPDATE SET name = CASE WHEN v.n = '' THEN NULL ELSE v.n END,"
                + " created_at = now() WHEN MATCHED THEN DO NOTHING",
        "MERGE INTO public.users USING (VALUES (1, 'a')) v(id, n) ON users.id = v.id WHEN MATCHED THEN UPDATE SET"
                + " (name, created_at) = (v.n, now())",
        USING + "WHEN NOT MATCHED THEN INSERT (id, name) VALUES (v.id, v.n)",
        USING + "WHEN NOT MATCHED THEN INSERT DEFAULT VALUES",
    })
    void updatesOfOtherColumnsAndInsertsLeavingTheColumnNullPassThroughInEveryPhase(String sql) {
        assertPhases(plain, sql, true, true);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        USING + "WHEN MATCHED THEN UPDATE SET email = v.n",
        USING + "WHEN MATCHED THEN UPDATE SET (name, email) = (v.n, v.n)",
        USING + "WHEN NOT MATCHED THEN INSERT (id, email) VALUES (v.id, v.n)",
        USING + "WHEN MATCHED AND u.email IS NULL THEN UPDATE SET name = v.n",
        "MERGE INTO users u USING (SELECT * FROM staging) v ON u.id = v.id WHEN MATCHED THEN UPDATE SET name = v.n",
    })
    void aMergeNamingTheColumnIsRefusedFromDualWriteOn(String sql) {
        assertPhases(plain, sql, false, false, "names the migrated column");
    }

    @Test
    void aMergeThatWritesTheColumnUnnamedIsRefusedFromDualWriteOn() {
        assertPhases(plain, USING + "WHEN NOT MATCHED THEN INSERT VALUES (v.id, v.n)", false, false, "by position");
        assertPhases(plain, USING + "WHEN MATCHED THEN UPDATE SET name = v.n WHEN MATCHED THEN UPDATE SET (id, name) = (7, v.n)",
                false, false, "assigns the key column");
        assertPhases(plain, USING + "WHEN MATCHED THEN UPDATE SET name = row_to_json(u)::text", false, false,
                "whole rows (u)");
        assertPhases(plain, "MERGE INTO users USING users s ON users.id = s.id + 1 WHEN MATCHED THEN UPDATE SET name = s.name",
                false, false, "reads the table again");
    }

    @Test
    void aDeleteActionPassesOnlyOnceTriggersFollowDeletes() {
        String sql = USING + "WHEN MATCHED AND v.n IS NULL THEN DELETE WHEN MATCHED THEN UPDATE SET name = v.n";
        assertPhases(plain, sql, false, false, "deletes rows");
        assertPhases(rewriter(null, false, true), sql, false, true, "deletes rows");
    }

    @Test
    void anInsertActionIsRefusedWhileTheColumnHasADefaultAndAnUpdateWhileATriggerMayStoreIt() {
        String insert = USING + "WHEN NOT MATCHED THEN INSERT (id, name) VALUES (v.id, v.n)";
        assertPhases(rewriter("'none'::text", false, true), insert, false, false, "default");
        // a BEFORE trigger writes the old column, which NEW_ONLY no longer reads (and CONTRACTED no longer has)
        assertPhases(rewriter(null, true, true), insert, false, true, "trigger");
        assertPhases(rewriter(null, true, true), USING + "WHEN MATCHED THEN UPDATE SET name = v.n", false, true, "trigger");
    }

    @Test
    void onSeventeenAMergeThatNeedsASyncFeedsItFromItsReturningWhileTheOldColumnIsWritten() {
        StatementRewriter seventeen = new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL, COLUMNS, "text",
                null, false, true, false, null, List.of(), null, null, null, false, null, null, null, true)));
        String sql = USING + "WHEN MATCHED AND v.n IS NULL THEN DELETE WHEN MATCHED THEN UPDATE SET email = v.n"
                + " WHEN NOT MATCHED THEN INSERT VALUES (v.id, v.n, v.n)";
        RewritePlan plan = seventeen.plan(sql);
        String hidden = "u.\"id\" AS \"dw$k\", CASE WHEN merge_action() = 'DELETE' THEN NULL ELSE u.\"email\" END AS \"dw$v\"";
        Rewrite.Rewritten expected = new Rewrite.Rewritten("WITH \"dw$w\" AS (" + sql + " RETURNING " + hidden
                + Fixtures.UPSERT_TAIL, Rewrite.Kind.DUAL_WRITE);
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isEqualTo(expected);
        assertThat(plan.forPhase(Phase.READ_NEW)).isEqualTo(expected);
        assertThat(plan.forPhase(Phase.CONTRACTED)).isInstanceOf(Rewrite.Rejected.class);
        // where no action needs one, as written
        assertThat(seventeen.plan(USING + "WHEN MATCHED THEN UPDATE SET name = v.n").forPhase(Phase.DUAL_WRITE))
                .isSameAs(Rewrite.PASS_THROUGH);
        // its own RETURNING list, and generated keys, with the sync's two hidden columns after it
        assertThat(seventeen.plan(sql + " RETURNING u.id").forPhase(Phase.DUAL_WRITE)).isEqualTo(new Rewrite.Rewritten(
                "WITH \"dw$w\" AS (" + sql + " RETURNING u.id, " + hidden + "), \"dw$s\" AS (" + Fixtures.VIEW
                        + " SELECT \"dw$k\", \"dw$v\", false FROM \"dw$w\"" + Fixtures.RLS_GUARD + ") SELECT * FROM \"dw$w\"",
                Rewrite.Kind.DUAL_WRITE_RETURNING, 2));
        assertThat(plan.forPhaseReturning(Phase.DUAL_WRITE, "*")).isEqualTo(seventeen.plan(sql + " RETURNING *")
                .forPhase(Phase.DUAL_WRITE));
        // after the contract PgJDBC's RETURNING * would return the column, which the table no longer has
        assertThat(seventeen.plan(USING + "WHEN MATCHED THEN UPDATE SET name = v.n").forPhaseReturning(Phase.CONTRACTED, "*"))
                .isInstanceOf(Rewrite.Rejected.class);
        // the key: its value guarded (KeptKey) in each UPDATE action assigning it, also where nothing else needs a rewrite
        String guard = "\"dualwrite\".kept_key(u.\"id\", 3, '\"public\".\"users\"'::pg_catalog.regclass, 'id')";
        for (Phase phase : new Phase[] {Phase.DUAL_WRITE, Phase.CONTRACTED}) {
            assertThat(seventeen.plan(USING + "WHEN MATCHED AND v.n IS NULL THEN UPDATE SET id = 3 WHEN MATCHED THEN UPDATE"
                    + " SET name = v.n, id = 3").forPhase(phase)).isEqualTo(new Rewrite.Rewritten(USING + "WHEN MATCHED AND"
                    + " v.n IS NULL THEN UPDATE SET id = " + guard + " WHEN MATCHED THEN UPDATE SET name = v.n, id = " + guard,
                    Rewrite.Kind.DUAL_WRITE));
        }
        assertThat(seventeen.plan(USING + "WHEN MATCHED THEN UPDATE SET (id) = ROW(3)").forPhase(Phase.DUAL_WRITE))
                .isInstanceOfSatisfying(Rewrite.Rejected.class, r -> assertThat(r.reason()).contains("key column"));
    }

    /**
     * Once the old column is not written (17 and later): the column leaves the SET and INSERT lists and RETURNING gives
     * the sync each row's value by {@code merge_action()}, a moved parameter bound by the map; the same in NEW_ONLY and
     * CONTRACTED. Refused where RETURNING cannot compute what the action did ({@link MergeTranslator}).
     */
    @Test
    void onSeventeenAMergeGivingTheColumnValuesOfItsSourceIsTranslatedOnceTheOldColumnIsNotWritten() {
        StatementRewriter seventeen = new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL, COLUMNS, "text",
                null, false, true, false, null, List.of(), null, null, null, false, null, null, null, true)));
        String sql = USING + "WHEN NOT MATCHED THEN INSERT (id, email, name) VALUES (v.id, ?, v.n)"
                + " WHEN MATCHED AND v.n IS NULL THEN DELETE WHEN MATCHED THEN UPDATE SET email = lower(v.n), name = ?";
        RewritePlan plan = seventeen.plan(sql);
        String translatedView = "INSERT INTO \"dualwrite\".\"translated_sync_users_email\" (k, v, deleted)";
        Rewrite.Rewritten expected = new Rewrite.Rewritten("WITH \"dw$w\" AS (" + USING + "WHEN NOT MATCHED THEN INSERT"
                + " (id, name) VALUES (v.id, v.n) WHEN MATCHED AND v.n IS NULL THEN DELETE WHEN MATCHED THEN UPDATE SET"
                + " name = ? RETURNING u.\"id\" AS \"dw$k\", CASE merge_action() WHEN 'UPDATE' THEN CAST((lower(v.n)) AS"
                + " text) WHEN 'INSERT' THEN CAST((?) AS text) END AS \"dw$v\") " + translatedView + " SELECT \"dw$k\","
                + " \"dw$v\", false FROM \"dw$w\"" + Fixtures.RLS_GUARD, Rewrite.Kind.DUAL_WRITE, 0, new int[] {1, 2, 4, 3});
        assertThat(plan.forPhase(Phase.NEW_ONLY)).isEqualTo(expected);
        assertThat(plan.forPhase(Phase.CONTRACTED)).isEqualTo(expected);
        assertThat(plan.forPhaseReturning(Phase.CONTRACTED, "*")).isInstanceOfSatisfying(Rewrite.Rejected.class,
                r -> assertThat(r.reason()).contains("generated keys"));
        // an UPDATE action that leaves the column alone gives the sync the stored value, read with a lock
        assertThat(seventeen.plan(USING + "WHEN MATCHED THEN UPDATE SET name = v.n WHEN NOT MATCHED THEN INSERT (id, email)"
                + " VALUES (v.id, v.n)").forPhase(Phase.CONTRACTED)).isInstanceOfSatisfying(Rewrite.Rewritten.class,
                r -> assertThat(r.sql()).contains("WHEN 'UPDATE' THEN CAST(((SELECT \"dw$e\".\"address\"")
                        .contains("FOR NO KEY UPDATE)) AS text) WHEN 'INSERT' THEN CAST((v.n) AS text)"));
        for (String[] refused : new String[][] {
            {USING + "WHEN MATCHED AND v.id = 3 THEN UPDATE SET email = 'x' WHEN MATCHED THEN UPDATE SET name = v.n",
                "different values"},
            {USING + "WHEN MATCHED THEN UPDATE SET email = u.name", "reads the target row (u)"},
            {USING + "WHEN MATCHED THEN UPDATE SET email = v.n || name", "reads the target row (name)"},
            {USING + "WHEN MATCHED AND u.email IS NULL THEN UPDATE SET email = v.n", "reads the migrated column (email)"},
            {USING + "WHEN MATCHED THEN UPDATE SET email = v.n RETURNING u.id", "RETURNING"},
            {USING + "WHEN MATCHED THEN UPDATE SET (name, email) = (v.n, v.n)", "row, subfield or subscript"},
            {USING + "WHEN MATCHED THEN UPDATE SET email = 'a', email = 'b'", "assigned twice, 42601"},
            {USING + "WHEN NOT MATCHED THEN INSERT (id, email, email) VALUES (v.id, 'a', 'b')", "names it twice"},
        }) {
            assertThat(seventeen.plan(refused[0]).forPhase(Phase.CONTRACTED)).as(refused[0])
                    .isInstanceOfSatisfying(Rewrite.Rejected.class, r -> assertThat(r.reason()).contains(refused[1]));
        }
    }

    @Test
    void aMergeIntoAViewOverTheTableIsJudgedByItsActions() {
        StatementRewriter views = new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL, COLUMNS, "text", null,
                false, true, false, null, List.of(), null, null, null, false, null, null,
                Set.of(new io.dualwrite.rewriter.SourceView(new RelationName("public", "member_names"), Set.of("uid"))))));
        String into = "MERGE INTO member_names m USING (VALUES (1, 'a')) v(id, n) ON m.uid = v.id ";
        assertThat(views.plan(into + "WHEN MATCHED THEN UPDATE SET name = v.n").forPhase(Phase.DUAL_WRITE))
                .isSameAs(Rewrite.PASS_THROUGH);
        assertThat(views.plan(into + "WHEN MATCHED THEN UPDATE SET uid = v.id + 1").forPhase(Phase.DUAL_WRITE))
                .isInstanceOfSatisfying(Rewrite.Rejected.class, r -> assertThat(r.reason()).contains("assigns uid"));
        assertThat(views.plan(into + "WHEN MATCHED THEN DELETE").forPhase(Phase.DUAL_WRITE))
                .isInstanceOfSatisfying(Rewrite.Rejected.class, r -> assertThat(r.reason()).contains("deleted rows"));
    }
}
