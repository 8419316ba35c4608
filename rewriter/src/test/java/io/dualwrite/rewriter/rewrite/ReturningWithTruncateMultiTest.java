package io.dualwrite.rewriter.rewrite;

import static io.dualwrite.rewriter.rewrite.Fixtures.DELETE_TAIL;
import static io.dualwrite.rewriter.rewrite.Fixtures.UPSERT_TAIL;
import static io.dualwrite.rewriter.rewrite.Fixtures.VIEW;
import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import org.junit.jupiter.api.Test;

/** The forms for RETURNING, generated keys, own WITH clauses, TRUNCATE and several statements per string. */
class ReturningWithTruncateMultiTest {

    private static final String SYNC_UPSERT = "), \"dw$s\" AS (" + VIEW
            + " SELECT \"dw$k\", \"dw$v\", false FROM \"dw$w\"" + Fixtures.RLS_GUARD + ") SELECT * FROM \"dw$w\"";
    private static final String SYNC_DELETE = "), \"dw$s\" AS (" + VIEW
            + " SELECT \"dw$k\", NULL, true FROM \"dw$w\"" + Fixtures.RLS_GUARD + ") SELECT * FROM \"dw$w\"";

    private final StatementRewriter rewriter = Fixtures.rewriter();

    private void assertBoth(String sql, Rewrite expected) {
        RewritePlan plan = rewriter.plan(sql);
        assertThat(plan.forPhase(Phase.EXPANDED)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isEqualTo(expected);
        assertThat(plan.forPhase(Phase.READ_NEW)).isEqualTo(expected);
    }

    private static Rewrite returning(String sql) {
        return new Rewrite.Rewritten(sql, Rewrite.Kind.DUAL_WRITE_RETURNING, 2);
    }

    private static Rewrite dual(String sql) {
        return new Rewrite.Rewritten(sql, Rewrite.Kind.DUAL_WRITE);
    }

    @Test
    void twoArgConstructorMeansNoHiddenColumns() {
        assertThat(new Rewrite.Rewritten("x", Rewrite.Kind.DUAL_WRITE).hiddenColumns()).isZero();
    }

    @Test
    void insertReturningKeepsTheAppsListVerbatim() {
        String app = "INSERT INTO users (id, email) VALUES (?, ?) RETURNING id, lower(email) AS e, *";
        assertBoth(app + " ; ", returning("WITH \"dw$w\" AS (" + app
                + ", \"id\" AS \"dw$k\", \"email\" AS \"dw$v\"" + SYNC_UPSERT));
        // a comment after the semicolon is an empty query of its own to PgJDBC: kept
        assertBoth(app + " ; -- x", returning("WITH \"dw$w\" AS (" + app
                + ", \"id\" AS \"dw$k\", \"email\" AS \"dw$v\"" + SYNC_UPSERT + " ; -- x"));
    }

    @Test
    void insertWithAliasOnConflictReturning() {
        String app = "INSERT INTO users AS u (id, email) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email"
                + " RETURNING u.id";
        assertBoth(app, returning("WITH \"dw$w\" AS (" + app + ", u.\"id\" AS \"dw$k\", u.\"email\" AS \"dw$v\""
                + SYNC_UPSERT));
    }

    @Test
    void updateReturningWithAlias() {
        String app = "UPDATE users u SET email = ? WHERE u.id = ? RETURNING u.id, u.email";
        RewritePlan plan = rewriter.plan(app);
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isEqualTo(returning("WITH \"dw$w\" AS (" + app
                + ", u.\"id\" AS \"dw$k\", u.\"email\" AS \"dw$v\"" + SYNC_UPSERT));
        // READ_NEW returns what the write leaves in the old column, spelled as a reference of the read rewrite's
        assertThat(plan.forPhase(Phase.READ_NEW)).isEqualTo(returning("WITH \"dw$w\" AS (" + app.replace("u.email",
                "u.\"email\" AS \"email\"") + ", u.\"id\" AS \"dw$k\", u.\"email\" AS \"dw$v\"" + SYNC_UPSERT));
    }

    @Test
    void deleteReturning() {
        String app = "DELETE FROM public.users WHERE id = ? RETURNING *";
        RewritePlan plan = rewriter.plan(app);
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isEqualTo(returning("WITH \"dw$w\" AS (" + app
                + ", public.users.\"id\" AS \"dw$k\", NULL AS \"dw$v\"" + SYNC_DELETE));
        // READ_NEW returns the column as the new table has it (it may be ahead of the old one: NewSchemaTranslator)
        assertThat(plan.forPhase(Phase.READ_NEW)).isEqualTo(returning("WITH \"dw$w\" AS (" + app.replace("*",
                "public.users.\"id\", public.users.\"name\", " + Fixtures.newEmail("public.users") + " AS \"email\","
                        + " public.users.\"created_at\"") + ", public.users.\"id\" AS \"dw$k\", NULL AS \"dw$v\"" + SYNC_DELETE));
    }

    @Test
    void updateReturningThatDoesNotAssignEmailPassesThroughWhileReadingOld() {
        RewritePlan plan = rewriter.plan("UPDATE users SET name = ? WHERE id = ? RETURNING email");
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(plan.forPhase(Phase.READ_NEW)).isEqualTo(new Rewrite.Rewritten("UPDATE users SET name = ? WHERE id = ?"
                + " RETURNING " + Fixtures.newEmail("users") + " AS \"email\"", Rewrite.Kind.DUAL_WRITE_RETURNING));
        assertThat(plan.forPhase(Phase.CONTRACTED)).isInstanceOf(Rewrite.Rewritten.class);
    }

    @Test
    void generatedKeysForm() {
        String app = "INSERT INTO users (id, email) VALUES (?, ?)";
        RewritePlan plan = rewriter.plan(app);
        Rewrite expected = returning("WITH \"dw$w\" AS (" + app + " RETURNING *, \"id\" AS \"dw$k\", \"email\" AS \"dw$v\""
                + SYNC_UPSERT);
        assertThat(plan.forPhaseReturning(Phase.DUAL_WRITE, "*")).isEqualTo(expected);
        assertThat(plan.forPhaseReturning(Phase.DUAL_WRITE, "*")).isSameAs(plan.forPhaseReturning(Phase.DUAL_WRITE, "*"));
        assertThat(plan.forPhaseReturning(Phase.READ_NEW, "*")).isEqualTo(expected);
        assertThat(plan.forPhaseReturning(Phase.EXPANDED, "*")).isSameAs(Rewrite.PASS_THROUGH);
        // the fixture records no column type, which the translation of an INSERT giving email a value needs
        assertThat(plan.forPhaseReturning(Phase.NEW_ONLY, "*")).isInstanceOf(Rewrite.Rejected.class)
                .isEqualTo(plan.forPhaseReturning(Phase.CONTRACTED, "*"));

        String del = "DELETE FROM users u WHERE u.id = ?";
        assertThat(rewriter.plan(del).forPhaseReturning(Phase.DUAL_WRITE, "\"id\", \"name\"")).isEqualTo(returning(
                "WITH \"dw$w\" AS (" + del + " RETURNING \"id\", \"name\", u.\"id\" AS \"dw$k\", NULL AS \"dw$v\""
                        + SYNC_DELETE));
    }

    @Test
    void generatedKeysOfOtherStatements() {
        RewritePlan read = rewriter.plan("SELECT email FROM users WHERE id = ?");
        assertThat(read.forPhaseReturning(Phase.READ_NEW, "*")).isSameAs(read.forPhase(Phase.READ_NEW));
        assertThat(read.forPhaseReturning(Phase.DUAL_WRITE, "*")).isSameAs(Rewrite.PASS_THROUGH);
        RewritePlan refused = rewriter.plan("UPDATE users SET id = DEFAULT");
        assertThat(refused.forPhaseReturning(Phase.DUAL_WRITE, "*")).isInstanceOf(Rewrite.Rejected.class);
        RewritePlan multi = rewriter.plan("UPDATE users SET email = ?; SELECT 1");
        assertThat(multi.forPhaseReturning(Phase.DUAL_WRITE, "*")).isInstanceOfSatisfying(Rewrite.Rejected.class,
                r -> assertThat(r.reason()).contains("generated keys requested for several statements"));
        RewritePlan truncate = rewriter.plan("TRUNCATE users");
        assertThat(truncate.forPhaseReturning(Phase.DUAL_WRITE, "*")).isSameAs(truncate.forPhase(Phase.DUAL_WRITE));
    }

    @Test
    void ownWithClauseGetsOurCteAppended() {
        String ctes = "WITH RECURSIVE old(id) AS (SELECT id FROM stale), b AS MATERIALIZED (SELECT 1)";
        String main = "DELETE FROM users WHERE id IN (SELECT id FROM old)";
        assertBoth(ctes + "\n  " + main, dual(ctes + ", \"dw$w\" AS (" + main + " RETURNING users.\"id\" AS \"dw$k\""
                + DELETE_TAIL));
    }

    @Test
    void ownWithClauseUpdateReturning() {
        String ctes = "with s as (select 1 as id, 'n@x' as m)";
        String main = "update users u set email = s.m from s where s.id = u.id returning u.name";
        assertBoth(ctes + " " + main, returning(ctes + ", \"dw$w\" AS (" + main
                + ", u.\"id\" AS \"dw$k\", u.\"email\" AS \"dw$v\"" + SYNC_UPSERT));
        String ins = "WITH s AS (SELECT 9 AS id) INSERT INTO users (id, email) SELECT id, 'z' FROM s";
        assertBoth(ins, dual("WITH s AS (SELECT 9 AS id), \"dw$w\" AS (INSERT INTO users (id, email) SELECT id, 'z' FROM s"
                + " RETURNING \"id\" AS \"dw$k\", \"email\" AS \"dw$v\"" + UPSERT_TAIL));
    }

    @Test
    void ownWithClauseRefusals() {
        for (String sql : new String[] {
            "WITH x AS (DELETE FROM users WHERE id = 1 RETURNING id) UPDATE users SET email = NULL WHERE id = 2",
            "WITH users AS (SELECT 1 AS id) UPDATE users SET email = NULL",
        }) {
            assertThat(rewriter.plan(sql).forPhase(Phase.DUAL_WRITE)).as(sql).isInstanceOf(Rewrite.Rejected.class);
        }
    }

    /** A TRUNCATE of the migrated table, then the primary rows of the keys that are gone out of the new table. */
    private static String truncating(String truncate) {
        return "DO $dualwrite$BEGIN\n" + truncate + "\n;\nDELETE FROM \"public\".\"email_address\" AS \"dw$e\""
                + " WHERE \"dw$e\".\"is_primary\" AND NOT EXISTS (SELECT FROM \"public\".\"users\" AS \"dw$s\""
                + " WHERE \"dw$s\".\"id\" = \"dw$e\".\"user_id\");\nEND$dualwrite$";
    }

    @Test
    void truncateForms() {
        assertBoth("TRUNCATE users", dual(truncating("TRUNCATE users")));
        assertBoth("truncate table only \"public\".\"users\" * , orders restart identity cascade; -- end",
                dual(truncating("truncate table only \"public\".\"users\" * , orders restart identity cascade") + "; -- end"));
        assertBoth("TRUNCATE orders, public.USERS", dual(truncating("TRUNCATE orders, public.USERS")));
        assertThat(rewriter.plan("TRUNCATE users WITH x").forPhase(Phase.DUAL_WRITE)).isInstanceOf(Rewrite.Rejected.class);
        assertThat(rewriter.plan("TRUNCATE users, \"a$dualwrite$b\"").forPhase(Phase.DUAL_WRITE))
                .isInstanceOf(Rewrite.Rejected.class);
        assertThat(rewriter.plan("TRUNCATE orders").forPhase(Phase.DUAL_WRITE)).isSameAs(Rewrite.PASS_THROUGH);
    }

    @Test
    void severalStatementsEachPlannedInPlace() {
        String sql = "UPDATE users SET email = ? WHERE id = ?;\n -- next\n DELETE FROM users WHERE id = ?; SELECT 1;";
        assertBoth(sql, dual("WITH \"dw$w\" AS (UPDATE users SET email = ? WHERE id = ? RETURNING users.\"id\" AS \"dw$k\","
                + " users.\"email\" AS \"dw$v\"" + UPSERT_TAIL + ";\n -- next\n WITH \"dw$w\" AS (DELETE FROM users WHERE id = ?"
                + " RETURNING users.\"id\" AS \"dw$k\"" + DELETE_TAIL + "; SELECT 1;"));
    }

    @Test
    void severalStatementsReadsOnlyRewrittenInReadNew() {
        String sql = "UPDATE users SET name = 'x'; SELECT email FROM users u";
        RewritePlan plan = rewriter.plan(sql);
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(plan.forPhase(Phase.READ_NEW)).isEqualTo(new Rewrite.Rewritten(
                "UPDATE users SET name = 'x'; SELECT " + Fixtures.newEmail("u") + " AS \"email\" FROM users u",
                Rewrite.Kind.READ_NEW));
    }
}
