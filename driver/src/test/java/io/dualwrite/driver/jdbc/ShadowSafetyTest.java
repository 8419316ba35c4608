package io.dualwrite.driver.jdbc;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Which reads may run twice as a shadow, and which statements may change where unqualified names lead. */
class ShadowSafetyTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT id, email FROM users WHERE id = ?",
            "SELECT count(*) FROM users WHERE lower(email) LIKE '%x' AND id IN (1, 2)",
            "WITH u AS (SELECT * FROM users) SELECT coalesce(email, 'none') FROM u ORDER BY 1",
            "SELECT pg_catalog.upper(email) FROM users u JOIN orders o ON o.user_id = u.id",
            "select email from users -- nextval('x') in a comment\n",
    })
    void readsWithoutEffectAreShadowed(String sql) {
        assertThat(ShadowSafety.sideEffectFree(sql)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT nextval('ticket'), email FROM users",
            "SELECT random(), email FROM users",
            "SELECT my_audit(email) FROM users",
            "SELECT app.lower(email) FROM users",
            "SELECT \"lower\"(email) FROM users",
            "SELECT email FROM users FOR UPDATE",
            "SELECT email INTO copy FROM users",
            "WITH d AS (DELETE FROM orders RETURNING 1) SELECT email FROM users",
            "SELECT email FROM users WHERE email === 'x'",
            "SELECT email FROM users; SELECT 1",
            "UPDATE users SET email = 'x'",
    })
    void readsThatMayHaveAnEffectAreNot(String sql) {
        assertThat(ShadowSafety.sideEffectFree(sql)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"SET search_path TO other", "reset ALL", "SELECT set_config('search_path', 'x', false)",
            "CREATE TEMP TABLE users (id int)", "DISCARD ALL", "SET ROLE app", "ROLLBACK TO SAVEPOINT a",
            "SET LOCAL \"search_path\" = other", "SET session_authorization = app", "RESET ROLE", "SET SCHEMA 'other'",
            "SAVEPOINT b; ROLLBACK TO SAVEPOINT a", "SAVEPOINT a; RELEASE a; ROLLBACK TO a", "SAVEPOINT a; SET ROLE app",
            "ROLLBACK", "ROLLBACK AND CHAIN", "CREATE TEMP VIEW users AS SELECT 1", "CREATE TABLE x.\"users\" (id int)",
            "CREATE TABLE t AS SELECT set_config('search_path', 'x', true)", "CREATE SCHEMA app", "CREATE EXTENSION hstore",
            "SET U&\"search\\005fpath\" = s, public", "SELECT U&\"set\\005fconfig\"('search' || '_path', 's', false)",
            "set u&\"search!005fpath\" UESCAPE '!' = s"})
    void sessionCommandsAlarm(String sql) {
        assertThat(SessionWords.mayChange(sql)).isTrue();
        assertThat(SessionWords.changesInText(sql + "; SELECT email FROM users", "users")).as("before a later statement").isTrue();
        assertThat(SessionWords.changesInText(sql, "users")).as("a statement's own names resolve before it runs").isFalse();
        assertThat(SessionWords.changesForLaterTexts(sql)).as("a batch entry, before the next").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"UPDATE users SET email = ?, created_at = now() WHERE id = ?", "SELECT template, temperature FROM t",
            "INSERT INTO users (id, email) VALUES (1, 'reset@example.com')"})
    void ordinaryStatementsDoNotChangeThePath(String sql) {
        assertThat(SessionWords.changesInText(sql, "users")).isFalse();
    }

    /** Settings other than the path's, and a rollback to a savepoint the same string set after nothing changed it. */
    @ParameterizedTest
    @ValueSource(strings = {"SET LOCAL statement_timeout = 5000", "SET CONSTRAINTS ALL DEFERRED", "RESET lock_timeout",
            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", "SET application_name = 'role'",
            "SAVEPOINT a; UPDATE users SET email = 'x' WHERE id = 1; ROLLBACK TO SAVEPOINT a",
            "SAVEPOINT \"A\"; SAVEPOINT b; ROLLBACK WORK TO \"A\"; ROLLBACK TO SAVEPOINT \"A\"",
            "SAVEPOINT a; SAVEPOINT b; RELEASE SAVEPOINT b; ROLLBACK TO a",
            "CREATE TEMP TABLE t AS SELECT * FROM users", "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ui ON users (name)",
            "CREATE INDEX ON users (name)", "CREATE OR REPLACE VIEW public.v AS SELECT 1", "CREATE MATERIALIZED VIEW mv AS TABLE users"})
    void settingsAndRollbacksThatKeepThePath(String sql) {
        assertThat(SessionWords.changesInText(sql + "; SELECT email FROM users", "users")).isFalse();
    }

    /**
     * A table or view created before a statement that names it with the migrated table: it may have a column named like
     * the migrated one, which changes what an unqualified name or a NATURAL join reads; one named like the table hides it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"CREATE TEMP TABLE tt (id bigint, email text); SELECT id FROM users NATURAL JOIN tt",
            "CREATE VIEW v AS SELECT 1 AS email; SELECT email FROM users, public.v",
            "SELECT 1 AS id, 'x' AS email INTO TEMP tt; INSERT INTO tt VALUES (2, 'y'); SELECT email FROM users, tt",
            "SELECT 1::bigint AS id, 'temp@x' AS email INTO TEMP users; SELECT email FROM users",
            "WITH s AS (SELECT 1) SELECT * INTO TEMPORARY TABLE pg_temp.users FROM s; SELECT email FROM users"})
    void relationsCreatedBeforeAStatementThatNamesThemWithTheTable(String sql) {
        assertThat(SessionWords.changesInText(sql, "users")).isTrue();
        String unrelated = sql.substring(0, sql.lastIndexOf(';')) + "; SELECT 1";
        assertThat(SessionWords.changesInText(unrelated + "; SELECT email FROM users", "users"))
                .as("not named with the table").isEqualTo(sql.contains("INTO TEMP users") || sql.contains("pg_temp.users"));
    }
}
