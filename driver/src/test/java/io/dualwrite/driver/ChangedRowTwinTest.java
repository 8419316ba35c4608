package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code UPDATE … SET email = <value>} translated computes the value in RETURNING, which sees the row as the UPDATE left
 * it; SET read it as it was. Besides the columns SET assigns, what changes with the row: a generated column, a column a
 * BEFORE trigger sets. The value then reads them from a locking sub-select of the old row ({@code OldValuesJoin}); a
 * whole-row reference there is refused. On twins ({@link TwinRun}).
 */
@ExtendWith(PostgresExtension.class)
class ChangedRowTwinTest {

    private static final String FIXTURE = """
            CREATE TABLE users(id bigint PRIMARY KEY, name text, email text, touched int NOT NULL DEFAULT 0,
                               up text GENERATED ALWAYS AS (upper(name)) STORED);
            INSERT INTO users (id, name, email) VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com'),
                                                      (3, 'Cy', NULL);
            CREATE TABLE email_address(user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
            INSERT INTO email_address SELECT id, email, true FROM users WHERE email IS NOT NULL;
            CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS
              $$ BEGIN NEW.touched := OLD.touched + 1; RETURN NEW; END $$;
            CREATE TRIGGER touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
            """;

    private static final List<String> STATEMENTS = List.of(
            "UPDATE users SET name = 'zed', email = up || '@x' WHERE id = 1",
            "UPDATE users SET email = touched || '@x' WHERE id = 2",
            "UPDATE users SET email = name || touched || up WHERE id <= 3 RETURNING id, email, touched, up",
            "UPDATE users SET name = lower(name), email = coalesce(email, up) RETURNING *",
            // refused: the row as a whole, changed by SET and the trigger
            "UPDATE users u SET name = 'q', email = (u.*)::text WHERE id = 1");

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void theNewValueReadsTheRowAsSetReadIt(Phase phase, TestDatabase db) throws Exception {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            plainDb.execute(FIXTURE);
            db.execute(FIXTURE);
            MigrationFixture.registerIn(db, phase);
            try (TwinRun run = TwinRun.usersAndEmails("ChangedRowTwinTest " + phase, plainDb, db,
                    "SELECT id, name, touched, up FROM users ORDER BY id")) {
                for (String sql : STATEMENTS) {
                    run.compare(sql, sql, List.of(), true);
                }
                run.report();
                assertThat(run.translated()).isEqualTo(STATEMENTS.size() - 1);
                assertThat(run.refused()).isEqualTo(1);
            }
        }
    }
}
