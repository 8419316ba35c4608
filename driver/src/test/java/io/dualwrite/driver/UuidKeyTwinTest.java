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
 * The shape many schemas have: a {@code uuid} key with a default, the column a {@code varchar(255)} (JPA's default
 * length), a timestamp default beside it. The key default is deterministic here (a sequence), so that the twins give
 * new rows the same keys; the translations compute it once per row, as the original INSERT did. A value too long for
 * the column fails alike (22001); an explicit cast to a shorter type truncates alike.
 */
@ExtendWith(PostgresExtension.class)
class UuidKeyTwinTest {

    private static final String FIXTURE = """
            CREATE SEQUENCE user_key;
            CREATE TABLE users(id uuid PRIMARY KEY DEFAULT (lpad(to_hex(nextval('user_key')), 32, '0'))::uuid,
                               name text, email varchar(255), created date DEFAULT date '2026-01-01');
            INSERT INTO users (name, email) VALUES ('Ann', 'ann@example.com'), ('Bob', 'bob@example.com'), ('Cy', NULL);
            CREATE TABLE email_address(user_id uuid NOT NULL, address varchar(255) NOT NULL,
                                       is_primary boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
            INSERT INTO email_address SELECT id, email, true FROM users WHERE email IS NOT NULL;
            """;

    private static final String ANN = "'00000000-0000-0000-0000-000000000001'";

    private static final List<String> STATEMENTS = List.of(
            "SELECT * FROM users ORDER BY id",
            "SELECT id, email FROM users WHERE email = 'bob@example.com'",
            "SELECT u.* FROM users u WHERE u.id = " + ANN,
            "SELECT email, count(*) FROM users GROUP BY email ORDER BY email NULLS FIRST",
            "UPDATE users SET email = 'new@example.com' WHERE id = " + ANN,
            "UPDATE users SET email = upper(email) WHERE id::text LIKE '%2' RETURNING id, email",
            "UPDATE users SET email = NULL WHERE email LIKE 'ann%' RETURNING *",
            "INSERT INTO users (name, email) VALUES ('Dee', 'dee@example.com') RETURNING id, email, created",
            "INSERT INTO users (name, email) VALUES ('Eve', 'eve@example.com'), ('Fay', NULL), ('Gil', 'gil@example.com') RETURNING *",
            "INSERT INTO users (name, email) SELECT name || '2', email FROM users WHERE email IS NOT NULL ORDER BY id RETURNING id, email",
            "INSERT INTO users VALUES ('00000000-0000-0000-0000-0000000000aa', 'Hal', 'hal@example.com')",
            "INSERT INTO users VALUES (DEFAULT, 'Ike', 'ike@example.com', DEFAULT) RETURNING *",
            "INSERT INTO users (id, name, email) VALUES (" + ANN + ", 'Ann', 'again@example.com') ON CONFLICT (id)"
                    + " DO UPDATE SET email = EXCLUDED.email RETURNING id, email",
            "INSERT INTO users (id, name, email) VALUES (" + ANN + ", 'Ann', 'x@example.com') ON CONFLICT DO NOTHING",
            "INSERT INTO users (name, email) VALUES ('Kim', 'kim@example.com'::varchar(3))",
            "DELETE FROM users WHERE email = 'bob@example.com' RETURNING id, email",
            "DELETE FROM users WHERE id = " + ANN,
            // last: PostgreSQL finds a constant too long while it plans the original, before the key's default is
            // computed; the translation finds it when it writes the value, after (one more number of the sequence)
            "UPDATE users SET email = repeat('x', 256) WHERE id = " + ANN,
            "INSERT INTO users (name, email) VALUES ('Jo', repeat('y', 300))");

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void aUuidKeyWithADefaultAndAVarcharColumn(Phase phase, TestDatabase db) throws Exception {
        int refused = TwinRun.refusedOnTwins("UuidKeyTwinTest " + phase, FIXTURE, phase, db,
                "SELECT id, name, created FROM users ORDER BY id", STATEMENTS, sql -> true, "SELECT last_value FROM user_key");
        assertThat(refused).as("refused").isZero();
    }
}
