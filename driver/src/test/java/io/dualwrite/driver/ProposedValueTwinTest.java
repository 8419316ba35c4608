package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dualwrite.control.ValueChecks;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * INSERT … ON CONFLICT in the translating phases, on twins ({@link TwinRun}). PostgreSQL computes every row's
 * proposed value, casts it to the column's type and tests the CHECK constraints before it looks for a conflict: a row
 * that conflicts fails the statement as one that does not. The translation computes the value in RETURNING, which a
 * row left alone never reaches, so the driver checks such values on their own (the sync view's check-only rows).
 * The old column is {@code varchar(20)} with a default and a CHECK, whose twin the target has as NEW_ONLY builds it.
 */
@ExtendWith(PostgresExtension.class)
class ProposedValueTwinTest {

    private static final String FIXTURE = """
            CREATE TABLE users(id bigint PRIMARY KEY, name text,
                               email varchar(20) DEFAULT 'def@x' CONSTRAINT users_email_check CHECK (email <> 'bad@x'));
            INSERT INTO users VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com'), (3, 'Cy', NULL);
            CREATE TABLE email_address(user_id bigint NOT NULL, address varchar(20) NOT NULL,
                                       is_primary boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
            INSERT INTO email_address SELECT id, email, true FROM users WHERE email IS NOT NULL;
            CREATE TABLE orders(id bigint PRIMARY KEY, user_id bigint, amount numeric(10,2), note text);
            CREATE SEQUENCE s1; CREATE SEQUENCE s2; CREATE SEQUENCE s9;
            """;

    /** Rows conflicting on id 1–3 propose values that fail, or that have side effects, beside rows that insert. */
    private static final List<String> STATEMENTS = List.of(
            "INSERT INTO users (id, name, email) VALUES (90, 'x', 'ok@x'), (1, 'y', repeat('z', 25)) ON CONFLICT (id) DO NOTHING",
            "INSERT INTO users (id, name, email) VALUES (90, 'x', 'ok@x'), (2, 'y', 'bad@x') ON CONFLICT (id) DO NOTHING",
            "INSERT INTO users (id, name, email) VALUES (90, 'x', 'ok@x'), (3, 'y', 'bad@x') ON CONFLICT DO NOTHING RETURNING id",
            "INSERT INTO users AS u (id, name, email) VALUES (1, 'y', 'bad@x') ON CONFLICT (id) DO UPDATE SET name = 'z'",
            "INSERT INTO users AS u (id, name, email) VALUES (1, 'y', 'bad@x') ON CONFLICT (id) DO UPDATE SET email = 'q@x'"
                    + " RETURNING email",
            "INSERT INTO users (id, name, email) VALUES (1, 'y', repeat('z', 25)) ON CONFLICT (id) DO UPDATE"
                    + " SET email = EXCLUDED.email",
            "INSERT INTO users AS u (id, name, email) VALUES (1, 'y', 'bad@x') ON CONFLICT (id) DO UPDATE"
                    + " SET email = EXCLUDED.email WHERE u.id < 0",
            // these succeed: the conflicting rows' values pass (a default included; spaces beyond 20 are cut), only the
            // others are stored
            "INSERT INTO users (id, name, email) VALUES (1, 'y', 'abc' || repeat(' ', 30)) ON CONFLICT (id) DO NOTHING",
            "INSERT INTO users (id, name, email) SELECT id + k, name, 'ok@x' FROM users, (VALUES (0), (90)) v(k)"
                    + " WHERE id = 2 ON CONFLICT (id) DO NOTHING RETURNING id, email",
            "INSERT INTO users (id, name, email) SELECT 1, 'y', repeat('z', 25) ON CONFLICT (id) DO NOTHING",
            "INSERT INTO users (id, name, email) SELECT id + k, name, CASE k WHEN 0 THEN 'bad@x' ELSE 'ok@x' END"
                    + " FROM users, (VALUES (0), (90)) v(k) WHERE id = 2 ON CONFLICT (id) DO NOTHING",
            "INSERT INTO users (id, name, email) SELECT id, name, 'bad@x' FROM users WHERE id = 2 ON CONFLICT (id)"
                    + " DO UPDATE SET name = 'q'",
            "INSERT INTO users (id, name, email) VALUES (91, 'a', 'a@x'), (1, 'b', 'b@x') ON CONFLICT (id) DO NOTHING"
                    + " RETURNING id, email",
            "INSERT INTO users (id, name) VALUES (1, 'q'), (92, 'r') ON CONFLICT (id) DO NOTHING",
            "INSERT INTO users (id, name) SELECT id + k, name FROM users, (VALUES (0), (96)) v(k) WHERE id = 1"
                    + " ON CONFLICT (id) DO NOTHING RETURNING id, email",
            "INSERT INTO users AS u (id, name, email) VALUES (2, 'y', 'new@x') ON CONFLICT (id) DO UPDATE"
                    + " SET email = EXCLUDED.email, name = u.name || '+' RETURNING *",
            "INSERT INTO users AS u (id, name, email) VALUES (2, 'y', 'new@x'), (93, 'z', NULL) ON CONFLICT (id) DO UPDATE"
                    + " SET name = EXCLUDED.name",
            // refused: a value computed in more than one place (and in another order) would not be computed once
            "INSERT INTO users (id, name, email) VALUES (94, 'x', 'e' || nextval('s9')), (1, 'y', 'e' || nextval('s9'))"
                    + " ON CONFLICT (id) DO NOTHING",
            "INSERT INTO users (id, name, email) VALUES (1, 'y', 'e' || nextval('s9')) ON CONFLICT (id) DO UPDATE SET name = 'w'",
            // the sequences show the side effects of values computed for rows left alone (last: they stay advanced)
            "INSERT INTO users (id, name, email) VALUES (1, 'y', 'e' || nextval('s1')) ON CONFLICT (id) DO NOTHING",
            "INSERT INTO users (id, name, email) VALUES (2, 'y', 'e' || nextval('s2')) ON CONFLICT (id) DO UPDATE"
                    + " SET email = EXCLUDED.email");

    private static final String SEQUENCES = "SELECT 's1', last_value, is_called FROM s1 UNION ALL SELECT 's2', last_value,"
            + " is_called FROM s2";

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void conflictingRowsCheckTheirValuesAsTheOriginal(Phase phase, TestDatabase db) throws Exception {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            plainDb.execute(FIXTURE);
            db.execute(FIXTURE);
            MigrationFixture.register(db, Phase.READ_NEW);
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                for (ValueChecks.CheckTwin t : ValueChecks.checkTwins(c, MigrationFixture.SPEC)) {
                    s.execute(t.add());
                    s.execute(t.validate());
                }
            }
            MigrationFixture.enterTranslatingPhase(db, phase);
            try (TwinRun run = TwinRun.usersAndEmails("ProposedValueTwinTest " + phase, plainDb, db,
                    "SELECT id, name FROM users ORDER BY id", SEQUENCES)) {
                for (String sql : STATEMENTS) {
                    run.compare(sql, sql, List.of(), true);
                }
                run.report();
                assertThat(run.refused()).isEqualTo(2);
                assertThat(run.translated()).isEqualTo(9);
            }
            // a value the CHECK refuses: the error names users, as on the original schema (its twin on the new table
            // fails), without the detail whose row of users the driver does not have
            for (String sql : List.of("UPDATE users SET email = 'bad@x' WHERE id = 1",
                    "INSERT INTO users (id, name, email) VALUES (95, 'x', 'bad@x')")) {
                ServerErrorMessage expected = checkViolation(plainDb.connect(), sql);
                ServerErrorMessage actual = checkViolation(db.connectDualwrite(), sql);
                assertThat(actual.getSQLState()).as(sql).isEqualTo("23514");
                assertThat(actual.getMessage()).as(sql).isEqualTo(expected.getMessage());
                assertThat(actual.getConstraint()).as(sql).isEqualTo(expected.getConstraint());
                assertThat(actual.getTable() + "." + actual.getSchema()).as(sql).isEqualTo(expected.getTable() + "." + expected.getSchema());
                assertThat(actual.getWhere()).as(sql).isNull();
            }
        }
    }

    private static ServerErrorMessage checkViolation(Connection c, String sql) throws SQLException {
        try (c; Statement s = c.createStatement()) {
            return catchThrowableOfType(() -> s.executeUpdate(sql), PSQLException.class).getServerErrorMessage();
        }
    }
}
