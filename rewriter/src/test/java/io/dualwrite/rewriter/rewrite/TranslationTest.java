package io.dualwrite.rewriter.rewrite;

import static io.dualwrite.rewriter.rewrite.Fixtures.newEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.RelationName;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The translation's text per shape, its parameter maps, and what it refuses (TranslationOnDatabaseTest runs them). */
class TranslationTest {

    private static final String SYNC = "INSERT INTO \"dualwrite\".\"translated_sync_users_email\" (k, v, deleted) ";

    /** Without BEFORE row triggers or rules on users (storedMayDiffer false), as in the tests on a database. */
    private final StatementRewriter rewriter = new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL,
            List.of("id", "name", "email", "created_at"), "character varying(255)", null, false, false, false)));

    private Rewrite.Rewritten translated(String sql) {
        RewritePlan plan = rewriter.plan(sql);
        assertThat(plan.forPhase(Phase.NEW_ONLY)).isEqualTo(plan.forPhase(Phase.CONTRACTED));
        assertThat(plan.forPhase(Phase.CONTRACTED)).as(sql).isInstanceOf(Rewrite.Rewritten.class);
        return (Rewrite.Rewritten) plan.forPhase(Phase.CONTRACTED);
    }

    @Test
    void updateMovesTheValueIntoReturningAndMapsParameters() {
        Rewrite.Rewritten r = translated("update users set email=?, name=?, version=? where id=? and version=?");
        assertThat(r.sql()).isEqualTo("WITH \"dw$w\" AS (update users set name=?, version=? where id=? and version=?"
                + " RETURNING users.\"id\" AS \"dw$k\", CAST((?) AS character varying) AS \"dw$v\") " + SYNC
                + "SELECT \"dw$k\", \"dw$v\", false FROM \"dw$w\"" + Fixtures.RLS_GUARD);
        assertThat(r.parameterSources()).containsExactly(2, 3, 4, 5, 1);
        assertThat(r.kind()).isEqualTo(Rewrite.Kind.DUAL_WRITE);
    }

    @Test
    void updateOfTheColumnAloneKeepsTheRowUpdatedAndReadsTheOldValueFromTheNewTable() {
        Rewrite.Rewritten r = translated("UPDATE users u SET email = lower(u.email) WHERE u.email LIKE ?");
        assertThat(r.sql()).isEqualTo("WITH \"dw$w\" AS (UPDATE users u SET \"id\" = u.\"id\" WHERE " + newEmail("u")
                + " LIKE ? RETURNING u.\"id\" AS \"dw$k\", CAST((lower(" + lockedEmail("u") + ")) AS character varying)"
                + " AS \"dw$v\") " + SYNC + "SELECT \"dw$k\", \"dw$v\", false FROM \"dw$w\"" + Fixtures.RLS_GUARD);
        assertThat(r.parameterSources()).isNull();
    }

    /** The new value reads the stored one with a row lock: after the written row's, so the latest committed. */
    private static String lockedEmail(String q) {
        String plain = newEmail(q);
        return plain.substring(0, plain.length() - 1) + " FOR NO KEY UPDATE)";
    }

    /** A data-modifying WITH query names its own table's columns: its email is not the migrated one. */
    @Test
    void dataModifyingWithQueriesKeepTheirOwnColumns() {
        Rewrite.Rewritten r = translated("WITH d AS (DELETE FROM staging WHERE id = 10 RETURNING email)"
                + " INSERT INTO users (id, name, email) SELECT 70, 'moved', email FROM d");
        assertThat(r.sql()).startsWith("WITH d AS (DELETE FROM staging WHERE id = 10 RETURNING email), ");
        Rewrite.Rewritten u = translated("WITH u AS (UPDATE contacts SET email = upper(email) RETURNING user_id, email)"
                + " UPDATE users SET email = u.email FROM u WHERE users.id = u.user_id");
        assertThat(u.sql()).startsWith("WITH u AS (UPDATE contacts SET email = upper(email) RETURNING user_id, email), ");
    }

    /** Generated keys of a translated write to another table: the appended RETURNING list is translated too. */
    @Test
    void generatedKeysOfAWriteToAnotherTableReadTheNewTable() {
        Rewrite keys = rewriter.plan("UPDATE orders o SET note = u.email FROM users u WHERE u.id = o.user_id")
                .forPhaseReturning(Phase.CONTRACTED, "*");
        assertThat(keys).isInstanceOf(Rewrite.Rewritten.class);
        Rewrite.Rewritten w = (Rewrite.Rewritten) keys;
        assertThat(w.kind()).isEqualTo(Rewrite.Kind.DUAL_WRITE_RETURNING);
        assertThat(w.sql()).isEqualTo("UPDATE orders o SET note = " + newEmail("u") + " FROM users u WHERE u.id = o.user_id"
                + " RETURNING o.*, u.\"id\", u.\"name\", " + newEmail("u") + " AS \"email\", u.\"created_at\"");
    }

    /** A BEFORE row trigger or a rule may store another key than the query gave: the value could not be joined back. */
    @Test
    void insertSelectIntoATableWithBeforeTriggersIsRefused() {
        StatementRewriter triggered = new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL,
                List.of("id", "name", "email", "created_at"), "character varying(255)", null, false, false, true)));
        assertThat(triggered.plan("INSERT INTO users (id, email) SELECT id, address FROM staging").forPhase(Phase.CONTRACTED))
                .isInstanceOf(Rewrite.Rejected.class);
        assertThat(triggered.plan("INSERT INTO users (id, email) VALUES (1, 'x')").forPhase(Phase.CONTRACTED))
                .isInstanceOf(Rewrite.Rewritten.class);
    }

    /** Generated keys of a write that joins users without reading email: PgJDBC's RETURNING * would read it. */
    @Test
    void generatedKeysOfAWriteJoiningUsersReadTheNewTable() {
        RewritePlan plan = rewriter.plan("UPDATE orders o SET note = 'n' FROM users u WHERE u.id = o.user_id");
        assertThat(plan.forPhase(Phase.CONTRACTED)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(((Rewrite.Rewritten) plan.forPhaseReturning(Phase.CONTRACTED, "*")).sql()).isEqualTo("UPDATE orders o"
                + " SET note = 'n' FROM users u WHERE u.id = o.user_id RETURNING o.*, u.\"id\", u.\"name\", "
                + newEmail("u") + " AS \"email\", u.\"created_at\"");
        assertThat(plan.forPhaseReturning(Phase.CONTRACTED, "\"id\"")).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(plan.forPhaseReturning(Phase.DUAL_WRITE, "*")).isSameAs(Rewrite.PASS_THROUGH);
    }

    /**
     * DO UPDATE that leaves the column alone: an updated row is synced to the value it keeps (read locked in RETURNING),
     * so that the sync's count, the statement's, counts it as the original's update count did.
     */
    @Test
    void insertSelectDoUpdateOfOtherColumnsSyncsTheUpdatedRowToItsOwnValue() {
        String sql = translated("INSERT INTO users (id, name, email) SELECT id, name, address FROM staging"
                + " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name").sql();
        String kept = newEmail("users");
        kept = kept.substring(0, kept.length() - 1) + " FOR NO KEY UPDATE)";
        assertThat(sql).contains(" RETURNING \"id\" AS \"dw$k\", CASE WHEN users.xmax = 0 THEN NULL ELSE ARRAY[CAST(("
                + kept + ") AS character varying(255))] END AS \"dw$v\")");
        assertThat(sql).contains(" SELECT w.\"dw$k\", CASE WHEN w.\"dw$v\" IS NULL THEN CAST((q.\"dw$c3\") AS character"
                + " varying) ELSE w.\"dw$v\"[1] END, false FROM \"dw$w\" w JOIN (SELECT DISTINCT ON (\"dw$c1\") * FROM"
                + " \"dw$q\" ORDER BY \"dw$c1\", \"dw$n\") AS q ON q.\"dw$c1\" = w.\"dw$k\" WHERE");
    }

    /** Without the key in the column list, the key's default is computed per query row in the CTE and given to the row. */
    @Test
    void insertSelectWithoutTheKeyComputesItsDefaultPerQueryRow() {
        StatementRewriter serial = new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL,
                List.of("id", "name", "email", "created_at"), "character varying(255)", null, false, false, false,
                "nextval('users_id_seq'::regclass)")));
        Rewrite r = serial.plan("INSERT INTO users (name, email) SELECT name, address FROM staging").forPhase(Phase.CONTRACTED);
        assertThat(r).isInstanceOf(Rewrite.Rewritten.class);
        assertThat(((Rewrite.Rewritten) r).sql()).startsWith("WITH \"dw$q\" AS MATERIALIZED (SELECT \"dw$r\".*,"
                + " nextval('users_id_seq'::regclass) AS \"dw$c3\", row_number() OVER () AS \"dw$n\" FROM (SELECT name,"
                + " address FROM staging) AS \"dw$r\"(\"dw$c1\", \"dw$c2\")), \"dw$w\" AS (INSERT INTO users (name, \"id\")"
                + " SELECT \"dw$c1\", \"dw$c3\" FROM \"dw$q\" ORDER BY \"dw$n\" RETURNING \"id\" AS \"dw$k\") ");
        // without a default the driver can compute, it stays refused (TranslationTest#refusedAfterTheContract)
        assertThat(rewriter.plan("INSERT INTO users (name, email) SELECT name, address FROM staging")
                .forPhase(Phase.CONTRACTED)).isInstanceOf(Rewrite.Rejected.class);
    }

    /**
     * With a unique index on the value, ON CONFLICT DO NOTHING without a target also skips a row whose email is taken: the
     * new table's row goes in first, without a target too ({@code ValueArbiterInsert#EVERY_UNIQUE_INDEX}); one VALUES row
     * only. ON CONSTRAINT that index arbitrates by it, which the translation cannot: refused, naming the fix.
     */
    @Test
    void doNothingWithoutAConflictTargetLetsTheNewTableDecideWhenTheValueIsUnique() {
        StatementRewriter unique = new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL,
                List.of("id", "name", "email", "created_at"), "character varying(255)", null, false, true, false,
                "nextval('users_id_seq'::regclass)", List.of("users_email_key"))));
        for (String sql : List.of("INSERT INTO users (id, name, email) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                "INSERT INTO users VALUES (1, 'n', 'x@y', now()) ON CONFLICT DO NOTHING")) {
            assertThat(unique.plan(sql).forPhase(Phase.CONTRACTED)).as(sql).isInstanceOfSatisfying(Rewrite.Rewritten.class,
                    w -> assertThat(w.sql()).contains("\"is_primary\") SELECT \"dw$k\", \"dw$v\", true FROM \"dw$r\"",
                            "ON CONFLICT DO NOTHING RETURNING \"user_id\")", "FROM \"dw$r\" WHERE \"dw$v\" IS NULL OR EXISTS"
                            + " (SELECT FROM \"dw$t\") ON CONFLICT DO NOTHING RETURNING", "\"dw$x\" AS (INSERT INTO"));
        }
        String query = "INSERT INTO users (id, name, email) SELECT id, name, address FROM staging ON CONFLICT DO NOTHING";
        assertThat(unique.plan(query).forPhase(Phase.CONTRACTED)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                r -> assertThat(r.reason()).contains("INSERT … ON CONFLICT DO NOTHING (without a conflict target, while"
                        + " a unique index reads email) with a query", "insert VALUES rows"));
        assertThat(rewriter.plan(query).forPhase(Phase.CONTRACTED)).as("no unique index").isInstanceOf(Rewrite.Rewritten.class);
        // several rows: the next row's arbiter only after the previous row's leftover is gone
        assertThat(unique.plan("INSERT INTO users (id, name, email) VALUES (1, 'a', 'a@x'), (2, 'b', 'b@x') ON CONFLICT DO NOTHING")
                .forPhase(Phase.CONTRACTED)).isInstanceOfSatisfying(Rewrite.Rewritten.class, w -> assertThat(w.sql()).contains(
                "\"dw$x1\" AS (INSERT INTO", "\"dw$r2\" AS MATERIALIZED (SELECT 2 AS \"dw$k\", CAST(('b@x') AS character varying)"
                        + " AS \"dw$v\" FROM (SELECT count(*) FROM \"dw$x1\") AS \"dw$o\")", "\"dw$x2\" AS (INSERT INTO"));
        assertThat(unique.plan("INSERT INTO users (id, name, email) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING")
                .forPhase(Phase.CONTRACTED)).isInstanceOf(Rewrite.Rewritten.class);
        // ON CONSTRAINT: refused only for an index that reads the value
        assertThat(unique.plan("INSERT INTO users (id, name, email) VALUES (?, ?, ?) ON CONFLICT ON CONSTRAINT"
                + " \"users_email_key\" DO UPDATE SET name = EXCLUDED.name").forPhase(Phase.CONTRACTED))
                .isInstanceOfSatisfying(Rewrite.Rejected.class, r -> assertThat(r.reason())
                        .contains("ON CONFLICT ON CONSTRAINT \"users_email_key\", a unique index on email"));
        assertThat(unique.plan("INSERT INTO users (id, name, email) VALUES (?, ?, ?) ON CONFLICT ON CONSTRAINT users_pkey"
                + " DO NOTHING").forPhase(Phase.CONTRACTED)).isInstanceOf(Rewrite.Rewritten.class);
    }

    /** PostgreSQL assigns a row constructor's items one by one: the same as {@code SET name = ?, email = ?}. */
    @Test
    void rowAssignmentIsTranslatedItemByItem() {
        Rewrite.Rewritten r = translated("UPDATE users SET (name, email) = (?, ?) WHERE id = ?");
        assertThat(r.sql()).isEqualTo("WITH \"dw$w\" AS (UPDATE users SET name = ? WHERE id = ?"
                + " RETURNING users.\"id\" AS \"dw$k\", CAST((?) AS character varying) AS \"dw$v\") " + SYNC
                + "SELECT \"dw$k\", \"dw$v\", false FROM \"dw$w\"" + Fixtures.RLS_GUARD);
        assertThat(r.parameterSources()).containsExactly(1, 3, 2);
        Rewrite.Rewritten alone = translated("UPDATE users u SET (email) = ROW(lower(u.email)) WHERE u.id = 1");
        assertThat(alone.sql()).startsWith("WITH \"dw$w\" AS (UPDATE users u SET \"id\" = u.\"id\" WHERE u.id = 1"
                + " RETURNING u.\"id\" AS \"dw$k\", CAST((lower(" + lockedEmail("u") + ")) AS character varying)");
    }

    /** ON CONFLICT … DO UPDATE's row form translates as UPDATE's does: item by item, the column's out of the SET list. */
    @Test
    void conflictRowAssignmentIsTranslatedItemByItem() {
        Rewrite.Rewritten r = translated("INSERT INTO users (id, name, email) VALUES (?, ?, ?) ON CONFLICT (id)"
                + " DO UPDATE SET (name, email) = (EXCLUDED.name, lower(EXCLUDED.email))");
        assertThat(r.sql()).contains("ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name RETURNING")
                .doesNotContain("(name, email)");
        assertThat(translated("INSERT INTO users (id, name, email) VALUES (?, ?, ?) ON CONFLICT (id)"
                + " DO UPDATE SET (email) = ROW(EXCLUDED.email)").sql())
                .contains("ON CONFLICT (id) DO UPDATE SET \"id\" = users.\"id\" RETURNING");
        for (String refused : List.of("SET (name, email) = (EXCLUDED.name, name)", "SET (name, email) = (SELECT 'a', 'b')",
                "SET (email, email) = (EXCLUDED.email, 'b')", "SET (name, email) = ('a')")) {
            assertThat(rewriter.plan("INSERT INTO users (id, name, email) VALUES (1, 'n', 'x') ON CONFLICT (id)"
                    + " DO UPDATE " + refused).forPhase(Phase.CONTRACTED)).as(refused).isInstanceOf(Rewrite.Rejected.class);
        }
    }

    /**
     * An INSERT's query and a write's WITH queries do not see the written table: their unqualified email is another's,
     * as are the names of their columns.
     */
    @Test
    void queriesThatCannotSeeTheWrittenTableKeepTheirOwnEmail() {
        Rewrite.Rewritten r = translated("INSERT INTO users (id, email) SELECT id, email FROM staging");
        assertThat(r.sql()).contains("FROM (SELECT id, email FROM staging) AS \"dw$r\"");
        Rewrite.Rewritten with = translated("WITH s AS (SELECT id, email FROM staging) UPDATE users SET email = s.email"
                + " FROM s WHERE s.id = users.id");
        assertThat(with.sql()).startsWith("WITH s AS (SELECT id, email FROM staging), \"dw$w\" AS (UPDATE users SET"
                + " \"id\" = users.\"id\" FROM s WHERE s.id = users.id RETURNING users.\"id\" AS \"dw$k\", CAST((s.email)");
        // the names a WITH list gives its queries' columns are not references
        Rewrite.Rewritten columns = translated("WITH RECURSIVE s(id, email) AS NOT MATERIALIZED (VALUES (1, 'a@x')),"
                + " email(email) AS (SELECT 'b') UPDATE users SET email = s.email FROM s WHERE s.id = users.id");
        assertThat(columns.sql()).contains("FROM s WHERE s.id = users.id RETURNING users.\"id\" AS \"dw$k\", CAST((s.email)");
        // in VALUES the value moves into RETURNING, where the written table is visible: still an open question
        assertThat(rewriter.plan("INSERT INTO users (id, email) VALUES (1, (SELECT email FROM staging LIMIT 1))")
                .forPhase(Phase.CONTRACTED)).isInstanceOf(Rewrite.Rejected.class);
    }

    /** A write to another table keeps its own text; only its reads of the migrated column read the new table. */
    @Test
    void writeToAnotherTableReadsTheNewTable() {
        Rewrite.Rewritten insert = translated("INSERT INTO audit (uid, email) SELECT id, email FROM users WHERE id = ?"
                + " RETURNING email");
        assertThat(insert.sql()).isEqualTo("INSERT INTO audit (uid, email) SELECT id, " + newEmail("users")
                + " AS \"email\" FROM users WHERE id = ? RETURNING email");
        assertThat(insert.kind()).isEqualTo(Rewrite.Kind.READ_NEW);
        assertThat(translated("UPDATE orders o SET note = u.email FROM users u WHERE u.id = o.user_id").sql())
                .isEqualTo("UPDATE orders o SET note = " + newEmail("u") + " FROM users u WHERE u.id = o.user_id");
        assertThat(translated("DELETE FROM orders o WHERE o.user_id IN (SELECT id FROM users WHERE email LIKE ?)").sql())
                .isEqualTo("DELETE FROM orders o WHERE o.user_id IN (SELECT id FROM users WHERE " + newEmail("users")
                        + " LIKE ?)");
        // the written table's own column of that name is not the migrated one
        assertThat(rewriter.plan("UPDATE orders SET email = 'x' WHERE user_id IN (SELECT id FROM users)")
                .forPhase(Phase.CONTRACTED)).isSameAs(Rewrite.PASS_THROUGH);
    }

    @Test
    void updateThatOnlyReadsTheColumnIsTranslatedInPlace() {
        Rewrite.Rewritten r = translated("UPDATE users SET name = ? WHERE email = ?");
        assertThat(r.sql()).isEqualTo("UPDATE users SET name = ? WHERE " + Fixtures.lookup("users", "= ?"));
        assertThat(r.parameterSources()).isNull();
        r = translated("UPDATE users SET name = ? WHERE email LIKE ?");
        assertThat(r.sql()).isEqualTo("UPDATE users SET name = ? WHERE " + newEmail("users") + " LIKE ?");
    }

    @Test
    void deleteReturningGivesTheValueBefore() {
        Rewrite.Rewritten r = translated("DELETE FROM users u WHERE u.id = ? RETURNING u.email");
        assertThat(r.sql()).isEqualTo("WITH \"dw$w\" AS (DELETE FROM users u WHERE u.id = ? RETURNING " + newEmail("u")
                + " AS \"email\", u.\"id\" AS \"dw$k\", NULL AS \"dw$v\"), \"dw$s\" AS (" + SYNC
                + "SELECT \"dw$k\", NULL, true FROM \"dw$w\"" + Fixtures.RLS_GUARD + ") SELECT * FROM \"dw$w\"");
        assertThat(r.hiddenColumns()).isEqualTo(2);
    }

    @Test
    void insertMovesTheValueAndMultiRowBecomesOneWritePerRowInOrder() {
        Rewrite.Rewritten r = translated("INSERT INTO users (email, name) VALUES (?, ?), (?, ?)");
        assertThat(r.sql()).isEqualTo("WITH \"dw$w1\" AS (INSERT INTO users (name) VALUES (?) RETURNING \"id\" AS"
                + " \"dw$k\", CAST((?) AS character varying) AS \"dw$v\"), \"dw$w2\" AS (INSERT INTO users (name) VALUES (?)"
                + " RETURNING \"id\" AS \"dw$k\", CAST((?) AS character varying) AS \"dw$v\") " + SYNC + "SELECT \"dw$k\","
                + " \"dw$v\", false FROM \"dw$w1\"" + Fixtures.RLS_GUARD + " UNION ALL SELECT \"dw$k\", \"dw$v\", false"
                + " FROM \"dw$w2\"" + Fixtures.RLS_GUARD);
        assertThat(r.parameterSources()).containsExactly(2, 1, 4, 3);
    }

    @Test
    void insertWithoutColumnListWritesTheOriginalColumnsWithoutTheOldOne() {
        Rewrite.Rewritten r = translated("INSERT INTO users VALUES (1, 'a', 'a@x', now())");
        assertThat(r.sql()).startsWith("WITH \"dw$w\" AS (INSERT INTO users (\"id\", \"name\", \"created_at\")"
                + " VALUES (1, 'a', now()) RETURNING \"id\" AS \"dw$k\", CAST(('a@x') AS character varying) AS \"dw$v\")");
    }

    /** A NATURAL join with relations that have no column of the migrated column's name never joined on it: translated. */
    @Test
    void aNaturalJoinWithRelationsWithoutTheColumnIsTranslated() {
        StatementRewriter known = new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL,
                List.of("id", "name", "email", "created_at"), "character varying(255)", null, false, false, false, null,
                List.of(), Set.of(new RelationName("public", "contacts")))));
        assertThat(known.plan("SELECT count(*), email FROM users NATURAL JOIN orders GROUP BY email").forPhase(Phase.CONTRACTED))
                .isInstanceOf(Rewrite.Rewritten.class);
        assertThat(known.plan("SELECT count(*) FROM users NATURAL JOIN orders").forPhase(Phase.CONTRACTED))
                .isSameAs(Rewrite.PASS_THROUGH);
        // with one that has or may have the column, the query joins users as a derived table of its original columns
        for (String sql : List.of("SELECT count(*) FROM users NATURAL JOIN contacts", "SELECT 1 FROM users NATURAL JOIN users u2",
                "SELECT 1 FROM users NATURAL JOIN (SELECT * FROM orders) o")) {
            RewritePlan plan = known.plan(sql);
            assertThat(plan.forPhase(Phase.CONTRACTED)).as(sql).isInstanceOfSatisfying(Rewrite.Rewritten.class,
                    r -> assertThat(r.sql()).contains(" FROM users) AS users NATURAL JOIN "));
            assertThat(plan.forPhase(Phase.READ_NEW)).as(sql).isEqualTo(plan.forPhase(Phase.CONTRACTED));
        }
        assertThat(known.plan("SELECT 1 FROM users NATURAL JOIN users u2").forPhase(Phase.CONTRACTED))
                .isInstanceOfSatisfying(Rewrite.Rewritten.class, r -> assertThat(r.sql()).contains(" FROM users u2) u2"));
        // elsewhere than in a query, still refused
        assertThat(known.plan("INSERT INTO contacts (id) SELECT id FROM users NATURAL JOIN contacts").forPhase(Phase.CONTRACTED))
                .isInstanceOfSatisfying(Rewrite.Rejected.class, r -> assertThat(r.reason()).contains("NATURAL join"));
    }

    /** Without a column list the query's columns fill the first columns of the original order: the list is written out. */
    @Test
    void insertSelectWithoutColumnListWritesTheColumnsTheQueryFills() {
        assertThat(translated("INSERT INTO users SELECT id + 10, name, email FROM staging").sql()).startsWith(
                "WITH \"dw$q\" AS MATERIALIZED (SELECT \"dw$r\".*, row_number() OVER () AS \"dw$n\" FROM (SELECT id + 10,"
                + " name, email FROM staging) AS \"dw$r\"(\"dw$c1\", \"dw$c2\", \"dw$c3\")), \"dw$w\" AS (INSERT INTO"
                + " users (\"id\", \"name\") SELECT \"dw$c1\", \"dw$c2\" FROM \"dw$q\" ORDER BY \"dw$n\" RETURNING");
        // two columns: the email column keeps its default, the statement is not rewritten
        assertThat(rewriter.plan("INSERT INTO users SELECT 1, name FROM staging").forPhase(Phase.CONTRACTED))
                .isInstanceOf(Rewrite.PassThrough.class);
        for (String sql : List.of("INSERT INTO users SELECT * FROM staging", "INSERT INTO users SELECT s.* FROM staging s",
                "INSERT INTO users TABLE staging", "INSERT INTO users SELECT 1, 'n', 'e', now(), 'too many'")) {
            assertThat(rewriter.plan(sql).forPhase(Phase.CONTRACTED)).as(sql).isInstanceOf(Rewrite.Rejected.class);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SELECT a, b, c FROM s | 3",
        "SELECT DISTINCT ON (a, b) a, f(b, c) AS \"from\", c AS from FROM s | 3",
        "(SELECT a, b) UNION ALL (SELECT c, d) | 2",
        "WITH RECURSIVE w (x) AS (SELECT 1), v AS MATERIALIZED (SELECT 2) SELECT x, x IS DISTINCT FROM 1 FROM w | 2",
        "SELECT extract(year FROM now()), (SELECT 1 FROM t), s.from ORDER BY 1 | 3",
        "SELECT a FOR UPDATE | 1",
        "SELECT (s).* FROM s | -1",
        "SELECT a, * FROM s | -1",
        "VALUES (1, 2) | -1",
        "SELECT FROM s | -1",
    })
    void queryWidthCountsTheFirstSelectList(String query, int width) {
        Sig t = new Sig(Statements.significant(Lexer.tokenize(query)));
        assertThat(InsertSelectForm.queryWidth(t, 0, t.size())).as(query).isEqualTo(width);
    }

    @Test
    void generatedKeysReturnTheOldColumnInItsPlace() {
        RewritePlan plan = rewriter.plan("insert into users (name, email) values (?, ?)");
        Rewrite keys = plan.forPhaseReturning(Phase.CONTRACTED, "*");
        assertThat(keys).isInstanceOfSatisfying(Rewrite.Rewritten.class, w -> {
            assertThat(w.kind()).isEqualTo(Rewrite.Kind.DUAL_WRITE_RETURNING);
            assertThat(w.hiddenColumns()).isEqualTo(2);
            assertThat(w.sql()).contains("RETURNING users.\"id\", users.\"name\", CAST((?) AS character varying(255))"
                    + " AS \"email\", users.\"created_at\", \"id\" AS \"dw$k\"");
            assertThat(w.parameterSources()).containsExactly(1, 2, 2);
        });
        assertThat(plan.forPhaseReturning(Phase.NEW_ONLY, "*")).isEqualTo(keys);
        // an UPDATE that does not touch the column: PgJDBC's own RETURNING "id" is exact, but * must show email
        RewritePlan other = rewriter.plan("UPDATE users SET name = ? WHERE id = ?");
        assertThat(other.forPhase(Phase.CONTRACTED)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(other.forPhaseReturning(Phase.CONTRACTED, "\"id\"")).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(other.forPhaseReturning(Phase.CONTRACTED, "*")).isInstanceOfSatisfying(Rewrite.Rewritten.class,
                w -> assertThat(w.sql()).contains(newEmail("users") + " AS \"email\""));
    }

    @Test
    void severalStatementsAreSplicedWithTheParameterMapOfTheWholeString() {
        Rewrite.Rewritten r = translated("UPDATE users SET name = 'a' WHERE email = 'x'; SELECT email FROM users");
        assertThat(r.sql()).isEqualTo("UPDATE users SET name = 'a' WHERE " + Fixtures.lookup("users", "= 'x'") + "; SELECT "
                + newEmail("users") + " AS \"email\" FROM users");
        assertThat(r.parameterSources()).isNull();
        // the UPDATE's markers are swapped (its WHERE comes first in the translation); PgJDBC numbers all of them in order
        String update = "UPDATE users SET email = ? WHERE id = ?";
        int[] moved = translated(update).parameterSources();
        assertThat(moved).containsExactly(2, 1);
        assertThat(translated(update + "; DELETE FROM users WHERE id = ?").parameterSources()).containsExactly(2, 1, 3);
        assertThat(translated("SELECT ?; " + update + "; SELECT ? FROM orders").parameterSources())
                .containsExactly(1, 3, 2, 4);
    }

    /** WHERE CURRENT OF needs a cursor on a plain scan of the table: no key range join, no lookup by value (24000). */
    @Test
    void aCursorsQueryStaysAScanOfTheTable() {
        assertThat(translated("DECLARE c CURSOR FOR SELECT id, email FROM users WHERE id >= 2 AND email = 'x'").sql())
                .isEqualTo("DECLARE c CURSOR FOR SELECT id, " + newEmail("users") + " AS \"email\" FROM users WHERE id >= 2 AND "
                        + newEmail("users") + " = 'x'");
        assertThat(translated("SELECT id, email FROM users WHERE id >= 2 AND email = 'x'").sql()).contains("\"dw$l\"");
    }

    /** A default that calls nextval('…'::regclass), which jOOQ 3.19 cannot parse, is still translated where it fills the column. */
    @Test
    void aDefaultWithARegclassCastIsTranslated() {
        StatementRewriter withDefault = new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL,
                List.of("id", "name", "email", "created_at"), "text", "('d'::text || nextval('sd'::regclass))", false, false,
                false)));
        for (String sql : List.of("INSERT INTO users (id, name) VALUES (7, 'x')", "UPDATE users SET email = DEFAULT WHERE id = 1")) {
            assertThat(withDefault.plan(sql).forPhase(Phase.CONTRACTED)).as(sql).isInstanceOfSatisfying(Rewrite.Rewritten.class,
                    w -> assertThat(w.sql()).contains("nextval('sd'::regclass)"));
        }
    }

    /** Malformed INSERTs that PostgreSQL rejects with 42601 are refused as such, in every form (no value out of range). */
    @Test
    void anInsertPostgresqlRejectsForItsShapeIsRefused() {
        for (String sql : List.of("INSERT INTO users (id, name, email) VALUES (870, 'a', 'b@x', 'extra')",
                "INSERT INTO users (id, email) VALUES (879, 'a@x', 'extra') ON CONFLICT (id) DO NOTHING",
                "INSERT INTO users (id, name, email) VALUES (1, 'a',)",
                "INSERT INTO users (id, name, email) SELECT 880, 'n', 'e@x', 'extra'")) {
            assertThat(rewriter.plan(sql).forPhase(Phase.CONTRACTED)).as(sql).isInstanceOfSatisfying(Rewrite.Rejected.class,
                    x -> assertThat(x.reason()).contains("42601"));
        }
    }

    /**
     * An INSERT's or UPDATE's value is computed in RETURNING for the sync and again for the application's list: only a
     * value that is the same each time may be returned so (nextval twice would store one value and return another).
     */
    @Test
    void aWriteReturningAValueThatMayDifferEachTimeIsRefused() {
        for (String sql : List.of("INSERT INTO users (id, name, email) VALUES (7, 'r', 'e' || nextval('s')) RETURNING email",
                "INSERT INTO users (id, name, email) VALUES (7, 'r', (SELECT random()::text)) RETURNING *",
                "INSERT INTO users (id, email) VALUES (2, 'c') ON CONFLICT (id) DO UPDATE SET email = 'u' || nextval('s') RETURNING email")) {
            assertThat(rewriter.plan(sql).forPhase(Phase.CONTRACTED)).as(sql).isInstanceOfSatisfying(Rewrite.Rejected.class,
                    x -> assertThat(x.reason()).contains("may not be immutable"));
        }
        translated("INSERT INTO users (id, name, email) VALUES (7, 'r', lower(?)) RETURNING *");
        // one snapshot: the same rows each time; an UPDATE's too, computed on the row as PostgreSQL re-read it
        translated("INSERT INTO users (id, name, email) VALUES (7, 'r', (SELECT email FROM users WHERE id = 1)) RETURNING *");
        translated("UPDATE users SET email = (SELECT u2.email FROM users u2 WHERE u2.id = 2) WHERE id = 3 RETURNING email");
        translated("UPDATE users SET email = lower((SELECT name FROM orders WHERE user_id = users.id)) RETURNING *");
        // stable built-ins and order-free aggregates give one value within the statement; another schema's function may not
        translated("UPDATE users SET email = concat_ws('.', name, email) WHERE id = 2 RETURNING email");
        translated("UPDATE users SET email = email || (SELECT count(*) FROM users u2 WHERE u2.email IS NOT NULL) RETURNING email");
        translated("UPDATE users SET email = now()::text WHERE id = 2 RETURNING *");
        translated("UPDATE users SET email = jsonb_set(email::jsonb, '{a}', to_jsonb(now()))::text RETURNING email");
        translated("UPDATE users SET email = array_to_string(array_append(string_to_array(email, '@'), 'x'), '.') RETURNING *");
        assertThat(rewriter.plan("UPDATE users SET email = app.lower(email) WHERE id = 2 RETURNING email")
                .forPhase(Phase.CONTRACTED)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                        x -> assertThat(x.reason()).contains("may not be immutable"));
        // a FROM item's column alias list is no call; a function in FROM is one
        translated("INSERT INTO users (id, name, email) VALUES (7, 'r', (SELECT c FROM users v(a, b, c) WHERE a = 1)) RETURNING *");
        assertThat(rewriter.plan("INSERT INTO users (id, name, email) VALUES (7, 'r', (SELECT x FROM nextval('s') v(x)))"
                + " RETURNING email").forPhase(Phase.CONTRACTED)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                        x -> assertThat(x.reason()).contains("may not be immutable"));
        assertThat(rewriter.plan("UPDATE users SET email = (SELECT email || random()::text) WHERE id = 1 RETURNING email")
                .forPhase(Phase.CONTRACTED)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                        x -> assertThat(x.reason()).contains("may not be immutable"));
        translated("INSERT INTO users (id, name, email) VALUES (7, 'r', 'e' || nextval('s')) RETURNING id");
        StatementRewriter withDefault = new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL,
                List.of("id", "name", "email", "created_at"), "text", "next_email()", false, false, false)));
        assertThat(withDefault.plan("INSERT INTO users (id, name) VALUES (7, 'r') RETURNING *").forPhase(Phase.CONTRACTED))
                .isInstanceOf(Rewrite.Rejected.class);
        assertThat(withDefault.plan("INSERT INTO users (id, name) VALUES (7, 'r') RETURNING id").forPhase(Phase.CONTRACTED))
                .isInstanceOf(Rewrite.Rewritten.class);
        // PostgreSQL computes the default for a row ON CONFLICT leaves alone too: for a query's rows RETURNING cannot
        // tell which those were, so a default that may differ each time is refused there, a constant one translated
        String query = "INSERT INTO users (id, name) SELECT id + 100, name FROM users ON CONFLICT (id) DO NOTHING";
        assertThat(withDefault.plan(query).forPhase(Phase.CONTRACTED)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                x -> assertThat(x.reason()).contains("INSERT … SELECT … ON CONFLICT", "may not be immutable"));
        StatementRewriter constantDefault = new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL,
                List.of("id", "name", "email", "created_at"), "text", "'none'::text", false, false, false)));
        assertThat(constantDefault.plan(query).forPhase(Phase.CONTRACTED)).isInstanceOf(Rewrite.Rewritten.class);
    }

    /** jOOQ, which checks the rewritten read, misreads "$1 AND …"; it is shown ? there. */
    @Test
    void aNumberedParameterInALookupByValueIsTranslated() {
        assertThat(translated("PREPARE q(text) AS SELECT id FROM users WHERE email = $1 AND name <> ''").sql())
                .isEqualTo("PREPARE q(text) AS SELECT id FROM users WHERE " + Fixtures.lookup("users", "= $1") + " AND name <> ''");
    }

    @Test
    void hostedStatementsFollowTheTranslation() {
        assertThat(translated("EXPLAIN ANALYZE UPDATE users SET email = 'x' WHERE id = 1").sql())
                .startsWith("EXPLAIN ANALYZE WITH \"dw$w\" AS (UPDATE users SET \"id\" = users.\"id\" WHERE id = 1");
        assertThat(translated("CREATE TABLE t AS SELECT email FROM users").sql())
                .isEqualTo("CREATE TABLE t AS SELECT " + newEmail("users") + " AS \"email\" FROM users");
        assertThat(rewriter.plan("PREPARE p AS UPDATE users SET name = $1 WHERE email = $2").forPhase(Phase.CONTRACTED))
                .isInstanceOf(Rewrite.Rejected.class);
    }

    /** Refused in the translated phases, never passed through: each would read or write the dropped column. */
    @ParameterizedTest
    @ValueSource(strings = {
        "MERGE INTO users u USING s ON s.id = u.id WHEN MATCHED THEN UPDATE SET email = s.email",
        "COPY users FROM STDIN",
        "COPY users TO STDOUT",
        "ALTER TABLE users ALTER COLUMN email TYPE text",
        "CREATE INDEX ON users (email)",
        "COMMENT ON COLUMN users.email IS 'x'",
        "UPDATE users SET (name, email) = (SELECT 'a', 'b') WHERE id = 1",
        "UPDATE users SET (name, email) = ('a') WHERE id = 1",
        "UPDATE users SET (email) = ('a') WHERE id = 1",
        "UPDATE users SET (name, email) = ('a', 'b', 'c') WHERE id = 1",
        "UPDATE users SET (email, email) = ('a', 'b') WHERE id = 1",
        "WITH u AS (UPDATE contacts SET email = upper(email) FROM users x WHERE x.id = contacts.user_id RETURNING user_id)"
                + " UPDATE users SET email = 'q' FROM u WHERE users.id = u.user_id",
        "INSERT INTO users (id, name, email) VALUES (1, 'n', 'x') ON CONFLICT (id) DO UPDATE"
                + " SET name = (SELECT count(*)::text FROM tags WHERE tag = email)",
        "UPDATE users SET name = 'n' FROM contacts c WHERE c.user_id = users.id AND EXISTS (SELECT 1 FROM tags WHERE tag = email)",
        "SELECT count(*) FROM users HAVING EXISTS (SELECT 1 FROM tags WHERE tag = min(email))",
        "SELECT (SELECT count(*) FROM tags WHERE tag = max(email)) FROM users",
        "SELECT name, (SELECT count(*) FROM tags WHERE tag = email) FROM users GROUP BY name, email",
        "SELECT (SELECT count(*) FILTER (WHERE email LIKE '%x%') FROM tags LIMIT 1) FROM users",
        "SELECT (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY email) FROM tags) FROM users",
        "UPDATE users SET email[1] = 'a'",
        "UPDATE users SET (id) = ROW(2) WHERE email = 'x'",
        "UPDATE users u SET email = u.name, name = o.note FROM orders o WHERE o.user_id = u.id",
        "UPDATE users SET email = (SELECT name), name = 'x' WHERE id = 1",
        "UPDATE users SET email = name, name = 'x' WHERE CURRENT OF c",
        "UPDATE users SET email = (users).name, name = 'x' WHERE id = 1",
        "UPDATE users SET email = lower(email) || random()::text RETURNING email",
        "UPDATE users u SET email = random()::text FROM orders o WHERE o.user_id = u.id RETURNING u.email",
        "INSERT INTO users (name, email) SELECT name, address FROM staging",
        "INSERT INTO users (id, email) SELECT id, address FROM staging ON CONFLICT (name) DO UPDATE SET name = 'x'",
        "INSERT INTO users (id, email) SELECT id, address FROM staging ON CONFLICT (id) DO UPDATE"
                + " SET email = lower(EXCLUDED.email)",
        "INSERT INTO users (id, email) SELECT id, address FROM staging ON CONFLICT (id) DO UPDATE"
                + " SET name = EXCLUDED.email",
        "INSERT INTO users (id, email) VALUES (1, 'x') ON CONFLICT (email, name) DO NOTHING",
        "INSERT INTO users (id, email) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET name = (excluded).name",
        "INSERT INTO audit SELECT u FROM users u",
        "UPDATE orders o SET note = email FROM users u WHERE u.id = o.user_id",
        "DELETE FROM orders USING users u WHERE u.id = orders.user_id AND email = 'x'",
        "MERGE INTO orders o USING users u ON u.id = o.user_id WHEN MATCHED THEN UPDATE SET note = u.email",
        "SELECT u FROM users u",
        "UPDATE users SET name = 'x' RETURNING users",
        "PREPARE p AS UPDATE users SET email = $1",
        "EXPLAIN ANALYZE MERGE INTO users u USING s ON s.id = u.id WHEN MATCHED THEN DELETE",
        "DO $$ BEGIN UPDATE users SET email = NULL; END $$",
        "CREATE VIEW v AS SELECT email FROM users",
        "SELECT * FROM json_populate_record(null::users, ?)",
        "INSERT INTO users SELECT * FROM json_populate_recordset(NULL::public.users, ?)",
        "SELECT (ROW(1, 'n', 'e@x', now())::users).name",
        "INSERT INTO users (id, name, email) VALUES (1, 'x', 'y@x.io') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.name",
        "INSERT INTO users VALUES (13, 'a', DEFAULT), (16, 'd')",
        "INSERT INTO users (id, email, email) VALUES (71, 'a@x.io', 'b@x.io')",
        "UPDATE users SET email = 'x@x.io', email = 'y@x.io' WHERE id = 1",
        "INSERT INTO users (id, name, email) VALUES (1, 'x', ?) ON CONFLICT (id) DO UPDATE SET email ="
                + " CASE WHEN EXCLUDED.name IS NULL THEN users.email ELSE EXCLUDED.email END RETURNING *",
        // PostgreSQL: ambiguous (42702), the FROM/USING item, WITH query, second users or EXCLUDED having it too
        "UPDATE users SET name = email FROM (SELECT 'fromsub' AS email) s WHERE users.id = 1",
        "DELETE FROM users USING (VALUES ('x')) v(email) WHERE users.id = 2 AND email LIKE 'bob%'",
        "UPDATE users SET name = 'self' FROM users v WHERE v.id = users.id AND email IS NULL",
        "WITH x AS (SELECT 'cte' AS email) UPDATE users SET name = email FROM x WHERE users.id = 1",
        "INSERT INTO users (id, name, email) VALUES (1, 'a', 'b') ON CONFLICT (id) DO UPDATE SET name = email",
        "INSERT INTO users (id, name, email) VALUES (1, 'a', 'b') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email"
                + " WHERE email IS DISTINCT FROM EXCLUDED.email",
    })
    void refusedAfterTheContract(String sql) {
        RewritePlan plan = rewriter.plan(sql);
        assertThat(plan.forPhase(Phase.CONTRACTED)).as(sql).isInstanceOfSatisfying(Rewrite.Rejected.class,
                r -> assertThat(r.reason()).contains("Statement: "));
        assertThat(plan.forPhase(Phase.NEW_ONLY)).isEqualTo(plan.forPhase(Phase.CONTRACTED));
    }

    /** A cast to the row type is exact while the column exists and is current: only the translation refuses. */
    @Test
    void refusedOnlyOnceTheOldColumnIsStale() {
        RewritePlan plan = rewriter.plan("SELECT * FROM json_populate_record(null::users, ?)");
        assertThat(plan.forPhase(Phase.DUAL_WRITE)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(plan.forPhase(Phase.READ_NEW)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(plan.forPhase(Phase.CONTRACTED)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                r -> assertThat(r.reason()).contains("row type"));
    }

    /** PostgreSQL reads TABLE name as SELECT * FROM name wherever a query stands: so does every phase's plan. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "TABLE users | SELECT * FROM users",
        "table ONLY users order by id limit 2 | SELECT * FROM ONLY users order by id limit 2",
        "TABLE ONLY (users) | SELECT * FROM ONLY (users)",
        "TABLE users * | SELECT * FROM users *",
        "SELECT * FROM (TABLE users) t ORDER BY id | SELECT * FROM (SELECT * FROM users) t ORDER BY id",
        "WITH x AS (TABLE ONLY public.users) SELECT * FROM x | WITH x AS (SELECT * FROM ONLY public.users) SELECT * FROM x",
        "WITH x AS MATERIALIZED (SELECT 1) TABLE users | WITH x AS MATERIALIZED (SELECT 1) SELECT * FROM users",
        "SELECT id, name, email, now() FROM contacts UNION ALL TABLE users"
                + " | SELECT id, name, email, now() FROM contacts UNION ALL SELECT * FROM users",
        "TABLE contacts EXCEPT TABLE users | SELECT * FROM contacts EXCEPT SELECT * FROM users",
        "INSERT INTO contacts TABLE users | INSERT INTO contacts SELECT * FROM users",
        "INSERT INTO contacts AS c (id, name, email) TABLE users | INSERT INTO contacts AS c (id, name, email) SELECT * FROM users",
        "SELECT count(*) FROM (TABLE users) t | SELECT count(*) FROM (SELECT * FROM users) t",
        "CREATE TEMP TABLE copy AS TABLE users WITH NO DATA | CREATE TEMP TABLE copy AS SELECT * FROM users WITH NO DATA",
        "EXPLAIN (COSTS off) TABLE users | EXPLAIN (COSTS off) SELECT * FROM users",
        "DECLARE c CURSOR WITH HOLD FOR TABLE users | DECLARE c CURSOR WITH HOLD FOR SELECT * FROM users",
        "COPY (TABLE users) TO STDOUT | COPY (SELECT * FROM users) TO STDOUT",
        "SELECT 1; TABLE users | SELECT 1; SELECT * FROM users",
    })
    void tableQueriesArePlannedAsTheSelectTheyAre(String sql, String select) {
        RewritePlan plan = rewriter.plan(sql);
        RewritePlan expected = rewriter.plan(select);
        for (Phase phase : Phase.values()) {
            assertThat(plan.forPhase(phase)).as("%s in %s", sql, phase).usingRecursiveComparison()
                    .isEqualTo(expected.forPhase(phase));
        }
        assertThat(plan.forPhase(Phase.CONTRACTED)).as(sql).isNotInstanceOf(Rewrite.Rejected.class);
    }

    /**
     * A set operation whose sides differ in width once the star is expanded: PostgreSQL rejects the original (42601),
     * so jOOQ's refusal of the expanded form is no sign of a faulty rewrite; it is sent, to fail alike.
     */
    @ParameterizedTest
    @ValueSource(strings = {"SELECT 1 UNION TABLE users", "SELECT id FROM users UNION SELECT * FROM users ORDER BY 1",
            "SELECT * FROM users EXCEPT SELECT id, email FROM users"})
    void aSetOperationOfDifferentWidthsIsLeftToPostgresql(String sql) {
        for (Phase phase : List.of(Phase.READ_NEW, Phase.CONTRACTED)) {
            assertThat(rewriter.plan(sql).forPhase(phase)).as("%s in %s", sql, phase).isInstanceOf(Rewrite.Rewritten.class);
        }
    }

    /** TABLE as a keyword of a command on the table itself reads no column. */
    @ParameterizedTest
    @ValueSource(strings = {"LOCK TABLE users IN SHARE MODE", "GRANT SELECT ON TABLE users TO PUBLIC", "TABLE contacts",
            "REINDEX (VERBOSE) TABLE users", "COMMENT ON TABLE users IS 'x'", "SELECT email AS table FROM users",
            "SELECT 1 AS table FROM users UNION SELECT 2 AS table FROM users"})
    void tableAsACommandsKeywordIsNotAQuery(String sql) {
        Rewrite r = rewriter.plan(sql).forPhase(Phase.CONTRACTED);
        assertThat(r).isNotInstanceOf(Rewrite.Rejected.class);
        if (r instanceof Rewrite.Rewritten w) {
            assertThat(w.sql()).doesNotContainIgnoringCase("SELECT *");
        }
    }

    @Test
    void aStarOverAnotherTableDoesNotMakeTheColumnAnOutputName() {
        // ORDER BY email is the user's email here: o.* outputs orders' columns, which have none of that name
        Rewrite.Rewritten r = translated("SELECT u.id, o.* FROM users u JOIN orders o ON o.user_id = u.id ORDER BY u.email");
        assertThat(r.sql()).endsWith("ORDER BY " + newEmail("u"));
        // unqualified, PostgreSQL resolves it among the FROM items, users a derived table of its original columns
        assertThat(translated("SELECT u.id, o.* FROM users u JOIN orders o ON o.user_id = u.id ORDER BY email").sql())
                .startsWith("SELECT u.id, o.* FROM (SELECT u.\"id\"").endsWith(" FROM users u) u JOIN orders o ON o.user_id = u.id ORDER BY email");
        assertThat(translated("SELECT DISTINCT ON (u.email) o.* FROM users u JOIN orders o ON o.user_id = u.id ORDER BY u.email")
                .sql()).startsWith("SELECT DISTINCT ON (" + newEmail("u") + ") o.*");
        // a star over the migrated table outputs the column: ORDER BY names that output column
        assertThat(translated("SELECT * FROM users ORDER BY email").sql()).endsWith("ORDER BY email");
    }

    @Test
    void aSchemaQualifiedStarOnTheMigratedTableIsExpanded() {
        Rewrite.Rewritten r = translated("SELECT public.users.* FROM users ORDER BY id");
        assertThat(r.sql()).isEqualTo("SELECT users.\"id\", users.\"name\", " + newEmail("users")
                + " AS \"email\", users.\"created_at\" FROM users ORDER BY id");
        assertThat(translated("UPDATE users SET name = 'n' WHERE id = 2 RETURNING public.users.*").sql())
                .doesNotContain("public.users.*");
    }

    @Test
    void writesToOtherTablesPassWhenTheyCannotReadTheColumn() {
        for (String sql : List.of("INSERT INTO stats SELECT count(*) FROM users",
                "UPDATE orders SET total = 0 WHERE user_id IN (SELECT id FROM users WHERE name = 'a')")) {
            assertThat(rewriter.plan(sql).forPhase(Phase.CONTRACTED)).as(sql).isSameAs(Rewrite.PASS_THROUGH);
        }
    }

    @Test
    void anInsertGivingTheColumnAValueNeedsItsRecordedType() {
        Rewrite r = Fixtures.rewriter().plan("INSERT INTO users (id, email) VALUES (1, 'x')").forPhase(Phase.CONTRACTED);
        assertThat(r).isInstanceOfSatisfying(Rewrite.Rejected.class,
                x -> assertThat(x.reason()).contains("did not supply the column's type"));
    }
}
