package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * In NEW_ONLY, {@code users.email} written where the driver does not see it, on twins ({@link TwinRun}): by a SQL
 * function and procedures the application calls (an UPDATE, a key moved, an INSERT), by another table's trigger. The statements name neither
 * {@code users} nor {@code email}, so they pass through; the new table is the only copy read, and dualwrite's
 * {@code OldColumnWriteTrigger} (which {@code phase NEW_ONLY} creates) carries the value there. Without it each change
 * was lost: the application read the value from before.
 */
@ExtendWith(PostgresExtension.class)
class UpdatesElsewhereTwinTest {

    private static final String FIXTURE = """
            CREATE TABLE users(id bigint PRIMARY KEY, name text, email text);
            INSERT INTO users VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com'), (3, 'Cy', NULL),
                                     (4, 'Dee', 'dee@example.com'), (5, 'Eve', 'Eve@Example.com');
            CREATE TABLE email_address(user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
            INSERT INTO email_address SELECT id, email, true FROM users WHERE email IS NOT NULL;
            CREATE FUNCTION set_email(k bigint, e text) RETURNS void LANGUAGE sql AS $$ UPDATE users SET email = e WHERE id = k $$;
            CREATE PROCEDURE renumber(k bigint, to_k bigint) LANGUAGE plpgsql AS $$
                BEGIN UPDATE users SET id = to_k, email = lower(email) WHERE id = k; END $$;
            CREATE PROCEDURE add_user(k bigint, n text, e text) LANGUAGE sql AS $$ INSERT INTO users VALUES (k, n, e) $$;
            CREATE TABLE email_change(user_id bigint, email text);
            CREATE FUNCTION apply_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN UPDATE users SET email = NEW.email WHERE id = NEW.user_id; RETURN NULL; END $$;
            CREATE TRIGGER apply_change AFTER INSERT ON email_change FOR EACH ROW EXECUTE FUNCTION apply_change();
            """;

    private static final List<String> STATEMENTS = List.of(
            "SELECT set_email(1, 'function@example.com')",
            "SELECT set_email(3, 'was-null@example.com')",
            "SELECT set_email(2, NULL)",
            "CALL renumber(5, 50)",
            "CALL add_user(6, 'Fay', 'fay@example.com')",
            "CALL add_user(7, 'Gil', NULL)",
            "INSERT INTO email_change VALUES (4, 'trigger@example.com'), (1, 'twice@example.com')");

    @Test
    void theNewTableGetsTheValuesWrittenOutsideTheDriver(TestDatabase db) throws Exception {
        assertThat(TwinRun.refusedOnTwins("UpdatesElsewhereTwinTest", FIXTURE, Phase.NEW_ONLY, db,
                "SELECT id, name FROM users ORDER BY id", STATEMENTS, sql -> false,
                "SELECT id, email FROM users WHERE id = 1")).isZero();
    }
}
