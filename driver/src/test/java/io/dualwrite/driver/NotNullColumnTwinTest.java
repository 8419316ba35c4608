package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A column {@code NOT NULL} with a default, on a {@code serial} key: a write of NULL fails as on the original schema
 * (23502), an INSERT without the column gets the default.
 */
@ExtendWith(PostgresExtension.class)
class NotNullColumnTwinTest {

    private static final String FIXTURE = """
            CREATE TABLE users(id serial PRIMARY KEY, name text, email varchar(100) NOT NULL DEFAULT 'none@example.com');
            INSERT INTO users (name, email) VALUES ('Ann', 'ann@example.com'), ('Bob', 'bob@example.com');
            CREATE TABLE email_address(user_id integer NOT NULL, address varchar(100) NOT NULL,
                                       is_primary boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
            INSERT INTO email_address SELECT id, email, true FROM users;
            """;

    private static final List<String> STATEMENTS = List.of(
            "UPDATE users SET email = NULL WHERE id = 1",
            "UPDATE users SET email = CASE WHEN id = 2 THEN NULL ELSE email END",
            "UPDATE users SET email = nullif(email, 'bob@example.com') RETURNING *",
            "UPDATE users SET email = DEFAULT WHERE id = 1 RETURNING email",
            "INSERT INTO users (name) VALUES ('Cy') RETURNING *",
            "INSERT INTO users (name, email) VALUES ('Dee', NULL)",
            "INSERT INTO users (name, email) VALUES ('Dee', DEFAULT), ('Eve', 'eve@example.com') RETURNING id, email",
            "INSERT INTO users VALUES (DEFAULT, 'Fay') RETURNING *",
            "INSERT INTO users (name, email) SELECT name, NULL FROM users WHERE id = 1",
            "INSERT INTO users (id, name, email) VALUES (1, 'Ann', NULL) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email",
            "INSERT INTO users (id, name) VALUES (1, 'Ann') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING email",
            "INSERT INTO users (id, name, email) VALUES (1, 'Ann', NULL) ON CONFLICT (id) DO NOTHING",
            "INSERT INTO users (id, name, email) VALUES (1, 'Ann', NULL) ON CONFLICT (id) DO UPDATE SET name = 'Annie'",
            "INSERT INTO users (id, name, email) SELECT id, name, NULL FROM users ON CONFLICT (id) DO NOTHING",
            "INSERT INTO users (id, name, email) VALUES (1, 'Ann', NULL) ON CONFLICT DO NOTHING",
            "SELECT * FROM users ORDER BY id");

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void nullFailsAndTheDefaultHolds(Phase phase, TestDatabase db) throws Exception {
        int refused = TwinRun.refusedOnTwins("NotNullColumnTwinTest " + phase, FIXTURE, phase, db,
                "SELECT id, name FROM users ORDER BY id", STATEMENTS, sql -> true, "SELECT last_value FROM users_id_seq");
        assertThat(refused).as("refused").isZero();
    }

    /** The sync view's function raises the error; its context line is dualwrite's own, not the application's. */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void theErrorHasNoContextOfDualwrite(Phase phase, TestDatabase db) throws Exception {
        db.execute(FIXTURE);
        MigrationFixture.registerIn(db, phase);
        try (Connection c = db.connectDualwrite(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("UPDATE users SET email = NULL WHERE id = 1"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23502"))
                    .hasMessageStartingWith("ERROR: null value in column \"email\" of relation \"users\" violates not-null"
                            + " constraint")
                    .hasMessageNotContaining("Where:")
                    .hasCauseInstanceOf(SQLException.class);
        }
    }
}
