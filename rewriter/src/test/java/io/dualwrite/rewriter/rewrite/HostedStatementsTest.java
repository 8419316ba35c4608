package io.dualwrite.rewriter.rewrite;

import static io.dualwrite.rewriter.rewrite.Fixtures.UPSERT_TAIL;
import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Writes hidden inside EXPLAIN, COPY (…) TO, PREPARE, CREATE TABLE … AS and DECLARE … CURSOR. */
class HostedStatementsTest {

    private static final String UPDATE = "UPDATE users SET email = 'x' WHERE id = 1";
    private static final String DUAL = "WITH \"dw$w\" AS (" + UPDATE
            + " RETURNING users.\"id\" AS \"dw$k\", users.\"email\" AS \"dw$v\"" + UPSERT_TAIL;

    private final StatementRewriter rewriter = Fixtures.rewriter();

    @ParameterizedTest
    @ValueSource(strings = {"EXPLAIN ANALYZE ", "EXPLAIN ANALYSE ", "explain analyse verbose ", "EXPLAIN (ANALYZE) ",
            "EXPLAIN (analyse) ", "EXPLAIN (ANALYZE true, VERBOSE) ", "EXPLAIN (VERBOSE, ANALYZE on) ",
            "EXPLAIN (ANALYZE 1, BUFFERS) ", "EXPLAIN (\"analyze\") ", "EXPLAIN (ANALYZE 'yes') ", "EXPLAIN (ANALYZE maybe) "})
    void explainAnalyzeRunsTheDualWrite(String explain) {
        RewritePlan plan = rewriter.plan(explain + UPDATE);
        Rewrite expected = new Rewrite.Rewritten(explain + DUAL, Rewrite.Kind.DUAL_WRITE);
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isEqualTo(expected);
        assertThat(plan.forPhase(Phase.READ_NEW)).isEqualTo(expected);
        assertThat(plan.forPhase(Phase.EXPANDED)).isSameAs(Rewrite.PASS_THROUGH);
    }

    @ParameterizedTest
    @ValueSource(strings = {"EXPLAIN ", "EXPLAIN VERBOSE ", "EXPLAIN (ANALYZE off) ", "EXPLAIN (ANALYZE false, COSTS) ",
            "EXPLAIN (FORMAT JSON) ", "EXPLAIN (ANALYZE '0') "})
    void explainWithoutAnalyzeRunsNothingAndPassesThrough(String explain) {
        for (String sql : new String[] {explain + UPDATE,
                explain + "MERGE INTO users u USING s ON s.id = u.id WHEN MATCHED THEN DELETE"}) {
            RewritePlan plan = rewriter.plan(sql);
            for (Phase p : Phase.values()) {
                if (p.writesOld()) {
                    assertThat(plan.forPhase(p)).isSameAs(Rewrite.PASS_THROUGH);
                }
            }
        }
        // after the contract the plan shown is the translation's (which EXPLAIN does not run)
        assertThat(rewriter.plan(explain + UPDATE).forPhase(Phase.CONTRACTED)).isInstanceOfSatisfying(
                Rewrite.Rewritten.class, w -> assertThat(w.sql()).startsWith(explain + "WITH \"dw$w\" AS ("));
    }

    @Test
    void explainAnalyzeOfARefusedWriteIsRefused() {
        assertRejected("EXPLAIN ANALYZE MERGE INTO users u USING s ON s.id = u.id WHEN MATCHED THEN DELETE",
                "EXPLAIN ANALYZE of a statement that is refused", "MERGE");
        assertRejected("EXPLAIN (ANALYSE) UPDATE users SET (id) = ROW(2)", "EXPLAIN ANALYZE", "key column");
    }

    @Test
    void explainAnalyzeWithReturningShowsNoHiddenColumns() {
        Rewrite r = rewriter.plan("EXPLAIN (ANALYZE, FORMAT JSON) DELETE FROM users WHERE id = 1 RETURNING id")
                .forPhase(Phase.DUAL_WRITE);
        assertThat(r).isInstanceOfSatisfying(Rewrite.Rewritten.class, w -> {
            assertThat(w.hiddenColumns()).isZero();
            assertThat(w.kind()).isEqualTo(Rewrite.Kind.DUAL_WRITE);
            assertThat(w.sql()).startsWith("EXPLAIN (ANALYZE, FORMAT JSON) WITH \"dw$w\" AS (DELETE FROM users");
        });
    }

    @Test
    void explainOfAReadPassesThrough() {
        RewritePlan plan = rewriter.plan("EXPLAIN ANALYZE SELECT email FROM users");
        assertThat(plan.forPhase(Phase.READ_NEW)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(plan.forPhase(Phase.CONTRACTED)).isInstanceOfSatisfying(Rewrite.Rewritten.class,
                w -> assertThat(w.kind()).isEqualTo(Rewrite.Kind.READ_NEW));
    }

    @Test
    void copyOfAWriteIsRefused() {
        assertRejected("COPY (" + UPDATE + " RETURNING id) TO STDOUT", "COPY (… RETURNING …) TO of a write");
        assertRejected("copy (delete from public.users returning *) to '/tmp/x'", "COPY (… RETURNING …) TO of a write");
        assertRejected("COPY (WITH w AS (" + UPDATE + " RETURNING id) SELECT * FROM w) TO STDOUT", "COPY (… RETURNING …) TO");
        assertRejected("COPY users (id, email) FROM STDIN", "COPY … FROM");
    }

    @Test
    void prepareOfAWriteIsRefusedInEveryPhase() {
        RewritePlan plan = rewriter.plan("PREPARE p (text, int) AS UPDATE users SET email = $1 WHERE id = $2");
        for (Phase phase : new Phase[] {Phase.EXPANDED, Phase.DUAL_WRITE, Phase.READ_NEW}) {
            assertThat(plan.forPhase(phase)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                    r -> assertThat(r.reason()).contains("SQL-level PREPARE of a write", "JDBC PreparedStatement"));
        }
        assertThat(rewriter.plan("PREPARE p AS INSERT INTO users (id, email) VALUES ($1, $2)").forPhase(Phase.EXPANDED))
                .isInstanceOf(Rewrite.Rejected.class);
        assertThat(rewriter.plan("SELECT 1; PREPARE p AS DELETE FROM users").forPhase(Phase.EXPANDED))
                .isInstanceOf(Rewrite.Rejected.class);
    }

    @Test
    void prepareOfAReadFollowsTheRead() {
        RewritePlan plan = rewriter.plan("PREPARE p (int) AS SELECT email FROM users WHERE id = $1");
        assertThat(plan.forPhase(Phase.EXPANDED)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(plan.forPhase(Phase.READ_NEW)).isEqualTo(new Rewrite.Rewritten("PREPARE p (int) AS SELECT "
                + Fixtures.newEmail("users") + " AS \"email\" FROM users WHERE id = $1", Rewrite.Kind.READ_NEW));
        assertThat(rewriter.plan("PREPARE p AS UPDATE users SET name = $1").passThrough()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"CREATE TABLE t AS ", "CREATE TEMP TABLE IF NOT EXISTS t (a, b) AS ",
            "create unlogged table t with (fillfactor = 70) as ", "DECLARE c CURSOR FOR ",
            "DECLARE c BINARY INSENSITIVE NO SCROLL CURSOR WITH HOLD FOR "})
    void createTableAsAndCursorsFollowTheRead(String host) {
        RewritePlan plan = rewriter.plan(host + "SELECT id, email FROM users");
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(plan.forPhase(Phase.READ_NEW)).isEqualTo(new Rewrite.Rewritten(host + "SELECT id, "
                + Fixtures.newEmail("users") + " AS \"email\" FROM users", Rewrite.Kind.READ_NEW));
    }

    @Test
    void copyOfAReadFollowsTheRead() {
        RewritePlan plan = rewriter.plan("COPY (SELECT id, email FROM ONLY users ORDER BY id) TO STDOUT WITH (FORMAT csv)");
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isSameAs(Rewrite.PASS_THROUGH);
        Rewrite readNew = new Rewrite.Rewritten("COPY (SELECT id, " + Fixtures.newEmail("users")
                + " AS \"email\" FROM ONLY users ORDER BY id) TO STDOUT WITH (FORMAT csv)", Rewrite.Kind.READ_NEW);
        assertThat(plan.forPhase(Phase.READ_NEW)).isEqualTo(readNew);
        // the table form names no query to rewrite: the driver's COPY API sends it as a query
        RewritePlan table = rewriter.plan("COPY users TO STDOUT");
        assertThat(table.forPhase(Phase.DUAL_WRITE)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(table.forPhase(Phase.READ_NEW)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                r -> assertThat(r.reason()).contains("COPY … TO reading the migrated table"));
    }

    @Test
    void createTableAsKeepsWithData() {
        assertThat(rewriter.plan("CREATE TABLE t AS SELECT email FROM users WITH NO DATA").forPhase(Phase.READ_NEW))
                .isEqualTo(new Rewrite.Rewritten("CREATE TABLE t AS SELECT " + Fixtures.newEmail("users")
                        + " AS \"email\" FROM users WITH NO DATA", Rewrite.Kind.READ_NEW));
    }

    @Test
    void hostsOverAWriteAreRefused() {
        assertRejected("CREATE TABLE t AS WITH w AS (" + UPDATE + " RETURNING *) SELECT * FROM w", "CREATE TABLE … AS over a write");
        assertRejected("DECLARE c CURSOR FOR WITH w AS (DELETE FROM users RETURNING id) SELECT * FROM w",
                "DECLARE … CURSOR over a write");
        assertRejected("CREATE MATERIALIZED VIEW v AS SELECT email FROM users", "CREATE statement");
    }

    private void assertRejected(String sql, String... reasonParts) {
        RewritePlan plan = rewriter.plan(sql);
        for (Phase p : new Phase[] {Phase.DUAL_WRITE, Phase.READ_NEW}) {
            assertThat(plan.forPhase(p)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                    r -> assertThat(r.reason()).contains(reasonParts));
        }
    }
}
