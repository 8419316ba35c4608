package io.dualwrite.rewriter.rewrite;

import static io.dualwrite.rewriter.rewrite.Fixtures.DELETE_TAIL;
import static io.dualwrite.rewriter.rewrite.Fixtures.UPSERT_TAIL;
import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import io.dualwrite.rewriter.SourceTable;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WriteRewriteTest {

    private final StatementRewriter rewriter = Fixtures.rewriter();

    private void assertDualWrite(String sql, String expected) {
        RewritePlan plan = rewriter.plan(sql);
        assertThat(plan.passThrough()).isFalse();
        assertThat(plan.migration()).isEqualTo(Fixtures.USERS_EMAIL);
        assertThat(plan.forPhase(Phase.EXPANDED)).isSameAs(Rewrite.PASS_THROUGH);
        Rewrite.Rewritten expectedRewrite = new Rewrite.Rewritten(expected, Rewrite.Kind.DUAL_WRITE);
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isEqualTo(expectedRewrite);
        assertThat(plan.forPhase(Phase.READ_NEW)).isEqualTo(expectedRewrite);
        // translated, not dual-written (TranslationTest has the forms), and the same in both phases
        assertThat(plan.forPhase(Phase.NEW_ONLY)).isNotEqualTo(expectedRewrite).isEqualTo(plan.forPhase(Phase.CONTRACTED));
    }

    private void assertRejected(String sql, String... reasonParts) {
        RewritePlan plan = rewriter.plan(sql);
        assertThat(plan.passThrough()).isFalse();
        assertThat(plan.forPhase(Phase.EXPANDED)).isSameAs(Rewrite.PASS_THROUGH);
        for (Phase p : new Phase[] {Phase.DUAL_WRITE, Phase.READ_NEW}) {
            assertThat(plan.forPhase(p)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                    r -> assertThat(r.reason()).contains(reasonParts));
        }
    }

    private static String upsert(String app, String q) {
        String p = q == null ? "" : q + ".";
        return "WITH \"dw$w\" AS (" + app + " RETURNING " + p + "\"id\" AS \"dw$k\", " + p + "\"email\" AS \"dw$v\""
                + UPSERT_TAIL;
    }

    @Test
    void insertSingleRow() {
        assertDualWrite("INSERT INTO users (id, email) VALUES (?, ?)",
                upsert("INSERT INTO users (id, email) VALUES (?, ?)", null));
    }

    @Test
    void insertMultiRowWithoutEmailColumnStillRewritten() {
        String app = "insert into USERS (id, name) values (?, ?), (?, ?)";
        assertDualWrite(app + " ;  ", upsert(app, null));
        // PgJDBC sends a trailing comment after the semicolon as an empty query of its own: kept
        assertDualWrite(app + " ;  -- done\n", upsert(app, null) + " ;  -- done\n");
    }

    @Test
    void insertWithoutColumnList() {
        String app = "INSERT INTO users VALUES (1, 'a', 'a@x', now())";
        assertDualWrite(app, upsert(app, null));
    }

    @Test
    void insertSelect() {
        String app = "INSERT INTO \"public\".\"users\" (id, email) SELECT id, lower(mail) FROM staging WHERE mail ~* ?";
        assertDualWrite(app + ";", upsert(app, null));
    }

    @Test
    void insertOnConflictDoNothing() {
        String app = "INSERT INTO public.users (id, email) VALUES (?, ?) ON CONFLICT DO NOTHING";
        assertDualWrite(app, upsert(app, null));
    }

    @Test
    void insertOnConflictDoUpdateWithAlias() {
        String app = "INSERT INTO users AS u (id, email) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email"
                + " WHERE u.email IS DISTINCT FROM EXCLUDED.email";
        assertDualWrite(app, upsert(app, "u"));
    }

    @Test
    void insertWithCommentsAndDollarQuotesKeepsTextAndParameters() {
        String app = "/* app */ INSERT INTO users (id, email, name) VALUES (?, ?, $$it's -- ; ?$$) -- tail ?";
        assertDualWrite(app, upsert("/* app */ INSERT INTO users (id, email, name) VALUES (?, ?, $$it's -- ; ?$$)", null));
    }

    @Test
    void updateOfEmail() {
        String app = "UPDATE users SET email = ? WHERE id = ?";
        assertDualWrite(app, upsert(app, "users"));
    }

    @Test
    void updateWithAliasFromAndRowForm() {
        String app = "UPDATE users AS u SET (name, email) = (s.name, lower(s.email)) FROM staging s WHERE s.id = u.id";
        assertDualWrite(app, upsert(app, "u"));
    }

    @Test
    void updateWithCaseAndSubqueryOnEmail() {
        String app = "update public.users u set email = case when u.email is null then (select m from t where t.id = u.id)"
                + " else u.email end where id in (select id from x)";
        assertDualWrite(app, upsert(app, "u"));
    }

    @Test
    void updateAfterIsDistinctFromStillSeesEmailAssignment() {
        String app = "UPDATE users SET flag = a IS DISTINCT FROM b, email = ? WHERE id = ?";
        assertDualWrite(app, upsert(app, "users"));
    }

    @Test
    void updateQualifiedAsWritten() {
        String app = "UPDATE \"public\".\"users\" SET \"email\" = NULL";
        assertDualWrite(app, upsert(app, "\"public\".\"users\""));
    }

    @Test
    void updateOfOtherColumnsPassesThroughWhileTheOldColumnIsRead() {
        RewritePlan plan = rewriter.plan("UPDATE users SET name = ?, last_login = now() WHERE email = ?");
        assertThat(plan.forPhase(Phase.EXPANDED)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isSameAs(Rewrite.PASS_THROUGH);
        // the WHERE reads the column, which READ_NEW and the translation read from the new table
        assertThat(plan.forPhase(Phase.READ_NEW)).isEqualTo(plan.forPhase(Phase.CONTRACTED)).isEqualTo(new Rewrite.Rewritten(
                "UPDATE users SET name = ?, last_login = now() WHERE " + Fixtures.lookup("users", "= ?"), Rewrite.Kind.DUAL_WRITE));
        // generated keys in READ_NEW: the statement as written, PgJDBC's RETURNING list reading the old column
        assertThat(plan.forPhaseReturning(Phase.READ_NEW, "*")).isSameAs(Rewrite.PASS_THROUGH);
    }

    /**
     * In READ_NEW a write's other reads of the column read the new table, which stays exact while instances that already
     * follow NEW_ONLY no longer write the old column; the value it assigns keeps reading the old column.
     */
    @Test
    void readNewDualWriteReadsTheNewTableOutsideTheAssignedValue() {
        RewritePlan plan = rewriter.plan("UPDATE users SET email = lower(email), name = email WHERE email LIKE ?");
        String write = "UPDATE users SET email = lower(email), name = " + Fixtures.newEmail("users") + " WHERE "
                + Fixtures.newEmail("users") + " LIKE ?";
        assertThat(plan.forPhase(Phase.READ_NEW)).isEqualTo(new Rewrite.Rewritten("WITH \"dw$w\" AS (" + write
                + " RETURNING users.\"id\" AS \"dw$k\", users.\"email\" AS \"dw$v\"" + Fixtures.UPSERT_TAIL, Rewrite.Kind.DUAL_WRITE));
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isInstanceOfSatisfying(Rewrite.Rewritten.class,
                w -> assertThat(w.sql()).startsWith("WITH \"dw$w\" AS (UPDATE users SET email = lower(email), name = email WHERE email LIKE ?"));
        RewritePlan delete = rewriter.plan("DELETE FROM users WHERE email = ?");
        assertThat(delete.forPhase(Phase.READ_NEW)).isEqualTo(new Rewrite.Rewritten("WITH \"dw$w\" AS (DELETE FROM users WHERE "
                + Fixtures.lookup("users", "= ?") + " RETURNING users.\"id\" AS \"dw$k\"" + Fixtures.DELETE_TAIL, Rewrite.Kind.DUAL_WRITE));
        // only the assigned value reading it: as written
        RewritePlan assigning = rewriter.plan("UPDATE users SET email = upper(email)");
        assertThat(assigning.forPhase(Phase.READ_NEW)).isEqualTo(assigning.forPhase(Phase.DUAL_WRITE));
        // with RETURNING: its rows found, and its column returned, from the new table; the written value as written
        assertThat(rewriter.plan("UPDATE users SET name = ? WHERE email = ? RETURNING id, email").forPhase(Phase.READ_NEW))
                .isEqualTo(new Rewrite.Rewritten("UPDATE users SET name = ? WHERE " + Fixtures.lookup("users", "= ?")
                        + " RETURNING id, " + Fixtures.newEmail("users") + " AS \"email\"", Rewrite.Kind.DUAL_WRITE_RETURNING));
        assertThat(rewriter.plan("UPDATE users SET email = ? WHERE email = ? RETURNING email").forPhase(Phase.READ_NEW))
                .isEqualTo(new Rewrite.Rewritten("WITH \"dw$w\" AS (UPDATE users SET email = ? WHERE "
                        + Fixtures.lookup("users", "= ?") + " RETURNING users.\"email\" AS \"email\", users.\"id\" AS \"dw$k\","
                        + " users.\"email\" AS \"dw$v\"" + Fixtures.UPSERT_TAIL.replace(") INSERT", "), \"dw$s\" AS (INSERT")
                        + ") SELECT * FROM \"dw$w\"", Rewrite.Kind.DUAL_WRITE_RETURNING, 2));
    }

    /** A BEFORE row trigger (or rule) may store another value in the column: the UPDATE syncs what was stored. */
    @Test
    void updateOfOtherColumnsIsADualWriteWhereATriggerMayChangeTheColumn() {
        StatementRewriter triggered = new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL,
                Fixtures.USERS.columns(), null, null, false, false, true)));
        RewritePlan plan = triggered.plan("UPDATE users SET name = ? WHERE id = ?");
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isEqualTo(plan.forPhase(Phase.READ_NEW))
                .isEqualTo(new Rewrite.Rewritten("WITH \"dw$w\" AS (UPDATE users SET name = ? WHERE id = ? RETURNING"
                        + " users.\"id\" AS \"dw$k\", users.\"email\" AS \"dw$v\"" + Fixtures.UPSERT_TAIL, Rewrite.Kind.DUAL_WRITE));
    }

    @Test
    void updateThatJooqCannotParseIsStillRewrittenFromTokens() {
        String app = "UPDATE users SET email = lower(email) WHERE email ~* ?";
        RewritePlan plan = rewriter.plan(app);
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isEqualTo(new Rewrite.Rewritten(upsert(app, "users"), Rewrite.Kind.DUAL_WRITE));
        assertThat(plan.forPhase(Phase.READ_NEW)).isEqualTo(new Rewrite.Rewritten(upsert("UPDATE users SET email = lower(email)"
                + " WHERE " + Fixtures.newEmail("users") + " ~* ?", "users"), Rewrite.Kind.DUAL_WRITE));
    }

    @Test
    void unparseableUpdateMentioningTheColumnIsRefusedEvenIfItSeemsNotToAssignIt() {
        assertRejected("UPDATE users SET name = ? WHERE email % ?", "parser could not read");
    }

    /** jOOQ 3.19 cannot parse these operators; it reads the statement with others of the same result type. */
    @ParameterizedTest
    @ValueSource(strings = {"email ~* ?", "email !~* ?", "email ^@ ?", "tags && ARRAY[email]", "data #>> '{a}' = email",
        "data #> '{a}' = ? AND email IS NULL", "to_tsvector(email) @@ ?::tsquery"})
    void updateNotAssigningTheColumnWithOperatorsJooqCannotParsePassesThrough(String where) {
        assertThat(rewriter.plan("UPDATE users SET name = ? WHERE " + where).forPhase(Phase.DUAL_WRITE))
                .isSameAs(Rewrite.PASS_THROUGH);
    }

    /** jOOQ 3.19 cannot parse {@code unnest(a, b)}; it is asked about the written table and SET list only. */
    @Test
    void updateFromAMultiArgumentUnnestIsReadByJooqWithoutItsOtherArguments() {
        String app = "UPDATE users u SET name = v.n FROM unnest(?::bigint[], ?::text[]) AS v(id, n) WHERE u.id = v.id"
                + " AND u.email IS NOT NULL";
        assertThat(rewriter.plan(app).forPhase(Phase.DUAL_WRITE)).isSameAs(Rewrite.PASS_THROUGH);
        String assigning = "UPDATE users u SET email = v.e FROM unnest(?::bigint[], ?::text[]) AS v(id, e) WHERE u.id = v.id";
        assertDualWrite(assigning, upsert(assigning, "u"));
    }

    @Test
    void updateOnlyIsUnderstood() {
        String app = "UPDATE ONLY users SET email = ?";
        assertDualWrite(app, upsert(app, "users"));
    }

    @Test
    void deleteWithAliasAndUsing() {
        String app = "DELETE FROM users u USING orders o WHERE o.user_id = u.id AND o.total > ?";
        assertDualWrite(app, "WITH \"dw$w\" AS (" + app + " RETURNING u.\"id\" AS \"dw$k\"" + DELETE_TAIL);
    }

    @Test
    void deletePlain() {
        String app = "DELETE FROM ONLY users WHERE id = $1";
        assertDualWrite(app + ";", "WITH \"dw$w\" AS (" + app + " RETURNING users.\"id\" AS \"dw$k\"" + DELETE_TAIL);
    }

    @Test
    void refusals() {
        assertRejected("WITH x AS (UPDATE users SET email = NULL RETURNING id) DELETE FROM users WHERE id IN (SELECT id FROM x)",
                "a WITH query that writes the migrated table in a statement that writes it elsewhere too");
        assertRejected("UPDATE users SET (id, name) = (id + 1, name)", "sets the key column");
        assertRejected("INSERT INTO users (id, email) VALUES (?, ?) ON CONFLICT (email) DO UPDATE SET id = DEFAULT",
                "ON CONFLICT DO UPDATE that sets the key column");
        assertRejected("MERGE INTO users u USING s ON s.id = u.id WHEN MATCHED THEN UPDATE SET email = s.email",
                "a MERGE into the migrated table that names the migrated column");
        assertRejected("COPY users (id, email) FROM STDIN", "COPY … FROM into the migrated table is not supported:"
                + " COPY bypasses SQL", "COPY into a staging table, then INSERT INTO");
        assertRejected("ALTER TABLE users DROP COLUMN email", "ALTER statement");
        assertRejected("DO $$ BEGIN UPDATE users SET email = NULL; END $$", "DO statement");
        // stored code that writes the column when called, where the driver does not see it
        assertRejected("CREATE OR REPLACE FUNCTION f() RETURNS void LANGUAGE sql AS $$ UPDATE users SET email = NULL $$",
                "CREATE statement");
        assertThat(rewriter.plan("CREATE FUNCTION g() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM users'")
                .passThrough()).isTrue();
        assertRejected("EXPLAIN ANALYZE UPDATE users SET id[1] = 2", "EXPLAIN ANALYZE of a statement that is refused");
        assertRejected("UPDATE users SET email = ?; UPDATE users SET id = DEFAULT", "several statements in one string",
                "sets the key column");
        assertRejected("UPDATE users SET email = ? RETURNING id; SELECT 1", "a write with RETURNING among several statements");
    }

    @Test
    void rejectionTruncatesLongStatements() {
        String sql = "DELETE FROM users WHERE id IN (" + "1, ".repeat(200) + "2) RETURNING id; SELECT 1";
        Rewrite r = rewriter.plan(sql).forPhase(Phase.DUAL_WRITE);
        assertThat(((Rewrite.Rejected) r).reason()).hasSizeLessThan(400).contains("…");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "INSERT INTO orders (user_id, total) VALUES (?, ?)",
        "UPDATE orders SET total = 0 FROM users u WHERE u.id = orders.user_id AND u.email = ?",
        "INSERT INTO audit SELECT id, email FROM users",
        "DELETE FROM orders USING users WHERE users.id = orders.user_id",
        "UPDATE orders SET x = 1; DELETE FROM sessions WHERE id = 2",
        "WITH d AS (DELETE FROM orders RETURNING user_id) SELECT count(*) FROM d JOIN users u ON u.id = d.user_id",
        "MERGE INTO orders o USING users u ON u.id = o.user_id WHEN MATCHED THEN DELETE",
        "SELECT 'users' AS t, 'UPDATE users SET email = 1' AS s -- users",
        "UPDATE other.users SET email = ?",
        "LOCK TABLE users IN SHARE MODE",
        "CREATE INDEX ON users (name)",
        "EXPLAIN UPDATE users SET email = NULL",
    })
    void writesToOtherTablesAndHarmlessStatementsPassThrough(String sql) {
        RewritePlan plan = rewriter.plan(sql);
        for (Phase p : Phase.values()) {
            if (p.writesOld() && !p.readsNew()) {
                assertThat(plan.forPhase(p)).as(plan.toString()).isSameAs(Rewrite.PASS_THROUGH);
            }
        }
        // those that read users.email read the new table from READ_NEW on (TranslationTest has the forms)
        assertThat(plan.forPhase(Phase.READ_NEW)).as(plan.toString()).isIn(Rewrite.PASS_THROUGH, plan.forPhase(Phase.CONTRACTED));
        assertThat(plan.forPhase(Phase.NEW_ONLY)).isEqualTo(plan.forPhase(Phase.CONTRACTED));
    }
}
