package io.dualwrite.rewriter.rewrite;

import static io.dualwrite.rewriter.rewrite.Fixtures.UPSERT_TAIL;
import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A write that assigns the key ({@link KeptKey}): its value guarded wherever the new table follows the key. */
class KeptKeyTest {

    private static final String ARGUMENTS = ", '\"public\".\"users\"'::pg_catalog.regclass, 'id')";

    private final StatementRewriter rewriter = Fixtures.rewriter();

    private static String kept(String row, String value) {
        return "\"dualwrite\".kept_key(" + row + ", " + value + ARGUMENTS;
    }

    /** jOOQ's {@code executeUpdate(record)}: every phase that syncs sends the guarded form, EXPANDED the statement as written. */
    @Test
    void aWholeRecordWrittenBackIsDualWrittenWithItsKeyGuarded() {
        String app = "update \"users\" set \"id\" = ?, \"name\" = ?, \"email\" = ? where \"users\".\"id\" = ?";
        String guarded = "update \"users\" set \"id\" = " + kept("\"users\".\"id\"", "?")
                + ", \"name\" = ?, \"email\" = ? where \"users\".\"id\" = ?";
        RewritePlan plan = rewriter.plan(app);
        assertThat(plan.forPhase(Phase.EXPANDED)).isSameAs(Rewrite.PASS_THROUGH);
        Rewrite dualWrite = new Rewrite.Rewritten("WITH \"dw$w\" AS (" + guarded + " RETURNING \"users\".\"id\" AS \"dw$k\","
                + " \"users\".\"email\" AS \"dw$v\"" + UPSERT_TAIL, Rewrite.Kind.DUAL_WRITE);
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isEqualTo(dualWrite);
        assertThat(plan.forPhase(Phase.READ_NEW)).isEqualTo(dualWrite);
        for (Phase phase : new Phase[] {Phase.NEW_ONLY, Phase.CONTRACTED}) {
            assertThat(plan.forPhase(phase)).isInstanceOfSatisfying(Rewrite.Rewritten.class, w -> {
                assertThat(w.sql()).contains("update \"users\" set \"id\" = " + kept("\"users\".\"id\"", "?") + ", \"name\" = ?"
                        + " where").doesNotContain("\"email\" = ?");
                assertThat(w.parameterSources()).containsExactly(1, 2, 4, 3);
            });
            assertThat(plan.forPhaseReturning(phase, "*")).isInstanceOfSatisfying(Rewrite.Rewritten.class,
                    w -> assertThat(w.sql()).contains(kept("\"users\".\"id\"", "?")));
        }
        assertThat(plan.forPhaseReturning(Phase.DUAL_WRITE, "*")).isInstanceOfSatisfying(Rewrite.Rewritten.class,
                w -> assertThat(w.sql()).contains(kept("\"users\".\"id\"", "?")));
    }

    /** One that leaves the column alone would pass through: it is still sent guarded wherever the key is followed. */
    @Test
    void aWriteOfOtherColumnsIsSentGuarded() {
        RewritePlan plan = rewriter.plan("UPDATE users u SET id = ?, name = ? FROM orders o WHERE o.user_id = u.id");
        Rewrite guarded = new Rewrite.Rewritten("UPDATE users u SET id = " + kept("u.\"id\"", "?")
                + ", name = ? FROM orders o WHERE o.user_id = u.id", Rewrite.Kind.DUAL_WRITE);
        assertThat(plan.forPhase(Phase.EXPANDED)).isSameAs(Rewrite.PASS_THROUGH);
        for (Phase phase : new Phase[] {Phase.DUAL_WRITE, Phase.READ_NEW, Phase.NEW_ONLY, Phase.CONTRACTED}) {
            assertThat(plan.forPhase(phase)).as("%s", phase).isEqualTo(guarded);
        }
        // generated keys: PgJDBC appends RETURNING to the guarded form while the column exists, the translation after
        assertThat(plan.forPhaseReturning(Phase.DUAL_WRITE, "*")).isEqualTo(guarded);
        assertThat(plan.forPhaseReturning(Phase.CONTRACTED, "*")).isInstanceOfSatisfying(Rewrite.Rewritten.class,
                w -> assertThat(w.sql()).startsWith(((Rewrite.Rewritten) guarded).sql() + " RETURNING u.\"id\""));
    }

    /** Generated keys of every shape keep the guard: where the plan would let PgJDBC append RETURNING, to the guarded form. */
    @ParameterizedTest
    @ValueSource(strings = {"UPDATE users SET id = ?, name = ? WHERE email = ?", "UPDATE users SET id = ?, name = ? WHERE id = ?",
        "UPDATE users SET name = users.from, id = ? WHERE id = ?"})
    void generatedKeysKeepTheGuard(String sql) {
        RewritePlan plan = rewriter.plan(sql);
        for (Phase phase : new Phase[] {Phase.DUAL_WRITE, Phase.READ_NEW, Phase.NEW_ONLY, Phase.CONTRACTED}) {
            for (String list : new String[] {"*", "\"id\"", "\"name\""}) {
                assertThat(plan.forPhaseReturning(phase, list)).as("%s, %s", phase, list)
                        .isInstanceOfSatisfying(Rewrite.Rewritten.class, w -> assertThat(w.sql()).contains(kept("users.\"id\"", "?")));
            }
        }
        assertThat(plan.forPhaseReturning(Phase.EXPANDED, "*")).isSameAs(Rewrite.PASS_THROUGH);
    }

    @Test
    void anUpsertsDoUpdateGuardsTheExistingRowsKey() {
        String guarded = "INSERT INTO users (id, name, email) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET id = "
                + kept("users.\"id\"", "EXCLUDED.id") + ", name = EXCLUDED.name";
        assertThat(rewriter.plan("INSERT INTO users (id, name, email) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                + " id = EXCLUDED.id, name = EXCLUDED.name").forPhase(Phase.DUAL_WRITE))
                .isEqualTo(new Rewrite.Rewritten("WITH \"dw$w\" AS (" + guarded + " RETURNING \"id\" AS \"dw$k\","
                        + " \"email\" AS \"dw$v\"" + UPSERT_TAIL, Rewrite.Kind.DUAL_WRITE));
        assertThat(rewriter.plan("INSERT INTO public.users AS t (id, name) VALUES (1, 'n') ON CONFLICT (id) DO UPDATE SET"
                + " \"ID\" = 2, id = (SELECT 1 + 1)").forPhase(Phase.NEW_ONLY)).isInstanceOfSatisfying(Rewrite.Rewritten.class,
                w -> assertThat(w.sql()).contains("SET \"ID\" = 2, id = " + kept("t.\"id\"", "(SELECT 1 + 1)")));
    }

    /** Where the value cannot be wrapped, or the statement is not a write of its own, the assignment stays refused. */
    @ParameterizedTest
    @ValueSource(strings = {
        "UPDATE users SET (id, name) = (?, ?) WHERE id = ?",
        "UPDATE users SET (id) = ROW(1)",
        "UPDATE users SET id = DEFAULT WHERE id = 1",
        "UPDATE users SET id[1] = 2",
        "UPDATE users SET id = 1, id = 1",
        "INSERT INTO users (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET (id, name) = (EXCLUDED.id, 'x')",
        "WITH s AS (SELECT 1 AS id) UPDATE users SET (id, name) = (s.id, 'x') FROM s WHERE users.id = s.id",
    })
    void otherAssignmentsOfTheKeyStayRefused(String sql) {
        RewritePlan plan = rewriter.plan(sql);
        assertThat(plan.forPhase(Phase.EXPANDED)).isSameAs(Rewrite.PASS_THROUGH);
        for (Phase phase : new Phase[] {Phase.DUAL_WRITE, Phase.READ_NEW, Phase.NEW_ONLY, Phase.CONTRACTED}) {
            assertThat(plan.forPhase(phase)).as("%s", phase).isInstanceOfSatisfying(Rewrite.Rejected.class,
                    r -> assertThat(r.reason()).contains("sets the key column", "driver does not check"));
        }
    }

    /** The main statement after the application's WITH list is guarded in place, the WITH list kept as written. */
    @Test
    void theMainStatementAfterAWithList() {
        RewritePlan plan = rewriter.plan("WITH s AS (SELECT 1 AS id) UPDATE users SET id = s.id FROM s WHERE users.id = s.id");
        String guarded = "WITH s AS (SELECT 1 AS id) UPDATE users SET id = " + kept("users.\"id\"", "s.id")
                + " FROM s WHERE users.id = s.id";
        assertThat(plan.forPhase(Phase.EXPANDED)).isSameAs(Rewrite.PASS_THROUGH);
        for (Phase phase : new Phase[] {Phase.DUAL_WRITE, Phase.READ_NEW, Phase.NEW_ONLY, Phase.CONTRACTED}) {
            assertThat(plan.forPhase(phase)).as("%s", phase).isEqualTo(new Rewrite.Rewritten(guarded, Rewrite.Kind.DUAL_WRITE));
        }
        assertThat(rewriter.plan("WITH s AS (SELECT 1 AS id) UPDATE users SET id = s.id, email = 'e' FROM s WHERE users.id = s.id")
                .forPhase(Phase.CONTRACTED)).isInstanceOfSatisfying(Rewrite.Rewritten.class, w -> assertThat(w.sql())
                .startsWith("WITH s AS (SELECT 1 AS id), \"dw$w\" AS (UPDATE users SET id = " + kept("users.\"id\"", "s.id")));
    }

    /** A guarded statement refused for another reason quotes the statement as written, without the guard. */
    @Test
    void aRefusalQuotesTheStatementAsWritten() {
        String sql = "UPDATE users u SET id = 1, name = 'x' FROM orders o WHERE email = 'x' AND o.user_id = u.id";
        assertThat(rewriter.plan(sql).forPhase(Phase.CONTRACTED)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                r -> assertThat(r.reason()).contains("unqualified \"email\"").endsWith("Statement: " + sql));
        String with = "WITH s AS (SELECT 1) " + sql;
        assertThat(rewriter.plan(with).forPhase(Phase.CONTRACTED)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                r -> assertThat(r.reason()).endsWith("Statement: " + with));
    }

    /** Several statements in one string: each is planned alone, so the guard is spliced in place. */
    @Test
    void aGuardedStatementAmongOthers() {
        RewritePlan plan = rewriter.plan("UPDATE users SET id = 7 WHERE id = 7; SELECT 1");
        assertThat(plan.forPhase(Phase.CONTRACTED)).isEqualTo(new Rewrite.Rewritten("UPDATE users SET id = "
                + kept("users.\"id\"", "7") + " WHERE id = 7; SELECT 1", Rewrite.Kind.DUAL_WRITE));
    }
}
