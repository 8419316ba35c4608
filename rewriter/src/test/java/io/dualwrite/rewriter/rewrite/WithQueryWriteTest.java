package io.dualwrite.rewriter.rewrite;

import static io.dualwrite.rewriter.rewrite.Fixtures.DELETE_TAIL;
import static io.dualwrite.rewriter.rewrite.Fixtures.UPSERT_TAIL;
import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import org.junit.jupiter.api.Test;

/** A WITH query that writes the migrated table: its write's own rewrite, flattened into the statement's WITH list. */
class WithQueryWriteTest {

    private final StatementRewriter rewriter = Fixtures.rewriter();

    private Rewrite.Rewritten rewritten(String sql, Phase phase) {
        Rewrite r = rewriter.plan(sql).forPhase(phase);
        assertThat(r).as(phase + ": " + sql).isInstanceOf(Rewrite.Rewritten.class);
        return (Rewrite.Rewritten) r;
    }

    @Test
    void theArchivePatternDeletesWithTheSyncAndCopiesTheApplicationsColumnsOnly() {
        String sql = "WITH d AS (DELETE FROM users WHERE id = ? RETURNING *) INSERT INTO archive SELECT * FROM d";
        String expected = "WITH \"dw$w\" AS (DELETE FROM users WHERE id = ? RETURNING *, users.\"id\" AS \"dw$k\", NULL AS"
                + " \"dw$v\"), \"dw$s\" AS (" + DELETE_TAIL.substring(2) + "), d AS (SELECT \"id\", \"name\", \"email\","
                + " \"created_at\" FROM \"dw$w\") INSERT INTO archive SELECT * FROM d";
        assertThat(rewritten(sql, Phase.DUAL_WRITE)).isEqualTo(new Rewrite.Rewritten(expected, Rewrite.Kind.DUAL_WRITE));
        // READ_NEW archives the column as the new table has it
        assertThat(rewritten(sql, Phase.READ_NEW)).isEqualTo(new Rewrite.Rewritten(expected.replace("RETURNING *,",
                "RETURNING users.\"id\", users.\"name\", " + Fixtures.newEmail("users") + " AS \"email\","
                        + " users.\"created_at\","), Rewrite.Kind.DUAL_WRITE));
        assertThat(rewriter.plan(sql).forPhase(Phase.EXPANDED)).isSameAs(Rewrite.PASS_THROUGH);
        Rewrite.Rewritten translated = rewritten(sql, Phase.NEW_ONLY);
        assertThat(translated).isEqualTo(rewriter.plan(sql).forPhase(Phase.CONTRACTED));
        assertThat(translated.sql()).contains("\"dualwrite\".\"translated_sync_users_email\"")
                .endsWith("d AS (SELECT \"id\", \"name\", \"email\", \"created_at\" FROM \"dw$w\") INSERT INTO archive SELECT * FROM d");
    }

    @Test
    void theApplicationsWithQueriesBeforeAndAfterStayInPlaceAndKeepTheirParameters() {
        String sql = "WITH a AS (SELECT ?::bigint AS k), u AS MATERIALIZED (UPDATE users SET email = ? WHERE id = (SELECT k FROM a)"
                + " RETURNING id, email AS \"E\"), b AS (SELECT ? AS z) SELECT * FROM u, b";
        String app = "UPDATE users SET email = ? WHERE id = (SELECT k FROM a) RETURNING id, email AS \"E\"";
        assertThat(rewritten(sql, Phase.DUAL_WRITE).sql()).isEqualTo("WITH a AS (SELECT ?::bigint AS k), \"dw$w\" AS (" + app
                + ", users.\"id\" AS \"dw$k\", users.\"email\" AS \"dw$v\"), \"dw$s\" AS (" + UPSERT_TAIL.substring(2)
                + "), u AS MATERIALIZED (SELECT \"id\", \"E\" FROM \"dw$w\"), b AS (SELECT ? AS z) SELECT * FROM u, b");
        // the translation uses the write's value twice (returned and synced): the map says so, and shifts the rest
        Rewrite.Rewritten translated = rewritten(sql, Phase.NEW_ONLY);
        assertThat(translated.sql()).startsWith("WITH a AS (SELECT ?::bigint AS k), \"dw$w\" AS (UPDATE users SET");
        assertThat(translated.parameterSources()).containsExactly(1, 2, 2, 3);
    }

    @Test
    void aWriteThatNeedsNoSyncPassesThroughAsAWhole() {
        String sql = "WITH u AS (UPDATE users SET name = ? WHERE id = ? RETURNING id) SELECT * FROM u";
        RewritePlan plan = rewriter.plan(sql);
        for (Phase p : Phase.values()) {
            assertThat(plan.forPhase(p)).as(p.toString()).isSameAs(Rewrite.PASS_THROUGH);
        }
        // reading the column back is not: READ_NEW and the translation read it from the new table
        String reading = "WITH u AS (UPDATE users SET name = ? WHERE id = ? RETURNING lower(email) AS e) SELECT * FROM u";
        assertThat(rewriter.plan(reading).forPhase(Phase.DUAL_WRITE)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(rewritten(reading, Phase.NEW_ONLY).sql()).contains("\"public\".\"email_address\"");
    }

    @Test
    void returnedItemsAreNamedAsPostgresNamesThem() {
        String sql = "WITH u AS (UPDATE users AS x SET email = lower(x.email) RETURNING x.id, (x.email)::varchar(40),"
                + " upper(x.name) AS \"Upper\") SELECT * FROM u";
        assertThat(rewritten(sql, Phase.DUAL_WRITE).sql()).contains("u AS (SELECT \"id\", \"email\", \"Upper\" FROM \"dw$w\")");
        assertThat(rewritten("WITH u AS (UPDATE users SET email = ? RETURNING lower(email), pg_catalog.upper(name),"
                + " coalesce(email, '')::varchar) SELECT * FROM u", Phase.DUAL_WRITE).sql())
                .contains("u AS (SELECT \"lower\", \"upper\", \"coalesce\" FROM \"dw$w\")");
        assertThat(rewritten("WITH u AS (UPDATE users AS x SET email = NULL RETURNING x.*) SELECT * FROM u", Phase.DUAL_WRITE)
                .sql()).contains("u AS (SELECT \"id\", \"name\", \"email\", \"created_at\" FROM \"dw$w\")");
        // TRIM is named after the function it stands for
        assertThat(rewritten("WITH u AS (UPDATE users SET email = ? RETURNING trim(email), (trim(LEADING ' ' FROM name))::text,"
                + " TRIM(TRAILING FROM email)) SELECT * FROM u", Phase.DUAL_WRITE).sql())
                .contains("u AS (SELECT \"btrim\", \"ltrim\", \"rtrim\" FROM \"dw$w\")");
        // two items of one name are taken by position
        assertThat(rewritten("WITH u AS (UPDATE users AS x SET email = ? RETURNING x.*, x.email::text) SELECT * FROM u",
                Phase.DUAL_WRITE).sql()).contains("u AS (SELECT \"dw$1\" AS \"id\", \"dw$2\" AS \"name\", \"dw$3\" AS"
                + " \"email\", \"dw$4\" AS \"created_at\", \"dw$5\" AS \"email\" FROM \"dw$w\" AS \"dw$r\" (\"dw$1\","
                + " \"dw$2\", \"dw$3\", \"dw$4\", \"dw$5\"))");
    }

    @Test
    void whatCannotBeNamedOrPlacedIsRefused() {
        assertRefused("WITH u AS (UPDATE users SET email = ? RETURNING email || '!') SELECT * FROM u",
                "the items of its RETURNING list do not each have a name of their own");
        assertRefused("WITH u AS (UPDATE users SET email = ? RETURNING (email || '!')::text) SELECT * FROM u",
                "the items of its RETURNING list do not each have a name of their own");
        // * would also return the other table's columns
        assertRefused("WITH u AS (UPDATE users SET email = o.note FROM orders o WHERE o.user_id = users.id RETURNING *)"
                + " SELECT count(*) FROM u", "the items of its RETURNING list do not each have a name of their own");
        assertRefused("WITH d AS (DELETE FROM users WHERE id = 1 RETURNING id), e AS (UPDATE users SET email = 'x' WHERE id = 2)"
                + " SELECT * FROM d", "two WITH queries that write the migrated table");
        assertRefused("WITH d AS (DELETE FROM users WHERE id = 1 RETURNING id) UPDATE users SET email = NULL FROM d WHERE users.id = d.id + 1",
                "writes it elsewhere too");
        assertRefused("WITH users AS (SELECT 1 AS id), d AS (DELETE FROM public.users WHERE id = 1 RETURNING id) SELECT * FROM d",
                "named like the migrated table");
    }

    @Test
    void theRestReadsTheColumnAsWrittenWhileReadsStayOldAndFromTheNewTableAfter() {
        String sql = "WITH d AS (DELETE FROM users WHERE id = ? RETURNING id) SELECT d.id, (SELECT count(email) FROM users) FROM d";
        assertThat(rewritten(sql, Phase.DUAL_WRITE).sql()).startsWith("WITH \"dw$w\" AS (DELETE FROM users WHERE id = ?")
                .endsWith("d AS (SELECT \"id\" FROM \"dw$w\") SELECT d.id, (SELECT count(email) FROM users) FROM d");
        for (Phase p : new Phase[] {Phase.READ_NEW, Phase.NEW_ONLY, Phase.CONTRACTED}) {
            assertThat(rewritten(sql, p).sql()).as(p.toString())
                    .endsWith(" SELECT d.id, (SELECT count(" + Fixtures.newEmail("users") + ") FROM users) FROM d");
        }
    }

    /** Hibernate's bulk mutation of a multi-table entity (CteMutationStrategy): the keys first, then each table's write. */
    @Test
    void theRestMayReadTheTableInEveryPhaseWhereItReadsNoneOfTheColumn() {
        String sql = "with id_cte (id) as materialized (select u1_0.id from users u1_0 where u1_0.name like ? escape ''),"
                + "update_cte_users (id) as (update users u1_0 set email=lower(u1_0.email) where u1_0.id in"
                + " (select id.id from id_cte id) returning id) select count(*) from id_cte id";
        RewritePlan plan = rewriter.plan(sql);
        for (Phase p : new Phase[] {Phase.DUAL_WRITE, Phase.READ_NEW, Phase.NEW_ONLY, Phase.CONTRACTED}) {
            Rewrite.Rewritten r = rewritten(sql, p);
            assertThat(r.sql()).as(p.toString()).startsWith("with id_cte (id) as materialized (select u1_0.id from users u1_0"
                    + " where u1_0.name like ? escape ''),\"dw$w\" AS (update users u1_0 set")
                    .endsWith("select count(*) from id_cte id");
        }
        assertThat(plan.forPhase(Phase.READ_NEW)).isEqualTo(plan.forPhase(Phase.DUAL_WRITE));
        assertThat(plan.forPhase(Phase.NEW_ONLY)).isEqualTo(plan.forPhase(Phase.CONTRACTED));
        assertThat(plan.forPhase(Phase.EXPANDED)).isSameAs(Rewrite.PASS_THROUGH);
        // the column, a star, an unqualified name, a whole row: read from the new table; where the row's type shows:
        // refused, as the read rewrite refuses it
        for (String rest : new String[] {"select count(*) from users u where u.email is null",
                "select count(*) from (select * from users) s", "select count(*) from users where email like 'a%'",
                "select count(*) from users u where u is not null", "select (select max(row_to_json(u)::text) from users u)"}) {
            String withRest = "with d (id) as (delete from users where id = ? returning id) " + rest;
            for (Phase p : new Phase[] {Phase.READ_NEW, Phase.NEW_ONLY, Phase.CONTRACTED}) {
                assertThat(rewritten(withRest, p).sql()).as(p + ": " + withRest).contains("\"dw$e\".\"address\"");
            }
        }
        for (String rest : new String[] {"select (select max(my_function(u)) from users u)"}) {
            String withRest = "with d (id) as (delete from users where id = ? returning id) " + rest;
            for (Phase p : new Phase[] {Phase.READ_NEW, Phase.NEW_ONLY, Phase.CONTRACTED}) {
                assertThat(rewriter.plan(withRest).forPhase(p)).as(p + ": " + withRest).isInstanceOfSatisfying(Rewrite.Rejected.class,
                        r -> assertThat(r.reason()).contains("the rest of the statement reads the migrated table in a way the"
                                + " read rewrite cannot translate: ").contains("whole-row"));
            }
        }
        // a predicate on the column in the keys' WITH query: the write as written, the keys found through the new table
        String byEmail = sql.replace("u1_0.name like ? escape ''", "u1_0.email like ?").replace("email=lower(u1_0.email)",
                "name=?");
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isInstanceOf(Rewrite.Rewritten.class);
        assertThat(rewriter.plan(byEmail).forPhase(Phase.DUAL_WRITE)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(rewriter.plan(byEmail).forPhase(Phase.READ_NEW)).isEqualTo(new Rewrite.Rewritten(byEmail.replace(
                "u1_0.email like ?", Fixtures.newEmail("u1_0") + " like ?"), Rewrite.Kind.READ_NEW));
    }

    @Test
    void aBackslashInAStringIsReadAsTheSessionReadsIt() {
        String sql = "WITH d AS (DELETE FROM users WHERE name = 'a\\' OR email = ' RETURNING id) SELECT * FROM d";
        // standard_conforming_strings off: 'a\' OR email = ' is one string
        assertThat(rewriter.plan(sql, false).forPhase(Phase.DUAL_WRITE)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                r -> assertThat(r.reason()).contains("standard_conforming_strings off reads otherwise"));
        assertThat(rewriter.plan("WITH d AS (DELETE FROM users WHERE name = E'a\\'' RETURNING id) SELECT * FROM d", false)
                .forPhase(Phase.DUAL_WRITE)).isInstanceOf(Rewrite.Rewritten.class);
    }

    private void assertRefused(String sql, String reason) {
        RewritePlan plan = rewriter.plan(sql);
        assertThat(plan.forPhase(Phase.EXPANDED)).isSameAs(Rewrite.PASS_THROUGH);
        for (Phase p : new Phase[] {Phase.DUAL_WRITE, Phase.READ_NEW, Phase.NEW_ONLY}) {
            assertThat(plan.forPhase(p)).as(p + ": " + sql).isInstanceOfSatisfying(Rewrite.Rejected.class,
                    r -> assertThat(r.reason()).contains(reason, "Statement: " + sql));
        }
    }
}
