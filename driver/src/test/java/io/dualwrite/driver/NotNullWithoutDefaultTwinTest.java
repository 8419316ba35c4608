package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A column {@code NOT NULL} without a default. NEW_ONLY's gate has the operator drop the constraint (the driver no
 * longer writes the column, so its INSERTs would fail); the record keeps it, and the application must not notice: every
 * write that gives the column NULL, or leaves it out, fails with 23502 as on the original schema, and results describe
 * the column as NOT NULL. Where the translation cannot fail as the original does (ON CONFLICT, which checks the
 * constraint before the conflict; an INSERT through a view; a MERGE before PostgreSQL 17), it is refused.
 */
@ExtendWith(PostgresExtension.class)
class NotNullWithoutDefaultTwinTest {

    private static final String FIXTURE = """
            CREATE TABLE users(id serial PRIMARY KEY, name text, email varchar(100) NOT NULL);
            INSERT INTO users (name, email) VALUES ('Ann', 'ann@example.com'), ('Bob', 'bob@example.com');
            CREATE TABLE email_address(user_id integer NOT NULL, address varchar(100) NOT NULL,
                                       is_primary boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
            INSERT INTO email_address SELECT id, email, true FROM users;
            CREATE VIEW user_names AS SELECT id, name FROM users;
            """;

    private static final List<String> STATEMENTS = List.of(
            "INSERT INTO users (name) VALUES ('Cy')",
            "INSERT INTO users (name) VALUES ('Cy') RETURNING *",
            "INSERT INTO users (name, email) VALUES ('Dee', NULL)",
            "INSERT INTO users (name, email) VALUES ('Dee', DEFAULT), ('Eve', 'eve@example.com')",
            "INSERT INTO users (name, email) VALUES ('Eve', 'eve@example.com'), ('Dee', NULL) RETURNING id, email",
            "INSERT INTO users VALUES (DEFAULT, 'Fay')",
            "INSERT INTO users VALUES (DEFAULT, 'Fay', 'fay@example.com') RETURNING *",
            "INSERT INTO users DEFAULT VALUES",
            "INSERT INTO users (name) SELECT name FROM users",
            "INSERT INTO users (name) SELECT name FROM users WHERE false",
            "INSERT INTO users (name, email) SELECT name, NULL FROM users WHERE id = 1",
            "INSERT INTO users (id, name, email) VALUES (1, 'Ann', NULL) ON CONFLICT (id) DO NOTHING",
            "INSERT INTO users (id, name, email) SELECT id, name, NULL FROM users ON CONFLICT (id) DO UPDATE SET name = 'x'",
            "UPDATE users SET email = NULL WHERE id = 1",
            "UPDATE users SET email = DEFAULT WHERE id = 2 RETURNING *",
            "UPDATE users SET name = 'Annie' WHERE id = 1 RETURNING *",
            "SELECT * FROM users ORDER BY id",
            "SELECT id, email FROM users ORDER BY id");

    /** Refused in the translation: the original fails on every row they propose, which it cannot. */
    private static final List<String> REFUSED = List.of(
            "INSERT INTO users (id, name) VALUES (1, 'Ann') ON CONFLICT (id) DO NOTHING",
            "INSERT INTO users (id, name) VALUES (1, 'Ann') ON CONFLICT (id) DO UPDATE SET name = 'Annie'",
            "INSERT INTO user_names (name) VALUES ('Gus')");

    private static final List<String> MERGES = List.of(
            "MERGE INTO users u USING (VALUES (9, 'Zed')) v(id, name) ON u.id = v.id"
                    + " WHEN NOT MATCHED THEN INSERT (id, name) VALUES (v.id, v.name)",
            // nothing inserted: it runs in the original
            "MERGE INTO users u USING (VALUES (1, 'Annie')) v(id, name) ON u.id = v.id"
                    + " WHEN MATCHED THEN UPDATE SET name = v.name WHEN NOT MATCHED THEN INSERT (id, name) VALUES (v.id, v.name)");

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void everyNullFailsAsTheConstraintDid(Phase phase, TestDatabase db) throws Exception {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            plainDb.execute(FIXTURE);
            db.execute(FIXTURE);
            MigrationFixture.registerIn(db, phase);
            if (phase == Phase.NEW_ONLY) {
                // as the gate asks, after READ_NEW recorded the column NOT NULL (LeavingTheOldColumnGatesTest: the record keeps it)
                db.execute("ALTER TABLE users ALTER COLUMN email DROP NOT NULL");
            }
            int version;
            try (Connection c = plainDb.connect()) {
                version = c.getMetaData().getDatabaseMajorVersion();
            }
            List<String> refused = new ArrayList<>(REFUSED);
            try (TwinRun run = TwinRun.usersAndEmails("NotNullWithoutDefaultTwinTest " + phase, plainDb, db,
                    "SELECT id, name FROM users ORDER BY id")) {
                for (String sql : STATEMENTS) {
                    run.compare(sql, sql, List.of(), true);
                }
                if (version >= 15) {
                    for (String sql : MERGES) {
                        run.compare(sql, sql, List.of(), true);
                    }
                    if (version < 17) { // a MERGE has no RETURNING to feed the sync before 17
                        refused.addAll(MERGES);
                    }
                }
                String insert = "INSERT INTO users (name, email) VALUES (?, ?)";
                run.compare(insert + " with a NULL parameter", insert, Arrays.asList("Hal", null), true);
                run.compare(insert + " with a value", insert, List.of("Hal", "hal@example.com"), true);
                String upsert = "INSERT INTO users (id, name, email) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING";
                run.compare(upsert + " with a NULL parameter", upsert, Arrays.asList(2L, "Bob", null), true);
                // last: the original takes a key from the sequence, a refused statement does not (later keys would differ)
                for (String sql : REFUSED) {
                    run.compare(sql, sql, List.of(), true);
                }
                run.report();
                assertThat(run.refused()).as("refused").isEqualTo(refused.size());
            }
        }
    }
}
