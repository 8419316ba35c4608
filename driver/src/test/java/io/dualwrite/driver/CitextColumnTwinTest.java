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
 * A column of an extension's type that compares otherwise than text ({@code citext}), the new table's value column of
 * the same type as {@code expand} creates it: comparisons, ordering, grouping and DISTINCT read it as the original did.
 */
@ExtendWith(PostgresExtension.class)
class CitextColumnTwinTest {

    private static final String FIXTURE = """
            CREATE EXTENSION IF NOT EXISTS citext;
            CREATE TABLE users(id bigint PRIMARY KEY, name text, email citext);
            INSERT INTO users VALUES (1, 'Ann', 'Ann@Example.com'), (2, 'Bob', 'bob@example.com'), (3, 'Cy', NULL),
                                     (4, 'Bob2', 'BOB@EXAMPLE.COM');
            CREATE TABLE email_address(user_id bigint NOT NULL, address citext NOT NULL, is_primary boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
            INSERT INTO email_address SELECT id, email, true FROM users WHERE email IS NOT NULL;
            """;

    private static final List<String> STATEMENTS = List.of(
            "SELECT id FROM users WHERE email = 'ann@example.com'",
            "SELECT id, email FROM users WHERE email = 'BOB@example.COM' ORDER BY id",
            "SELECT email, count(*) FROM users GROUP BY email ORDER BY count(*), email",
            "SELECT count(DISTINCT email) FROM users",
            "SELECT id FROM users WHERE email IN ('ANN@EXAMPLE.COM', 'x') ORDER BY id",
            "SELECT id FROM users WHERE email LIKE 'ann%'",
            "SELECT u.id, v.id FROM users u JOIN users v ON u.email = v.email AND u.id < v.id",
            "SELECT id, email FROM users ORDER BY email DESC NULLS LAST, id",
            "SELECT pg_typeof(email)::text, email::text FROM users WHERE id = 1",
            "UPDATE users SET email = 'new@example.com' WHERE email = 'ANN@EXAMPLE.COM' RETURNING id, email",
            "UPDATE users SET name = name || '!' WHERE email = 'bob@example.com' RETURNING id",
            "DELETE FROM users WHERE email = 'Bob@Example.Com' RETURNING id",
            "INSERT INTO users VALUES (5, 'Dee', 'Dee@X.org') RETURNING email = 'dee@x.org'");

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void anExtensionTypeComparesAsOnTheOriginalSchema(Phase phase, TestDatabase db) throws Exception {
        int refused = TwinRun.refusedOnTwins("CitextColumnTwinTest " + phase, FIXTURE, phase, db,
                "SELECT id, name FROM users ORDER BY id", STATEMENTS, sql -> true);
        assertThat(refused).as("refused").isZero();
    }
}
