package io.dualwrite.rewriter.rewrite;

import static io.dualwrite.rewriter.rewrite.Fixtures.newEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The READ_NEW form of key range scans ({@link KeyRangeJoins}): exact text, parameter maps, and where it does not apply. */
class KeyRangeJoinTest {

    private static final String JOIN = " LEFT JOIN (SELECT \"user_id\" AS \"dw$k\", \"address\" AS \"dw$v\" FROM"
            + " \"public\".\"email_address\" WHERE \"is_primary\") \"dw$j\" ON \"dw$j\".\"dw$k\" = ";
    private static final String VALUE = "COALESCE(\"dw$j\".\"dw$v\")";

    private final StatementRewriter rewriter = Fixtures.rewriter();

    private Rewrite readNew(String sql) {
        RewritePlan plan = rewriter.plan(sql);
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(plan.forPhase(Phase.NEW_ONLY)).isEqualTo(plan.forPhase(Phase.READ_NEW));
        assertThat(plan.forPhase(Phase.CONTRACTED)).isEqualTo(plan.forPhase(Phase.READ_NEW));
        return plan.forPhase(Phase.READ_NEW);
    }

    @Test
    void parameterBoundsAreRepeatedOnTheJoinedKeyThroughAParameterMap() {
        assertThat(readNew("SELECT id, name, email FROM users WHERE id BETWEEN ? AND ? ORDER BY id"))
                .isEqualTo(new Rewrite.Rewritten("SELECT id, name, " + VALUE + " AS \"email\" FROM users" + JOIN
                        + "users.\"id\" AND \"dw$j\".\"dw$k\" BETWEEN ? AND ? WHERE id BETWEEN ? AND ? ORDER BY id",
                        Rewrite.Kind.READ_NEW, 0, new int[] {1, 2, 1, 2}));
        // YCSB's scan: a lower bound and a LIMIT; markers before the join keep their place in the map
        assertThat(readNew("SELECT ?::text AS tag, * FROM users u WHERE name <> ? AND u.id >= ? ORDER BY u.id LIMIT ?"))
                .isEqualTo(new Rewrite.Rewritten("SELECT ?::text AS tag, u.\"id\", u.\"name\", " + VALUE + " AS \"email\", u.\"created_at\""
                        + " FROM users u" + JOIN + "u.\"id\" AND \"dw$j\".\"dw$k\" >= ? WHERE name <> ? AND u.id >= ?"
                        + " ORDER BY u.id LIMIT ?", Rewrite.Kind.READ_NEW, 0, new int[] {1, 3, 2, 3, 4}));
    }

    @Test
    void literalAndNumberedBoundsNeedNoMap() {
        assertThat(readNew("SELECT lower(email) FROM public.users AS u WHERE u.id > 5 AND u.id <= '9' AND email IS NOT NULL"))
                .isEqualTo(new Rewrite.Rewritten("SELECT lower(" + VALUE + ") FROM public.users AS u" + JOIN
                        + "u.\"id\" AND \"dw$j\".\"dw$k\" > 5 AND \"dw$j\".\"dw$k\" <= '9' WHERE u.id > 5 AND u.id <= '9'"
                        + " AND " + VALUE + " IS NOT NULL", Rewrite.Kind.READ_NEW));
        assertThat(readNew("SELECT email FROM users WHERE id >= $2 AND name = $1"))
                .isEqualTo(new Rewrite.Rewritten("SELECT " + VALUE + " AS \"email\" FROM users" + JOIN
                        + "users.\"id\" AND \"dw$j\".\"dw$k\" >= $2 WHERE id >= $2 AND name = $1", Rewrite.Kind.READ_NEW));
        // jOOQ, which checks the join form, is shown $1 as ? (it misreads "$1 AND …")
        assertThat(readNew("SELECT email FROM users WHERE id <= $1"))
                .isEqualTo(new Rewrite.Rewritten("SELECT " + VALUE + " AS \"email\" FROM users" + JOIN
                        + "users.\"id\" AND \"dw$j\".\"dw$k\" <= $1 WHERE id <= $1", Rewrite.Kind.READ_NEW));
    }

    @Test
    void eachQueryLevelDecidesForItself() {
        // the inner level qualifies; the outer one has another FROM item and keeps no reference of its own
        assertThat(readNew("SELECT o.id, (SELECT max(u.email) FROM users u WHERE u.id < 10) FROM orders o"))
                .isEqualTo(new Rewrite.Rewritten("SELECT o.id, (SELECT max(" + VALUE + ") FROM users u" + JOIN
                        + "u.\"id\" AND \"dw$j\".\"dw$k\" < 10 WHERE u.id < 10) FROM orders o", Rewrite.Kind.READ_NEW));
        // a subquery naming the column would resolve against the join's alias from its own scope: both keep the subquery
        assertThat(readNew("SELECT u.email FROM users u WHERE u.id > 1 AND EXISTS (SELECT 1 FROM orders o WHERE o.note = u.email)"))
                .isEqualTo(new Rewrite.Rewritten("SELECT " + newEmail("u") + " AS \"email\" FROM users u WHERE u.id > 1 AND"
                        + " EXISTS (SELECT 1 FROM orders o WHERE o.note = " + newEmail("u") + ")", Rewrite.Kind.READ_NEW));
    }

    /** Where the join is not provably the subquery's equal, or would not be faster, the subquery stays. */
    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT id, email FROM users WHERE id = ?",
        "SELECT id, email FROM users",
        "SELECT id, email FROM users WHERE id > 1 FOR UPDATE",
        "SELECT id, email FROM users WHERE id > 1 FOR NO KEY UPDATE OF users",
        "SELECT id, email FROM users WHERE id >= 1 GROUP BY id",
        "SELECT max(email) FROM users WHERE id >= 1 HAVING count(*) > 1",
        "SELECT email, row_number() OVER w FROM users WHERE id >= 1 WINDOW w AS (ORDER BY id)",
        "SELECT email INTO t FROM users WHERE id >= 1",
        "SELECT id, email FROM users WHERE id > 7 OR id < 3",
        "SELECT id, email FROM users WHERE id > 1 AND CASE WHEN id > 2 AND id < 3 THEN true END",
        "SELECT email FROM users WHERE id > 2 UNION SELECT note FROM orders",
        "SELECT u.email FROM users u JOIN orders o ON o.user_id = u.id WHERE u.id > 1",
        "SELECT u.email FROM users u, orders o WHERE u.id > 1 AND o.user_id = u.id",
        "SELECT email FROM users TABLESAMPLE SYSTEM (50) WHERE id >= 1",
        "SELECT email FROM users WHERE id::int > 1",
        "SELECT email FROM users WHERE id > -1",
        "SELECT email FROM users WHERE id > ? + 1",
        "SELECT email FROM users WHERE NOT id > 1",
        "SELECT email FROM users WHERE id NOT BETWEEN 1 AND 3",
        "SELECT email FROM users WHERE id BETWEEN SYMMETRIC 3 AND 1",
        "SELECT email FROM users WHERE 1 < id",
        "SELECT email FROM users WHERE name > 'a'",
        // a table of an explicit JOIN shows no unqualified system column (42703)
        "SELECT ctid, email FROM users WHERE id > 1",
        "SELECT email FROM users WHERE id BETWEEN 1 AND 3 AND xmin IS NOT NULL",
        "SELECT email, (SELECT tableoid) FROM users WHERE id > 1"})
    void theSubqueryStays(String sql) {
        assertThat(readNew(sql)).isInstanceOfSatisfying(Rewrite.Rewritten.class,
                r -> assertThat(r.sql()).doesNotContain("dw$j").contains("\"dw$e\"").contains(sql.substring(sql.indexOf(" FROM"))));
    }

    @Test
    void severalStatementsCopyLiteralsButNotMarkers() {
        // the parts of a multi-statement string are spliced back in place, which cannot carry a parameter map
        Rewrite r = readNew("SELECT email FROM users WHERE id > 1; SELECT email FROM users WHERE id > ?");
        assertThat(r).isInstanceOfSatisfying(Rewrite.Rewritten.class, w -> {
            assertThat(w.parameterSources()).isNull();
            assertThat(w.sql()).startsWith("SELECT " + VALUE + " AS \"email\" FROM users" + JOIN + "users.\"id\" AND"
                    + " \"dw$j\".\"dw$k\" > 1 WHERE id > 1; SELECT " + newEmail("users") + " AS \"email\" FROM users WHERE id > ?");
        });
    }
}
