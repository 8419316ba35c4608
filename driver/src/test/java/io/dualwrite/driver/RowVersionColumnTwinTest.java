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
 * A translated write that assigned only {@code email} assigns another column to itself, so that the row gets a new
 * version under its lock as the original write gave it ({@code SourceTable#rowVersionColumn}). Not the key when it is an
 * identity column {@code GENERATED ALWAYS} (PostgreSQL: 428C9), nor a column an {@code UPDATE OF} trigger names (the
 * trigger would fire where the original's did not); on twins ({@link TwinRun}).
 */
@ExtendWith(PostgresExtension.class)
class RowVersionColumnTwinTest {

    private static final String FIXTURE = """
            CREATE TABLE users(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text, email text, note text);
            INSERT INTO users (name, email) VALUES ('Ann', 'ann@example.com'), ('Bob', 'bob@example.com'), ('Cy', NULL);
            CREATE TABLE email_address(user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
            INSERT INTO email_address SELECT id, email, true FROM users WHERE email IS NOT NULL;
            CREATE TABLE renamed(id bigint, name text);
            CREATE FUNCTION note_rename() RETURNS trigger LANGUAGE plpgsql AS
              $$ BEGIN INSERT INTO renamed VALUES (NEW.id, NEW.name); RETURN NULL; END $$;
            CREATE TRIGGER renames AFTER UPDATE OF name ON users FOR EACH ROW EXECUTE FUNCTION note_rename();
            """;

    private static final List<String> STATEMENTS = List.of(
            "UPDATE users SET email = 'new@example.com' WHERE id = 1",
            "UPDATE users SET email = upper(email) RETURNING id, email",
            "UPDATE users SET name = 'Robert', email = 'rob@example.com' WHERE id = 2",
            "INSERT INTO users (id, name, email) OVERRIDING SYSTEM VALUE VALUES (1, 'Ann', 'again@example.com')"
                    + " ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email",
            "INSERT INTO users (name, email) VALUES ('Dee', 'dee@example.com') RETURNING id, email");

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void theRowGetsANewVersionWithoutTheKeyOrATriggeredColumn(Phase phase, TestDatabase db) throws Exception {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            plainDb.execute(FIXTURE);
            db.execute(FIXTURE);
            MigrationFixture.registerIn(db, phase);
            try (TwinRun run = TwinRun.usersAndEmails("RowVersionColumnTwinTest " + phase, plainDb, db,
                    "SELECT id, name, note FROM users ORDER BY id", "SELECT * FROM renamed ORDER BY 1")) {
                for (String sql : STATEMENTS) {
                    run.compare(sql, sql, List.of(), true);
                }
                run.report();
                assertThat(run.translated()).isEqualTo(STATEMENTS.size());
            }
        }
    }
}
