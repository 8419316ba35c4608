package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The row triggers applications keep on such a table, which read or set other columns (never the migrated one: the
 * gate of NEW_ONLY refuses those): a BEFORE UPDATE trigger counting versions, a BEFORE INSERT one filling a column, an
 * AFTER trigger writing an audit table. They fire as often, and see the same rows, as on the original schema.
 */
@ExtendWith(PostgresExtension.class)
class RowTriggerTwinTest {

    private static final String FIXTURE = """
            CREATE TABLE users(id bigint PRIMARY KEY, name text, email text, version int NOT NULL DEFAULT 0, slug text);
            INSERT INTO users (id, name, email) VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com'),
                                                       (3, 'Cy', NULL);
            CREATE TABLE email_address(user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
            INSERT INTO email_address SELECT id, email, true FROM users WHERE email IS NOT NULL;
            CREATE TABLE audit(n bigserial, op text, id bigint, name text, version int);
            CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS
              $$ BEGIN NEW.version := OLD.version + 1; RETURN NEW; END $$;
            CREATE TRIGGER bump BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION bump();
            CREATE FUNCTION slug() RETURNS trigger LANGUAGE plpgsql AS
              $$ BEGIN NEW.slug := lower(NEW.name) || '-' || NEW.id; RETURN NEW; END $$;
            CREATE TRIGGER slug BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION slug();
            CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS
              $$ BEGIN INSERT INTO audit (op, id, name, version) SELECT TG_OP, r.id, r.name, r.version
                   FROM (SELECT (CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END).*) r; RETURN NULL; END $$;
            CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION audit();
            """;

    private static final List<String> STATEMENTS = List.of(
            "UPDATE users SET email = 'new@example.com' WHERE id = 1 RETURNING version",
            "UPDATE users SET email = NULL WHERE id = 2",
            "UPDATE users SET name = 'Cyd', email = 'cy@example.com' WHERE id = 3 RETURNING *",
            "UPDATE users SET email = email WHERE email LIKE '%example.com'",
            "UPDATE users SET email = 'v' || version WHERE version = 0 AND id = 1 RETURNING id, version",
            "INSERT INTO users (id, name, email) VALUES (4, 'Dee', 'dee@example.com') RETURNING slug, version",
            "INSERT INTO users VALUES (5, 'Eve', NULL) RETURNING *",
            "INSERT INTO users (id, name, email) VALUES (1, 'Ann', 'up@example.com') ON CONFLICT (id)"
                    + " DO UPDATE SET email = EXCLUDED.email RETURNING version, slug",
            "INSERT INTO users (id, name, email) VALUES (1, 'Ann', 'skip@example.com') ON CONFLICT (id) DO NOTHING",
            "DELETE FROM users WHERE email = 'bob@example.com' RETURNING version",
            "DELETE FROM users WHERE id = 3");

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void triggersOnOtherColumnsFireAsOnTheOriginalSchema(Phase phase, TestDatabase db) throws Exception {
        int refused = TwinRun.refusedOnTwins("RowTriggerTwinTest " + phase, FIXTURE, phase, db,
                "SELECT id, name, version, slug FROM users ORDER BY id", STATEMENTS, sql -> true, "SELECT op, id, name, version FROM audit ORDER BY n");
        assertThat(refused).as("refused").isZero();
    }
}
