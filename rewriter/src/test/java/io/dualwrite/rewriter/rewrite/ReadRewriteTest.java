package io.dualwrite.rewriter.rewrite;

import static io.dualwrite.rewriter.rewrite.Fixtures.lookup;
import static io.dualwrite.rewriter.rewrite.Fixtures.lookupOn;
import static io.dualwrite.rewriter.rewrite.Fixtures.newEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RelationName;
import io.dualwrite.rewriter.RewritePlan;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReadRewriteTest {

    private static final String AS_EMAIL = " AS \"email\"";

    private final StatementRewriter rewriter = Fixtures.rewriter();

    private void assertReadNew(String sql, String expected) {
        RewritePlan plan = rewriter.plan(sql);
        assertThat(plan.passThrough()).isFalse();
        assertThat(plan.forPhase(Phase.EXPANDED)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(plan.forPhase(Phase.READ_NEW)).isInstanceOfSatisfying(Rewrite.Rewritten.class, w -> assertThat(
                new Rewrite.Rewritten(w.sql(), w.kind(), w.hiddenColumns(), w.parameterSources(), w.ifNotNull(), w.describedBy()))
                .as("all but its origins (ResultOriginsTest)").isEqualTo(new Rewrite.Rewritten(expected, Rewrite.Kind.READ_NEW)));
        // the translation of a read is its READ_NEW form, the same in both phases that no longer write old
        assertThat(plan.forPhase(Phase.NEW_ONLY)).isEqualTo(plan.forPhase(Phase.READ_NEW));
        assertThat(plan.forPhase(Phase.CONTRACTED)).isEqualTo(plan.forPhase(Phase.READ_NEW));
    }

    private void assertReadNewRejected(String sql, String reasonPart) {
        RewritePlan plan = rewriter.plan(sql);
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(plan.forPhase(Phase.READ_NEW)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                r -> assertThat(r.reason()).contains(reasonPart).contains("Statement: "));
    }

    @Test
    void selectListWhereAndOrderBy() {
        assertReadNew("SELECT id, email FROM users WHERE email = ? ORDER BY email",
                "SELECT id, " + newEmail("users") + AS_EMAIL + " FROM users WHERE " + lookup("users", "= ?")
                        + " ORDER BY email");
        // only a conjunct of the top level: under OR, NULL and false differ
        assertReadNew("SELECT id FROM users WHERE email = ? OR id = 1",
                "SELECT id FROM users WHERE " + newEmail("users") + " = ? OR id = 1");
        assertReadNew("SELECT id FROM users u WHERE u.name = 'n' AND 'a@b' = u.email AND u.email IN (?, 'c') AND lower(email) = ?",
                "SELECT id FROM users u WHERE u.name = 'n' AND " + lookupOn("u", "'a@b' = \"dw$l\".\"address\"") + " AND " + lookup("u", "IN (?, 'c')")
                        + " AND " + lookupOn("u", "lower ( \"dw$l\".\"address\" ) = ?"));
        // a side may apply lower/upper/trim (an expression index serves it); anything else keeps the subquery
        assertReadNew("SELECT id FROM users WHERE upper(?) = upper(trim(email)) AND coalesce(email, 'x') = ?",
                "SELECT id FROM users WHERE " + lookupOn("users", "upper ( ? ) = upper ( trim ( \"dw$l\".\"address\" ) )")
                        + " AND coalesce(" + newEmail("users") + ", 'x') = ?");
        assertReadNew("SELECT id FROM users WHERE email = ANY (?)",
                "SELECT id FROM users WHERE " + lookupOn("users", "\"dw$l\".\"address\" = ANY ( ? )"));
        // a conjunct written without a space after WHERE or AND keeps one before the lookup
        assertReadNew("SELECT id FROM users WHERE(email) = ? AND(lower(email))='x'",
                "SELECT id FROM users WHERE " + lookupOn("users", "( \"dw$l\".\"address\" ) = ?") + " AND "
                        + lookupOn("users", "( lower ( \"dw$l\".\"address\" ) ) = 'x'"));
    }

    @Test
    void orderByInputColumnIsReplaced() {
        assertReadNew("SELECT id FROM users ORDER BY email DESC",
                "SELECT id FROM users ORDER BY " + newEmail("users") + " DESC");
    }

    @Test
    void aliasedAndQuotedReferences() {
        assertReadNew("SELECT u.\"email\" AS mail, lower(u.email) FROM public.users u WHERE u.id = $1",
                "SELECT " + newEmail("u") + " AS mail, lower(" + newEmail("u") + ") FROM public.users u WHERE u.id = $1");
        assertReadNew("select public.users.email from public.users",
                "select " + newEmail("public.users") + AS_EMAIL + " from public.users");
        assertReadNew("SELECT \"USERS\".email FROM \"users\" \"USERS\"",
                "SELECT " + newEmail("\"USERS\"") + AS_EMAIL + " FROM \"users\" \"USERS\"");
    }

    @Test
    void joinWithQualifiedColumn() {
        assertReadNew("SELECT o.id, u.email FROM orders o JOIN users u ON u.id = o.user_id WHERE o.total > ?",
                "SELECT o.id, " + newEmail("u") + AS_EMAIL + " FROM orders o JOIN users u ON u.id = o.user_id WHERE o.total > ?");
    }

    @Test
    void aggregatesAndGroupBy() {
        assertReadNew("SELECT count(DISTINCT email), max(email) m FROM users",
                "SELECT count(DISTINCT " + newEmail("users") + "), max(" + newEmail("users") + ") m FROM users");
    }

    @Test
    void subqueryResolvesInItsOwnScope() {
        assertReadNew("SELECT id FROM orders WHERE user_id IN (SELECT id FROM users WHERE email LIKE ?)",
                "SELECT id FROM orders WHERE user_id IN (SELECT id FROM users WHERE " + newEmail("users") + " LIKE ?)");
        assertReadNew("SELECT d.email FROM (SELECT id, email FROM users) d",
                "SELECT d.email FROM (SELECT id, " + newEmail("users") + AS_EMAIL + " FROM users) d");
    }

    @Test
    void selectStarExpandsWithOtherTablesKept() {
        assertReadNew("SELECT * FROM users WHERE id = ? FOR UPDATE",
                "SELECT users.\"id\", users.\"name\", " + newEmail("users") + " AS \"email\", users.\"created_at\""
                        + " FROM users WHERE id = ? FOR UPDATE");
        assertReadNew("SELECT * FROM orders o, users u WHERE u.id = o.user_id FOR SHARE OF u",
                "SELECT o.*, u.\"id\", u.\"name\", " + newEmail("u") + " AS \"email\", u.\"created_at\""
                        + " FROM orders o, users u WHERE u.id = o.user_id FOR SHARE OF u");
        assertReadNew("SELECT u.*, 1 FROM users u",
                "SELECT u.\"id\", u.\"name\", " + newEmail("u") + " AS \"email\", u.\"created_at\", 1 FROM users u");
        // an alias list shorter than the star (PostgreSQL keeps the other names; jOOQ cannot parse it once expanded)
        assertReadNew("WITH x (a, b) AS (SELECT * FROM users) SELECT * FROM x",
                "WITH x (a, b) AS (SELECT users.\"id\", users.\"name\", " + newEmail("users") + " AS \"email\","
                        + " users.\"created_at\" FROM users) SELECT * FROM x");
    }

    @Test
    void castKeepsLabel() {
        assertReadNew("SELECT email::text FROM users",
                "SELECT " + newEmail("users") + "::text" + AS_EMAIL + " FROM users");
    }

    @Test
    void trailingSemicolonAndCommentsAreKept() {
        assertReadNew("SELECT email FROM users; -- why",
                "SELECT " + newEmail("users") + AS_EMAIL + " FROM users; -- why");
    }

    @Test
    void orderByOutputAliasIsLeftAlone() {
        assertReadNew("SELECT lower(email) AS email FROM users ORDER BY email, lower(email) DESC",
                "SELECT lower(" + newEmail("users") + ") AS email FROM users ORDER BY email, lower(" + newEmail("users")
                        + ") DESC");
    }

    /** A name after a complete expression (CASE's END, a constant) or after a keyword PostgreSQL takes as a bare label. */
    @Test
    void orderByTakesABareAliasAfterAnExpressionForTheOutputColumn() {
        // the output column: no read of the migrated one
        assertThat(rewriter.plan("SELECT id, CASE WHEN id = 1 THEN 'z' ELSE name END email FROM users ORDER BY email, id")
                .passThrough()).isTrue();
        assertThat(rewriter.plan("SELECT id, NULL email FROM users ORDER BY email, id").passThrough()).isTrue();
        assertReadNew("SELECT email desc FROM users ORDER BY desc",
                "SELECT " + newEmail("users") + " desc FROM users ORDER BY desc");
        assertReadNew("SELECT email zone FROM users ORDER BY zone",
                "SELECT " + newEmail("users") + " zone FROM users ORDER BY zone");
        assertReadNew("SELECT email::timestamp with time zone FROM users ORDER BY email",
                "SELECT " + newEmail("users") + "::timestamp with time zone" + AS_EMAIL + " FROM users ORDER BY email");
        assertReadNew("SELECT email IS NULL FROM users ORDER BY email",
                "SELECT " + newEmail("users") + " IS NULL FROM users ORDER BY " + newEmail("users"));
    }

    @Test
    void orderByTakesAnOutputNameOnlyForAnItemThatIsTheNameAlone() {
        // parentheses are dropped by the parser: still the output column
        assertReadNew("SELECT lower(email) AS email FROM users ORDER BY (email), id",
                "SELECT lower(" + newEmail("users") + ") AS email FROM users ORDER BY (email), id");
        // an argument, a window's ORDER BY or PARTITION BY, an expression of DISTINCT ON: always the input column
        assertReadNew("SELECT name AS email FROM users ORDER BY md5(coalesce(NULL, email)), name",
                "SELECT name AS email FROM users ORDER BY md5(coalesce(NULL, " + newEmail("users") + ")), name");
        assertReadNew("SELECT name AS email FROM users ORDER BY row_number() OVER (ORDER BY email)",
                "SELECT name AS email FROM users ORDER BY row_number() OVER (ORDER BY " + newEmail("users") + ")");
        assertReadNew("SELECT DISTINCT ON (ascii(email)) name AS email FROM users",
                "SELECT DISTINCT ON (ascii(" + newEmail("users") + ")) name AS email FROM users");
        // an item PostgreSQL names email without an alias (a CASE's ELSE, a cast) is the output column ORDER BY email means
        assertReadNew("SELECT CASE WHEN id = 1 THEN 'z' ELSE email END FROM users ORDER BY email",
                "SELECT CASE WHEN id = 1 THEN 'z' ELSE " + newEmail("users") + " END" + AS_EMAIL + " FROM users ORDER BY email");
        // and so is a sub-select named after its item
        assertThat(rewriter.plan("SELECT id, (SELECT users.name AS email) FROM users ORDER BY email").passThrough()).isTrue();
        // an output column named like the table: ORDER BY sorts by it, not by the whole row
        assertReadNew("SELECT id AS users, email FROM users ORDER BY users DESC",
                "SELECT id AS users, " + newEmail("users") + AS_EMAIL + " FROM users ORDER BY users DESC");
        assertThat(rewriter.plan("SELECT id, email FROM users ORDER BY users").forPhase(Phase.READ_NEW))
                .isInstanceOf(Rewrite.Rejected.class);
    }

    @Test
    void aNestedCaseIsNamedAfterItsElse() {
        assertReadNew("SELECT CASE WHEN id > 4 THEN 'x' ELSE CASE WHEN id = 1 THEN name ELSE email END END FROM users",
                "SELECT CASE WHEN id > 4 THEN 'x' ELSE CASE WHEN id = 1 THEN name ELSE " + newEmail("users") + " END END"
                        + AS_EMAIL + " FROM users");
        // the ELSE of the inner CASE in a THEN does not name the item
        assertReadNew("SELECT CASE WHEN id > 4 THEN CASE WHEN true THEN name ELSE email END ELSE name END FROM users",
                "SELECT CASE WHEN id > 4 THEN CASE WHEN true THEN name ELSE " + newEmail("users") + " END ELSE name END FROM users");
    }

    @Test
    void aJoinUsingTheColumnsNameBetweenOtherRelationsIsNotTheMigratedTables() {
        assertThat(rewriter.plan("WITH x AS (SELECT email FROM users) SELECT count(*) FROM x JOIN x y USING (email)")
                .forPhase(Phase.CONTRACTED)).isInstanceOf(Rewrite.Rewritten.class);
    }

    /**
     * JOIN … USING (email) joins on the migrated table's column, which the derived table of the original columns offers
     * from the new table; the merged column, unqualified or through the join's alias, is PostgreSQL's to resolve.
     */
    @Test
    void aJoinUsingTheColumnJoinsADerivedTableOfTheOriginalColumns() {
        String derived = "(SELECT u.\"id\", u.\"name\", " + newEmail("u") + AS_EMAIL + ", u.\"created_at\" FROM users u) u";
        assertReadNew("SELECT * FROM user_archive a JOIN users u USING (email)",
                "SELECT * FROM user_archive a JOIN " + derived + " USING (email)");
        assertReadNew("SELECT email, x.email, u.email FROM users u FULL JOIN orders o USING (id, email) AS x WHERE email = ?",
                "SELECT email, x.email, " + newEmail("u") + AS_EMAIL + " FROM " + derived
                        + " FULL JOIN orders o USING (id, email) AS x WHERE email = ?");
        // in a subquery of a write: the subquery's FROM item is wrapped, the written row is not
        assertThat(rewriter.plan("DELETE FROM orders o WHERE o.id IN (SELECT a.id FROM user_archive a JOIN users u USING (email))")
                .forPhase(Phase.CONTRACTED).toString()).contains(derived + " USING (email)");
        // where the FROM item cannot become a derived table, the join would read the old column: refused
        assertReadNewRejected("SELECT count(*) FROM users u JOIN orders o USING (email) GROUP BY o.id",
                "JOIN … USING on the migrated column needs the migrated table as a derived table");
        assertReadNewRejected("SELECT u.xmin FROM users u JOIN orders o USING (email)", "system column (xmin)");
        assertThat(rewriter.plan("DELETE FROM users u USING orders o JOIN user_archive a USING (email) WHERE o.id = u.id")
                .forPhase(Phase.NEW_ONLY)).isInstanceOfSatisfying(Rewrite.Rejected.class, r -> assertThat(r.reason())
                .contains("JOIN … USING on the migrated column in a write's own FROM or USING list"));
    }

    @Test
    void collationForIsAFunctionNotALockingClause() {
        assertReadNew("SELECT collation for (name), email FROM users",
                "SELECT collation for (name), " + newEmail("users") + AS_EMAIL + " FROM users");
    }

    @Test
    void rowsFromIsAFromItemNamedAfterItsFirstFunction() {
        assertReadNew("SELECT * FROM users, ROWS FROM (generate_series(1, 2)) WITH ORDINALITY",
                "SELECT users.\"id\", users.\"name\", " + newEmail("users") + AS_EMAIL + ", users.\"created_at\", generate_series.* FROM users,"
                        + " ROWS FROM (generate_series(1, 2)) WITH ORDINALITY");
    }

    @Test
    void xmlNamesStay() {
        // XMLFOREST names an element after the column it reads, and refuses an expression without AS
        assertReadNew("SELECT xmlforest(email, name) FROM users",
                "SELECT xmlforest(" + newEmail("users") + AS_EMAIL + ", name) FROM users");
        // the name of XMLELEMENT is not a column
        assertThat(rewriter.plan("SELECT xmlelement(name email, name) FROM users").passThrough()).isTrue();
    }

    @Test
    void aNameStartingLikeTheRewritesOwnIsRefusedWhereTheStatementWouldBeRewritten() {
        assertReadNewRejected("SELECT email FROM users AS \"dw$e\"", "a name starting with dw$");
        assertThat(rewriter.plan("SELECT 1 AS \"dw$x\" FROM users").passThrough()).isTrue();
    }

    @Test
    void bareAliasNamedLikeTheColumnIsNotAReference() {
        RewritePlan plan = rewriter.plan("SELECT name email FROM users");
        assertThat(plan.passThrough()).isTrue();
    }

    @Test
    void distinctOnLateralAndLocking() {
        assertReadNew("SELECT DISTINCT ON (email) id FROM users ORDER BY email, id",
                "SELECT DISTINCT ON (" + newEmail("users") + ") id FROM users ORDER BY " + newEmail("users") + ", id");
        assertReadNew("SELECT id FROM users WHERE email = ? FOR UPDATE OF users SKIP LOCKED",
                "SELECT id FROM users WHERE " + lookup("users", "= ?") + " FOR UPDATE OF users SKIP LOCKED");
        assertReadNew("SELECT o.id, l.e FROM orders o, LATERAL (SELECT u.email AS e FROM users u WHERE u.id = o.user_id) l",
                "SELECT o.id, l.e FROM orders o, LATERAL (SELECT " + newEmail("u") + " AS e FROM users u WHERE u.id = o.user_id) l");
    }

    @Test
    void unionBranchesAreSeparateScopes() {
        assertReadNew("SELECT email FROM users UNION ALL SELECT email FROM archived_users",
                "SELECT " + newEmail("users") + AS_EMAIL + " FROM users UNION ALL SELECT email FROM archived_users");
    }

    @Test
    void expressionsKeepTheirLabels() {
        assertReadNew("SELECT coalesce(email, '') , email IS DISTINCT FROM ? FROM users",
                "SELECT coalesce(" + newEmail("users") + ", '') , " + newEmail("users") + " IS DISTINCT FROM ? FROM users");
    }

    @Test
    void parametersAndStringsStayInPlace() {
        assertReadNew("SELECT email, 'email' FROM users WHERE name = ? /* email */ AND email <> ?",
                "SELECT " + newEmail("users") + AS_EMAIL + ", 'email' FROM users WHERE name = ? /* email */ AND "
                        + newEmail("users") + " <> ?");
    }

    /** jOOQ cannot parse named arguments (so the planner refuses); the splicing itself must skip the name. */
    @Test
    void namedArgumentsAreNotReferences() {
        String sql = "SELECT f(email => email) FROM users";
        ReadRewriter reads = new ReadRewriter(new SourceNames(Fixtures.USERS_EMAIL), Fixtures.USERS.columns());
        assertThat(reads.rewrite(sql, new Sig(Statements.significant(Lexer.tokenize(sql)))).sql())
                .isEqualTo("SELECT f(email => " + newEmail("users") + ") FROM users");
    }

    /** Issue 11: reads PostgreSQL runs that were refused because jOOQ could not parse them. */
    @Test
    void readsJooqCannotParseAreRewrittenFromTokens() {
        String e = newEmail("users");
        assertReadNew("SELECT id, mask(email) AS m FROM users", "SELECT id, mask(" + e + ") AS m FROM users");
        assertReadNew("SELECT format('%s <%s>', name, email) FROM users", "SELECT format('%s <%s>', name, " + e + ") FROM users");
        assertReadNew("SELECT concat_ws(',', name, email) FROM users", "SELECT concat_ws(',', name, " + e + ") FROM users");
        assertReadNew("SELECT string_agg(email, ',' ORDER BY email) FROM users",
                "SELECT string_agg(" + e + ", ',' ORDER BY " + e + ") FROM users");
        assertReadNew("SELECT u.id FROM users u WHERE u.email ~* ?", "SELECT u.id FROM users u WHERE " + newEmail("u") + " ~* ?");
        assertReadNew("SELECT id FROM users WHERE email IN (VALUES ('a'), ('b'))",
                "SELECT id FROM users WHERE " + e + " IN (VALUES ('a'), ('b'))");
        assertReadNew("SELECT id, email FROM users TABLESAMPLE SYSTEM (10) REPEATABLE (1)",
                "SELECT id, " + e + AS_EMAIL + " FROM users TABLESAMPLE SYSTEM (10) REPEATABLE (1)");
    }

    /** Issue 11 class 7: output names in DISTINCT ON, ORDER BY of a set operation; labels under COLLATE, CAST, CASE. */
    @Test
    void namesResolveAndLabelsStayAsPostgresGivesThem() {
        String e = newEmail("users");
        assertReadNew("SELECT DISTINCT ON (email) email, id FROM users ORDER BY email",
                "SELECT DISTINCT ON (email) " + e + AS_EMAIL + ", id FROM users ORDER BY email");
        assertReadNew("SELECT DISTINCT ON (email) id, lower(name) AS email FROM users WHERE email > ''",
                "SELECT DISTINCT ON (email) id, lower(name) AS email FROM users WHERE " + e + " > ''");
        assertReadNew("SELECT note AS email FROM orders UNION SELECT name FROM users WHERE email > '' ORDER BY email",
                "SELECT note AS email FROM orders UNION SELECT name FROM users WHERE " + e + " > '' ORDER BY email");
        assertReadNew("SELECT email COLLATE \"C\", CAST(email AS text), (email)::text, CASE WHEN id > 1 THEN 'x' ELSE email END FROM users",
                "SELECT " + e + " COLLATE \"C\"" + AS_EMAIL + ", CAST(" + e + " AS text)" + AS_EMAIL + ", (" + e + ")::text"
                        + AS_EMAIL + ", CASE WHEN id > 1 THEN 'x' ELSE " + e + " END" + AS_EMAIL + " FROM users");
        assertReadNew("SELECT email::varchar e, email::text IS NULL, CASE WHEN true THEN email END, lower(email) FROM users",
                "SELECT " + e + "::varchar e, " + e + "::text IS NULL, CASE WHEN true THEN " + e + " END, lower(" + e + ") FROM users");
    }

    /**
     * An unqualified email in a subquery on other tables is the subquery's own column if one of them has it, else the
     * outer row's: the subquery is kept and wrapped so that the level right outside it offers the new table's value.
     */
    @Test
    void subqueryKeepsItsOwnColumnOrReadsTheOuterRowsFromTheNewTable() {
        assertReadNew("SELECT id FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.note = email)",
                "SELECT id FROM users u WHERE EXISTS (SELECT \"dw$sub\".* FROM (SELECT " + newEmail("u") + " AS \"email\")"
                        + " AS \"dw$outer\" CROSS JOIN LATERAL (SELECT 1 FROM orders o WHERE o.note = email) AS \"dw$sub\")");
        // a LATERAL item in FROM sees the table before it, with or without a FROM of its own
        assertReadNew("SELECT u.id, l.x FROM users u LEFT JOIN LATERAL (SELECT email AS x FROM orders o WHERE o.user_id = u.id) l ON true",
                "SELECT u.id, l.x FROM users u LEFT JOIN LATERAL (SELECT \"dw$sub\".* FROM (SELECT " + newEmail("u") + AS_EMAIL
                        + ") AS \"dw$outer\" CROSS JOIN LATERAL (SELECT email AS x FROM orders o WHERE o.user_id = u.id)"
                        + " AS \"dw$sub\") l ON true");
        assertReadNew("SELECT l.x FROM users u, LATERAL (SELECT lower(email) AS x) l",
                "SELECT l.x FROM users u, LATERAL (SELECT \"dw$sub\".* FROM (SELECT " + newEmail("u") + AS_EMAIL
                        + ") AS \"dw$outer\" CROSS JOIN LATERAL (SELECT lower(email) AS x) AS \"dw$sub\") l");
        // the LATERAL item's own column of that name is not visible inside it
        assertReadNew("SELECT l.* FROM users u, LATERAL (SELECT email) l",
                "SELECT l.* FROM users u, LATERAL (SELECT \"dw$sub\".* FROM (SELECT " + newEmail("u") + AS_EMAIL
                        + ") AS \"dw$outer\" CROSS JOIN LATERAL (SELECT email) AS \"dw$sub\") l");
        // not LATERAL, or before the table: the name cannot be the table's (PostgreSQL: 42703 or another column)
        for (String sql : List.of("SELECT l.x FROM users u, (SELECT email AS x FROM orders) l",
                "SELECT l.x FROM LATERAL (SELECT email AS x FROM orders) l, users u")) {
            assertThat(rewriter.plan(sql).forPhase(Phase.READ_NEW)).as(sql).isInstanceOf(Rewrite.Rejected.class);
        }
    }

    /**
     * With the relations that have an {@code email} column known (the driver reads them from the catalog), an unqualified
     * {@code email} under several FROM items is the migrated table's when none of the others has one, as PostgreSQL
     * resolves it; where another has, may have, or the tokens cannot tell, it stays refused.
     */
    @Test
    void unqualifiedColumnUnderSeveralTablesIsTheMigratedTablesWhenNoOtherHasIt() {
        StatementRewriter known = new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL,
                List.of("id", "name", "email", "created_at"), null, null, false, false, false, null, List.of(),
                Set.of(new RelationName("public", "contacts"), new RelationName("app", "archive")))));
        for (String sql : List.of(
                "SELECT u.id, email, o.amount FROM users u JOIN orders o ON o.user_id = u.id WHERE email LIKE 'a%'",
                "SELECT email FROM users u, other.archive o, (VALUES (1)) v, (SELECT c.email AS mail, 2 FROM contacts c) x(a)",
                "SELECT email FROM users u LEFT JOIN (SELECT o.note::text, lower(o.email) FROM orders o) x ON true",
                "WITH recent AS (SELECT user_id FROM orders WHERE amount > 5) SELECT email FROM users u JOIN recent r"
                        + " ON r.user_id = u.id")) {
            RewritePlan plan = known.plan(sql);
            assertThat(plan.forPhase(Phase.READ_NEW)).as(sql).isInstanceOfSatisfying(Rewrite.Rewritten.class,
                    r -> assertThat(r.sql()).doesNotContain(" email").contains(newEmail("u") + AS_EMAIL));
            assertThat(plan.forPhase(Phase.CONTRACTED)).isEqualTo(plan.forPhase(Phase.READ_NEW));
        }
        // what a plan took the other relations to lack, for the driver to check in a session that may see newer ones
        assertThat(known.plan("SELECT u.id, email FROM users u JOIN orders o ON o.user_id = u.id, other.archive a")
                .assumedWithoutColumn()).isEqualTo(Map.of(Fixtures.USERS_EMAIL,
                        Set.of(new RelationName(null, "orders"), new RelationName("other", "archive"))));
        assertThat(known.plan("SELECT u.id, u.email FROM users u JOIN orders o ON o.user_id = u.id").assumedWithoutColumn())
                .as("a qualified column assumes nothing").isEmpty();
        for (String sql : List.of(
                "SELECT email FROM users u JOIN contacts c ON c.user_id = u.id",
                "SELECT email FROM users u JOIN app.archive o ON o.user_id = u.id",
                "SELECT email FROM users u JOIN archive o ON o.user_id = u.id",
                "SELECT email FROM users u, (SELECT c.email FROM contacts c) x",
                "SELECT email FROM users u, (SELECT 'x'::email FROM t) x",
                "SELECT email FROM users u, (SELECT * FROM t) x",
                "SELECT email FROM users u, (SELECT 1) x(email)",
                "SELECT email FROM users u, (VALUES (1)) v(email)",
                "SELECT email FROM users u, generate_series(1, 2) g",
                "WITH t AS (SELECT 1 AS email) SELECT email FROM users u, t",
                "WITH t (n, email) AS (SELECT 1, 2) SELECT email FROM users u, t",
                "WITH archive AS (SELECT 1 AS n) SELECT email FROM users u, archive",
                "SELECT email FROM users u JOIN users v ON v.id = u.id")) {
            // users becomes a derived table of its original columns, and PostgreSQL resolves the name as it did the
            // original's (ambiguous where another has the column)
            assertThat(known.plan(sql).forPhase(Phase.READ_NEW)).as(sql).isInstanceOfSatisfying(Rewrite.Rewritten.class,
                    r -> assertThat(r.sql()).contains("SELECT email FROM (SELECT u.\"id\", u.\"name\", " + newEmail("u")
                            + AS_EMAIL + ", u.\"created_at\" FROM users u) u"));
        }
        // in a write to another table without such a column, too
        assertThat(known.plan("UPDATE orders o SET note = email FROM users u WHERE u.id = o.user_id").forPhase(Phase.READ_NEW))
                .isInstanceOfSatisfying(Rewrite.Rewritten.class, r -> assertThat(r.sql()).isEqualTo(
                        "UPDATE orders o SET note = " + newEmail("u") + " FROM users u WHERE u.id = o.user_id"));
        // (READ_NEW passes a write it cannot tell through: the old column is still current)
        assertThat(known.plan("UPDATE contacts c SET note = email FROM users u WHERE u.id = c.user_id").forPhase(Phase.CONTRACTED))
                .isInstanceOfSatisfying(Rewrite.Rejected.class, r -> assertThat(r.reason()).contains("written table's column"));
        // in a subquery on other tables it is the outer users row's, offered right outside the subquery (OuterColumnWrapper)
        assertThat(known.plan("SELECT u.id FROM users u, orders o WHERE EXISTS (SELECT 1 FROM tags t WHERE t.tag = email)")
                .forPhase(Phase.READ_NEW)).isEqualTo(new Rewrite.Rewritten("SELECT u.id FROM users u, orders o WHERE EXISTS"
                + " (SELECT \"dw$sub\".* FROM (SELECT " + newEmail("u") + AS_EMAIL + ") AS \"dw$outer\" CROSS JOIN LATERAL"
                + " (SELECT 1 FROM tags t WHERE t.tag = email) AS \"dw$sub\")", Rewrite.Kind.READ_NEW));
        assertThat(known.plan("SELECT u.id FROM users u, contacts c WHERE EXISTS (SELECT 1 FROM tags t WHERE t.tag = email)")
                .forPhase(Phase.READ_NEW)).isInstanceOf(Rewrite.Rejected.class);
    }

    /**
     * A whole-row reference where only its fields' names and values matter (a JSON builder, a field selection, a cast to
     * text, IS NULL) becomes a row of the application's columns with the migrated one read from the new table.
     */
    @Test
    void wholeRowReferencesWhoseFieldsAreReadBecomeARowOfTheOriginalColumns() {
        String row = "(CASE WHEN u.\"id\" IS NULL THEN NULL ELSE (SELECT \"dw$row\" FROM (SELECT u.\"id\", u.\"name\", "
                + newEmail("u") + AS_EMAIL + ", u.\"created_at\") AS \"dw$row\") END)";
        assertReadNew("SELECT row_to_json(u), to_jsonb(u.*), json_agg(u ORDER BY id) OVER (), (u).email, u::text,"
                        + " CAST(u AS text), u IS NOT NULL FROM users u WHERE pg_catalog.num_nulls(u, 1) = 0",
                "SELECT row_to_json(" + row + "), to_jsonb(" + row + "), json_agg(" + row + " ORDER BY id) OVER (), "
                        + newEmail("u") + AS_EMAIL + ", " + row + "::text AS \"u\", CAST(" + row + " AS text) AS \"u\", " + row
                        + " IS NOT NULL FROM users u WHERE pg_catalog.num_nulls(" + row + ", 1) = 0");
        // jOOQ, which checks the rewritten read, misparses count((SELECT …)); NULL for a row an outer join null-extended
        assertReadNew("SELECT count(u) FROM orders o LEFT JOIN users u ON u.id = o.user_id",
                "SELECT count(" + row + ") FROM orders o LEFT JOIN users u ON u.id = o.user_id");
        // a field selection of another column reads the table as it is
        assertReadNew("SELECT (u).name, (u.*).email FROM users u", "SELECT (u).name, " + newEmail("u") + AS_EMAIL + " FROM users u");
    }

    /**
     * SELECT * over JOIN … USING or a NATURAL join cannot be written out without the other relations' columns: the
     * migrated table's FROM item becomes a derived table of its original columns instead, and the rest reads it as written.
     */
    @Test
    void starOverUsingOrNaturalJoinsReadsADerivedTableOfTheOriginalColumns() {
        String derived = "SELECT u.\"id\", u.\"name\", " + newEmail("u") + AS_EMAIL + ", u.\"created_at\" FROM ";
        // u.email is read through the derived table's key as anywhere else; ORDER BY email names the star's output column
        assertReadNew("SELECT *, * FROM users u JOIN orders o USING (id) WHERE u.email LIKE ? ORDER BY email FOR UPDATE OF u",
                "SELECT *, * FROM (" + derived + "users u) u JOIN orders o USING (id) WHERE " + newEmail("u")
                        + " LIKE ? ORDER BY email FOR UPDATE OF u");
        // unaliased and schema-qualified: the derived table is named users, and the rest reads through that name
        assertReadNew("SELECT * FROM ONLY public.users JOIN orders USING (id) WHERE users.email IS NOT NULL",
                "SELECT * FROM (" + derived.replace("u.", "public.users.").replace("= u\"", "= public.users\"")
                        + "ONLY public.users) AS users JOIN orders USING (id) WHERE " + newEmail("users") + " IS NOT NULL");
        assertReadNewRejected("SELECT * FROM public.users JOIN orders USING (id) WHERE public.users.email = 'a'",
                "give the table an alias");
        // what a table has and a derived table has not: columns determined by the grouped key, system columns
        assertReadNewRejected("SELECT *, count(*) FROM users u JOIN orders o USING (id) GROUP BY u.id, o.id", "GROUP BY");
        assertReadNewRejected("SELECT *, u.xmin FROM users u JOIN orders o USING (id)", "system column (xmin)");
        assertReadNewRejected("SELECT * FROM public.users JOIN archive.users USING (id)", "another FROM item of the same name");
    }

    /**
     * A column alias list renames the table's columns, the migrated one too where it reaches it: the FROM item becomes a
     * derived table of the application's columns under the list as written, and PostgreSQL resolves every name through
     * it (u.email past the list, the star, the new names; u.email renamed fails with 42703 as it did).
     */
    @Test
    void aColumnAliasListOnTheTableAppliesToADerivedTableOfItsColumns() {
        String derived = "(SELECT u.\"id\", u.\"name\", " + newEmail("u") + AS_EMAIL + ", u.\"created_at\" FROM users u)";
        assertReadNew("SELECT c, a FROM users u(a, b, c) WHERE c LIKE ? ORDER BY a",
                "SELECT c, a FROM " + derived + " u(a, b, c) WHERE c LIKE ? ORDER BY a");
        assertReadNew("SELECT u.email, u.* FROM users AS u(x) JOIN orders o ON o.user_id = u.x",
                "SELECT u.email, u.* FROM " + derived + " AS u(x) JOIN orders o ON o.user_id = u.x");
        assertReadNew("SELECT * FROM users u(a, b) JOIN orders USING (id)", "SELECT * FROM " + derived + " u(a, b) JOIN orders USING (id)");
        // an outer reference too: the derived table's key is renamed, and PostgreSQL finds the name as it did
        assertReadNew("SELECT (SELECT 1 WHERE email IS NULL) FROM users u(a)",
                "SELECT (SELECT 1 WHERE email IS NULL) FROM " + derived + " u(a)");
        assertReadNewRejected("SELECT u FROM users u(a)", "whole-row reference");
        assertReadNewRejected("SELECT c, count(*) FROM users u(a, b, c) GROUP BY c", "GROUP BY");
        assertReadNewRejected("SELECT u.xmin, c FROM users u(a, b, c)", "system column (xmin)");
    }

    @Test
    void refusedWhenNotCertain() {
        assertReadNewRejected("SELECT u.id FROM users u, contacts c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.note = email)",
                "outer query (several tables in the outer FROM");
        assertReadNewRejected("SELECT id, ARRAY(SELECT note FROM orders o WHERE o.note > email) FROM users", "ARRAY");
        assertReadNewRejected("SELECT u.id FROM users u JOIN orders o ON o.note = (SELECT max(x) FROM t WHERE t.y = email)",
                "outer query");
        assertReadNewRejected("SELECT u FROM users u", "whole-row reference");
        assertReadNewRejected("SELECT my_function(u) FROM users u", "whole-row reference");
        assertReadNewRejected("SELECT array_agg(u) FROM users u", "whole-row reference");
        assertReadNewRejected("SELECT row_to_json(u)::text, u::users FROM users u", "whole-row reference");
        assertReadNewRejected("SELECT * FROM orders o JOIN (users u JOIN t ON t.id = u.id) j ON j.id = o.id",
                "alias on a parenthesized join");
        assertReadNewRejected("WITH users AS (SELECT 1 AS email) SELECT email FROM users", "hides it");
    }

    /** PostgreSQL finds a schema-qualified table by itself among items without an alias, not by an alias's name. */
    @Test
    void aSchemaQualifiedReferenceSkipsAnItemAliasedLikeTheTable() {
        assertReadNew("SELECT (SELECT public.users.email FROM orders o LIMIT 1) FROM users",
                "SELECT (SELECT " + newEmail("users") + AS_EMAIL + " FROM orders o LIMIT 1) FROM users");
        // the rewrite's users."id" would read orders there
        assertReadNewRejected("SELECT (SELECT public.users.email FROM orders users LIMIT 1) FROM users", "aliased like the table");
        assertReadNewRejected("SELECT (SELECT public.users.* FROM orders users LIMIT 1) FROM users", "aliased like the table");
        assertThat(rewriter.plan("SELECT public.users.email FROM users u").forPhase(Phase.READ_NEW))
                .isSameAs(Rewrite.PASS_THROUGH); // 42P01 as written
        // with the database's name too PostgreSQL reads the column (the current database's): passed through, a stale read
        assertReadNewRejected("SELECT app.public.users.email FROM users", "qualified with the database");
        assertReadNewRejected("SELECT app.public.users.* FROM users", "qualified with the database");
    }

    /**
     * A column outside GROUP BY and aggregates fails (42803) unless the primary key is grouped, and under ROLLUP, CUBE or
     * GROUPING SETS even then; the read of the new table, a subquery on the key, passes wherever the key is grouped, but
     * for the ctid it also reads, which PostgreSQL lets through exactly where it lets the column through.
     */
    @Test
    void groupedReadsKeepTheColumnOutsideGroupByAnError() {
        String read = newEmail("users");
        String readUngrouped = ungrouped(read, "users");
        assertReadNew("SELECT id, email FROM users GROUP BY ROLLUP (id)",
                "SELECT id, " + readUngrouped + AS_EMAIL + " FROM users GROUP BY ROLLUP (id)");
        assertReadNew("SELECT email, count(*) FROM users GROUP BY GROUPING SETS ((email), ())", "SELECT " + readUngrouped
                + AS_EMAIL + ", count(*) FROM users GROUP BY GROUPING SETS ((" + readUngrouped + "), ())");
        // grouped by the key, the column passes only where the key is the primary key: as ctid does
        assertReadNew("SELECT id, email FROM users GROUP BY id", "SELECT id, " + readUngrouped + AS_EMAIL + " FROM users GROUP BY id");
        // before grouping (FROM, WHERE) the column is any column
        assertReadNew("SELECT name FROM users WHERE lower(email) <> 'x' GROUP BY name",
                "SELECT name FROM users WHERE lower(" + read + ") <> 'x' GROUP BY name");
    }

    /** Grouped by other than the key, PostgreSQL would find the subquery's outer reference to the key ungrouped. */
    @Test
    void theColumnOfAQueryGroupedByOtherThanTheKeyIsRefusedInASubquery() {
        assertReadNewRejected("SELECT email, (SELECT count(*) FROM users u2 WHERE u2.email = users.email) FROM users"
                + " GROUP BY email", "grouped by other than its key");
        assertReadNew("SELECT u.id, (SELECT count(*) FROM orders o WHERE o.note = u.email) FROM users u GROUP BY name, u.id",
                "SELECT u.id, (SELECT count(*) FROM orders o WHERE o.note = " + ungrouped(newEmail("u"), "u")
                        + ") FROM users u GROUP BY name, u.id");
        // in WHERE, before grouping: no GROUP BY to match
        assertReadNew("SELECT name FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.note = u.email) GROUP BY name",
                "SELECT name FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.note = " + newEmail("u") + ") GROUP BY name");
        assertReadNewRejected("SELECT (SELECT users.email) FROM users GROUP BY ROLLUP (email)", "grouped by other than its key");
    }

    private static String ungrouped(String read, String qualifier) {
        return read.substring(0, read.length() - 1) + " AND " + qualifier + ".ctid IS NOT NULL)";
    }

    @Test
    void aRecursiveWithQueryIsNotWrappedForAnOuterColumn() {
        assertReadNewRejected("SELECT id, (WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < length(email))"
                + " SELECT count(*) FROM r) FROM users", "WITH RECURSIVE");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT id, name FROM users",
        "SELECT count(*) FROM users WHERE name = ?",
        "SELECT u.id FROM users u FOR NO KEY UPDATE",
        "SELECT email FROM contacts",
        "SELECT c.email FROM contacts c JOIN users u ON u.id = c.user_id",
        "SELECT id FROM users WHERE name ~* ?",
    })
    void readsWithoutTheColumnPassThrough(String sql) {
        RewritePlan plan = rewriter.plan(sql);
        assertThat(plan.passThrough()).as(plan.toString()).isTrue();
        assertThat(plan.forPhase(Phase.READ_NEW)).isSameAs(Rewrite.PASS_THROUGH);
    }
}
