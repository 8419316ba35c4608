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
 * Rows of {@code users} deleted where the driver does not see it, on twins ({@link TwinRun}): by a foreign key's
 * cascade, through a view, by {@code TRUNCATE … CASCADE} of the referencing table. The statements name neither
 * {@code users} nor {@code email}, so they pass through; from NEW_ONLY on the new table is the only copy of the value,
 * and dualwrite's statement triggers on {@code users} ({@code DeletedKeysTrigger}, which {@code phase NEW_ONLY} creates)
 * delete it with its row. Without them the primary rows of the deleted users stay, for a key used again to inherit.
 */
@ExtendWith(PostgresExtension.class)
class DeletesElsewhereTwinTest {

    private static final String FIXTURE = """
            CREATE TABLE orgs(id bigint PRIMARY KEY, name text);
            INSERT INTO orgs VALUES (10, 'o10'), (20, 'o20');
            CREATE TABLE users(id bigint PRIMARY KEY, name text, email text, org_id bigint REFERENCES orgs ON DELETE CASCADE);
            INSERT INTO users VALUES (1, 'Ann', 'ann@example.com', 10), (2, 'Bob', 'bob@example.com', 20), (3, 'Cy', NULL, 20),
                                     (4, 'Dee', 'dee@example.com', 20), (5, 'Eve', 'Eve@Example.com', NULL);
            CREATE TABLE email_address(user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
            INSERT INTO email_address SELECT id, email, true FROM users WHERE email IS NOT NULL;
            INSERT INTO email_address VALUES (1, 'ann.old@example.com', false);
            CREATE VIEW member_names AS SELECT id, name FROM users;
            """;

    private static final List<String> STATEMENTS = List.of(
            "DELETE FROM orgs WHERE id = 20",
            "DELETE FROM member_names WHERE id IN (1, 5)",
            "TRUNCATE orgs CASCADE",
            // the same key deleted and inserted again in one statement keeps the value its insert gave it
            "WITH d AS (DELETE FROM member_names WHERE id = 2 RETURNING id) INSERT INTO users (id, name, email)"
                    + " SELECT id, 'again', 'new@example.com' FROM d");

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void theNewTableLosesTheValuesOfDeletedRows(Phase phase, TestDatabase db) throws Exception {
        assertThat(TwinRun.refusedOnTwins("DeletesElsewhereTwinTest " + phase, FIXTURE, phase, db,
                "SELECT id, name FROM users ORDER BY id", STATEMENTS, sql -> sql.startsWith("WITH"))).isZero();
    }
}
