package io.dualwrite.rewriter.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import io.dualwrite.rewriter.SourceTable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code INSERT … ON CONFLICT (email) DO NOTHING} after the old column stops being written ({@link ValueArbiterInsert}):
 * the new table's row first, decided by the twin; the user's row only where it went in. Run against PostgreSQL by the
 * driver's {@code ConflictOnTheOldColumnTest}.
 */
class ValueArbiterInsertTest {

    private static final String KEY_DEFAULT = "nextval('users_id_seq'::regclass)";

    private static StatementRewriter rewriter(boolean storedMayDiffer, String keyDefault) {
        return new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL, List.of("id", "name", "email"),
                "character varying(255)", null, false, true, storedMayDiffer, keyDefault, List.of("users_email_key"))));
    }

    private static Rewrite translated(StatementRewriter r, String sql) {
        RewritePlan plan = r.plan(sql);
        assertThat(plan.forPhase(Phase.NEW_ONLY)).isEqualTo(plan.forPhase(Phase.CONTRACTED));
        return plan.forPhase(Phase.CONTRACTED);
    }

    @Test
    void theNewTablesRowFirstTheUsersRowWhereItWentIn() {
        Rewrite r = translated(rewriter(false, KEY_DEFAULT),
                "INSERT INTO users (name, email) VALUES (?, ?) ON CONFLICT (email) DO NOTHING RETURNING id, email");
        assertThat(r).isInstanceOfSatisfying(Rewrite.Rewritten.class, w -> {
            assertThat(w.sql()).isEqualTo("WITH \"dw$r\" AS MATERIALIZED (SELECT " + KEY_DEFAULT + " AS \"dw$k\","
                    + " CAST((?) AS character varying) AS \"dw$v\"), \"dw$t\" AS (INSERT INTO \"public\".\"email_address\""
                    + " (\"user_id\", \"address\", \"is_primary\") SELECT \"dw$k\", \"dw$v\", true FROM \"dw$r\""
                    + " WHERE \"dw$v\" IS NOT NULL AND (" + Fixtures.RLS_GUARD.substring(" WHERE ".length()) + ")"
                    + " ON CONFLICT (\"address\") WHERE \"is_primary\" DO NOTHING RETURNING \"user_id\")"
                    + " INSERT INTO users (\"id\", name) SELECT \"dw$k\", ? FROM \"dw$r\""
                    + " WHERE \"dw$v\" IS NULL OR EXISTS (SELECT FROM \"dw$t\")"
                    + " RETURNING id, CAST((SELECT \"dw$v\" FROM \"dw$r\") AS character varying(255)) AS \"email\"");
            assertThat(w.kind()).isEqualTo(Rewrite.Kind.DUAL_WRITE_RETURNING);
            assertThat(w.hiddenColumns()).isZero();
            assertThat(w.parameterSources()).containsExactly(2, 1);
        });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "INSERT INTO users (id, name, email) VALUES (7, 'n', 'x@y') ON CONFLICT (lower(email)) DO NOTHING"
                + " | SELECT 7 AS \"dw$k\", | ON CONFLICT (lower(\"address\")) WHERE",
        "INSERT INTO users VALUES (DEFAULT, 'n', DEFAULT) ON CONFLICT (email) DO NOTHING"
                + " | SELECT nextval('users_id_seq'::regclass) AS \"dw$k\", CAST((NULL) AS | INSERT INTO users (\"id\", \"name\") SELECT \"dw$k\", 'n' FROM",
        "WITH n AS (SELECT 1) INSERT INTO users AS u (email, id) OVERRIDING SYSTEM VALUE VALUES ('a@b', 3) ON CONFLICT (email) DO NOTHING"
                + " | WITH n AS (SELECT 1), \"dw$r\" | INSERT INTO users AS u (\"id\") OVERRIDING SYSTEM VALUE SELECT \"dw$k\" FROM",
        "INSERT INTO users AS u (name, email) VALUES ('a', 'a@x') ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name WHERE u.name <> 'b' OR true"
                + " | ON CONFLICT (\"id\") DO UPDATE SET name = EXCLUDED.name WHERE (u.name <> 'b' OR true) AND EXISTS (SELECT FROM \"dw$t\" WHERE NOT"
                + " | \"dw$x\" AS (INSERT INTO users AS u (\"id\", name) SELECT \"dw$k\", 'a' FROM \"dw$r\" WHERE NOT EXISTS",
        "INSERT INTO users (name, email) VALUES ('a', 'a@x') ON CONFLICT (lower(email)) DO UPDATE SET email = EXCLUDED.email"
                + " | DO UPDATE SET \"id\" = users.\"id\" WHERE EXISTS | ON CONFLICT (lower(\"address\")) WHERE \"is_primary\" DO UPDATE",
        "INSERT INTO users (name, email) VALUES ('a', 'a@x'), ('b', 'b@x') ON CONFLICT (email) DO UPDATE SET name = 'b'"
                + " | \"dw$t2\" AS (INSERT INTO \"public\".\"email_address\" AS \"dw$e\""
                + " | \"dw$x2\" AS (INSERT INTO users (\"id\", name) SELECT \"dw$k\", 'b' FROM \"dw$r2\" WHERE NOT EXISTS (SELECT FROM"
                + " \"dw$t2\" WHERE NOT \"dw$i\") AND NOT EXISTS (SELECT FROM \"dw$w2\"))",
        "INSERT INTO users (name, email) SELECT 'a', 'b@x' ON CONFLICT (email) DO NOTHING"
                + " | ORDER BY q.\"dw$n\" ON CONFLICT (\"address\") WHERE \"is_primary\" DO NOTHING RETURNING \"user_id\")"
                + " | WHERE q.\"dw$c2\" IS NULL OR q.\"dw$c3\" IN (SELECT \"user_id\" FROM \"dw$t\") ORDER BY q.\"dw$n\"",
        // several rows: each its own arbiter and INSERT, in order
        "INSERT INTO users (name, email) VALUES ('a', 'a@x'), ('b', 'b@x') ON CONFLICT (email) DO NOTHING"
                + " | \"dw$r2\" AS MATERIALIZED (SELECT nextval('users_id_seq'::regclass) AS \"dw$k\", CAST(('b@x') AS"
                + " | \"dw$w2\" AS (INSERT INTO users (\"id\", name) SELECT \"dw$k\", 'b' FROM \"dw$r2\" WHERE \"dw$v\" IS NULL OR EXISTS (SELECT FROM \"dw$t2\")",
    })
    void keysValuesAndTargets(String sql, String part, String other) {
        assertThat(translated(rewriter(false, KEY_DEFAULT), sql)).isInstanceOfSatisfying(Rewrite.Rewritten.class,
                w -> assertThat(w.sql()).contains(part.strip(), other.strip()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "INSERT INTO users (id, name, email) SELECT 1, 'a', 'a@x' ON CONFLICT (email) DO NOTHING | a query",
        "INSERT INTO users (name, email) VALUES ('a', 'a@x') ON CONFLICT (email, name) DO NOTHING | other columns",
        "INSERT INTO users (name, email) VALUES ('a', 'a@x') ON CONFLICT (email) WHERE email <> '' DO NOTHING | predicate",
        "INSERT INTO users (name, email) VALUES ('a', 'a@x') ON CONFLICT (email COLLATE \"C\") DO NOTHING | other columns",
        "INSERT INTO users (name, email) VALUES ('a', 'a@x') ON CONFLICT (email) DO UPDATE SET name = users.email | reads the stored email",
        "INSERT INTO users (name, email) VALUES ('a', 'a@x') ON CONFLICT (email) DO UPDATE SET name = 'b' WHERE users.email > '' | reads the stored email",
        "INSERT INTO users (name, email) VALUES ('a', 'a@x') ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.id | EXCLUDED.id",
        "INSERT INTO users (name, email) VALUES ('a', 'a@x') ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.name | another column of EXCLUDED",
        "INSERT INTO users (name, email) VALUES ('a', 'a@x') ON CONFLICT ON CONSTRAINT users_email_key DO NOTHING | users_email_key",
    })
    void refusedWhereNoTwinCanDecideExactly(String sql, String reason) {
        assertThat(translated(rewriter(false, KEY_DEFAULT), sql)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                r -> assertThat(r.reason()).contains(reason.strip()));
    }

    /**
     * {@code ON CONSTRAINT} a UNIQUE constraint of the column alone that a twin stands for is the constraint PostgreSQL
     * infers for {@code ON CONFLICT (email)}: the same translation, for every form. Another index that reads the value
     * (a unique index that is no constraint, which PostgreSQL refuses to name there, or a DEFERRABLE constraint) stays
     * refused.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "INSERT INTO users (name, email) VALUES (?, ?) | DO NOTHING RETURNING id, email",
        "INSERT INTO users (name, email) VALUES ('a', 'a@x'), ('b', 'a@x') | DO NOTHING",
        "INSERT INTO users AS u (name, email) VALUES (?, ?) | DO UPDATE SET name = EXCLUDED.name WHERE u.name <> 'b' RETURNING *",
        "INSERT INTO users (name, email) SELECT name, email FROM users WHERE id < 3 | DO NOTHING",
    })
    void onConstraintTheColumnsUniqueConstraintIsOnConflictOnTheColumn(String insert, String action) {
        StatementRewriter constraint = new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL,
                List.of("id", "name", "email"), "character varying(255)", null, false, true, false, KEY_DEFAULT,
                List.of("email_address_address_unique_idx", "users_email_key"), null, null, null, true, null, null, null,
                false, Set.of("users_email_key"))));
        Rewrite byConstraint = translated(constraint, insert + " ON CONFLICT ON CONSTRAINT users_email_key " + action);
        assertThat(byConstraint).isInstanceOf(Rewrite.Rewritten.class)
                .isEqualTo(translated(constraint, insert + " ON CONFLICT (email) " + action));
        assertThat(translated(constraint, insert + " ON CONFLICT ON CONSTRAINT email_address_address_unique_idx " + action))
                .isInstanceOfSatisfying(Rewrite.Rejected.class, r -> assertThat(r.reason())
                        .contains("ON CONFLICT ON CONSTRAINT email_address_address_unique_idx, a unique index on email"));
    }

    /**
     * A given key is computed before the row is inserted, where a literal or a parameter of unknown type would be text:
     * it is resolved with the key's type, as the row's INSERT types it.
     */
    @Test
    void aGivenKeyIsTypedAsTheKeyColumn() {
        StatementRewriter typed = new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL,
                List.of("id", "name", "email"), "character varying(255)", null, false, true, false, KEY_DEFAULT,
                List.of("users_email_key"), null, null, null, true, null, null, null, false, Set.of(), Map.of("id", "bigint"))));
        assertThat(translated(typed, "INSERT INTO users (id, name, email) VALUES ('7', 'n', 'x@y'), (?, 'm', 'z@y'),"
                + " (DEFAULT, 'o', 'o@y') ON CONFLICT (email) DO NOTHING")).isInstanceOfSatisfying(Rewrite.Rewritten.class,
                w -> assertThat(w.sql()).contains("SELECT COALESCE(('7'), CAST(NULL AS bigint)) AS \"dw$k\"",
                        "SELECT COALESCE((?), CAST(NULL AS bigint)) AS \"dw$k\"", "SELECT " + KEY_DEFAULT + " AS \"dw$k\""));
    }

    @Test
    void refusedWhereTheKeyCannotBeComputedFirst() {
        String sql = "INSERT INTO users (name, email) VALUES ('a', 'a@x') ON CONFLICT (email) DO NOTHING";
        assertThat(translated(rewriter(true, KEY_DEFAULT), sql)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                r -> assertThat(r.reason()).contains("BEFORE row triggers"));
        assertThat(translated(rewriter(false, null), sql)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                r -> assertThat(r.reason()).contains("give the key a value"));
        assertThat(translated(rewriter(false, null), sql.replace("(name, email) VALUES (", "(id, name, email) VALUES (DEFAULT, ")))
                .isInstanceOfSatisfying(Rewrite.Rejected.class, r -> assertThat(r.reason()).contains("give the key a value"));
        assertThat(translated(rewriter(false, null), sql.replace("(name, email) VALUES (", "(id, name, email) VALUES (9, ")))
                .isInstanceOf(Rewrite.Rewritten.class);
    }
}
