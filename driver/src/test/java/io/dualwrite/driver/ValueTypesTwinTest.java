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
 * The migrated column of a type other than text, as the value-type hunt found them: a domain with a default (a row
 * leaving the column out gets the domain's default, which the translation must give and the NEW_ONLY trigger that
 * follows writes made outside the driver must not take for a value written), arrays of a type with a length
 * ({@code char(10)[]}: a cast to {@code character[]} would cut each element to one character), and an array read where
 * a sub-select would be read otherwise ({@code ANY (email)}, {@code IN (email)}, {@code email[1]}'s label).
 */
@ExtendWith(PostgresExtension.class)
class ValueTypesTwinTest {

    private static final String DOMAIN_WITH_DEFAULT = """
            CREATE DOMAIN email_d AS text DEFAULT 'none@example.com' CHECK (VALUE LIKE '%@%');
            CREATE TABLE users(id bigint PRIMARY KEY, name text, email email_d);
            INSERT INTO users VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com'), (3, 'Cy', NULL);
            CREATE TABLE email_address(user_id bigint NOT NULL, address email_d NOT NULL, is_primary boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
            INSERT INTO email_address SELECT id, email, true FROM users WHERE email IS NOT NULL;
            """;

    private static final List<String> DOMAIN_STATEMENTS = List.of(
            "INSERT INTO users VALUES (9, 'New', 'new@example.com')",
            "INSERT INTO users (id, name, email) VALUES (9, 'New', 'new@example.com'), (10, 'Ten', NULL)",
            "INSERT INTO users (id, name) VALUES (9, 'New') RETURNING *",
            "INSERT INTO users VALUES (9, 'New', DEFAULT) RETURNING email",
            "INSERT INTO users (id, name) SELECT id + 10, name FROM users",
            "INSERT INTO users (id, name, email) SELECT id + 10, name, NULL FROM users",
            "INSERT INTO users (id, name, email) SELECT id + 10, name, 'x@example.com' FROM users",
            "UPDATE users SET email = DEFAULT WHERE id = 1 RETURNING *",
            "UPDATE users SET email = 'no-at-sign' WHERE id = 1",
            "SELECT * FROM users ORDER BY id");

    private static final String CHAR_ARRAY = """
            CREATE TABLE users(id bigint PRIMARY KEY, name text, email char(10)[]);
            INSERT INTO users VALUES (1, 'Ann', ARRAY['ann', 'bob']), (2, 'Bob', ARRAY['b']), (3, 'Cy', NULL);
            CREATE TABLE email_address(user_id bigint NOT NULL, address char(10)[] NOT NULL, is_primary boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
            INSERT INTO email_address SELECT id, email, true FROM users WHERE email IS NOT NULL;
            """;

    private static final List<String> CHAR_ARRAY_STATEMENTS = List.of(
            "UPDATE users SET email = ARRAY['new', 'newer'] WHERE id = 1",
            "UPDATE users SET email = ARRAY['new', 'newer'] WHERE id = 1 RETURNING email",
            "UPDATE users SET email = ARRAY['abcdefghijk'] WHERE id = 1",
            "INSERT INTO users VALUES (9, 'New', ARRAY['x', 'yy'])",
            "INSERT INTO users VALUES (1, 'Ann', ARRAY['x']) ON CONFLICT (id) DO UPDATE SET name = 'Annie'",
            "UPDATE users SET email = array_append(email, 'z') WHERE id = 2",
            "SELECT id, email, email[1] FROM users ORDER BY id");

    private static final String TEXT_ARRAY = """
            CREATE TABLE users(id bigint PRIMARY KEY, name text, email text[]);
            INSERT INTO users VALUES (1, 'Ann', ARRAY['a', 'b']), (2, 'Bob', ARRAY['c']), (3, 'Cy', NULL), (4, 'Dee', '{}');
            CREATE TABLE email_address(user_id bigint NOT NULL, address text[] NOT NULL, is_primary boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
            INSERT INTO email_address SELECT id, email, true FROM users WHERE email IS NOT NULL;
            """;

    private static final List<String> TEXT_ARRAY_STATEMENTS = List.of(
            "SELECT id FROM users WHERE 'a' = ANY (email) ORDER BY id",
            "SELECT id FROM users WHERE 'a' <> ALL (email) ORDER BY id",
            "SELECT id, 'c' = SOME (u.email) FROM users u ORDER BY id",
            "SELECT id, email[1] FROM users ORDER BY id",
            "SELECT email[1:1], (email)[2] FROM users ORDER BY id",
            "SELECT id FROM users WHERE ARRAY['c'] IN (email) ORDER BY id",
            "SELECT id, ARRAY['c'] NOT IN (email) FROM users ORDER BY id",
            "UPDATE users SET name = 'x' WHERE 'b' = ANY (email) RETURNING id, email[2]",
            "UPDATE users SET email = array_append(email, 'z') WHERE id < 3 RETURNING *",
            "UPDATE users SET email = array_remove(array_cat(email, ARRAY['q']), 'a') RETURNING id, email, cardinality(email)");

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void aDomainsDefaultIsTheColumnsDefault(Phase phase, TestDatabase db) throws Exception {
        assertThat(TwinRun.refusedOnTwins("ValueTypesTwinTest domain " + phase, DOMAIN_WITH_DEFAULT, phase, db,
                "SELECT id, name FROM users ORDER BY id", DOMAIN_STATEMENTS, sql -> true)).as("refused").isZero();
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void anArrayOfCharacterKeepsItsElements(Phase phase, TestDatabase db) throws Exception {
        assertThat(TwinRun.refusedOnTwins("ValueTypesTwinTest char(10)[] " + phase, CHAR_ARRAY, phase, db,
                "SELECT id, name FROM users ORDER BY id", CHAR_ARRAY_STATEMENTS, sql -> true)).as("refused").isZero();
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void anArrayIsReadAsOneValue(Phase phase, TestDatabase db) throws Exception {
        assertThat(TwinRun.refusedOnTwins("ValueTypesTwinTest text[] " + phase, TEXT_ARRAY, phase, db,
                "SELECT id, name FROM users ORDER BY id", TEXT_ARRAY_STATEMENTS, sql -> true)).as("refused").isZero();
    }
}
