package io.dualwrite.driver.runtime;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The source table's columns the rewriter expands {@code SELECT *} and positional INSERTs with:
 * the order recorded before the contract, kept through the drop, later additions and drops, and a
 * rollback that re-adds the old column at the end with another type.
 */
@ExtendWith(PostgresExtension.class)
class SourceColumnsTest {

    private static final MigrationSpec SPEC = new MigrationSpec("public", "users", "id", "email", "public", "email_address",
            "user_id", "address", "is_primary", ControlSchema.syncViewName("users", "email"));

    @Test
    void theRecordedOrderOutlivesTheDropAndLaterChanges(TestDatabase db) throws SQLException {
        db.execute("""
                CREATE TABLE users (id bigint PRIMARY KEY, name text, email varchar(320) NOT NULL DEFAULT 'none', note text);
                CREATE TABLE email_address (user_id bigint NOT NULL, address varchar(320) NOT NULL,
                                            is_primary boolean NOT NULL DEFAULT false);
                """);
        try (Connection c = db.connect()) {
            ControlSchema.register(c, SPEC);
            SourceColumns before = SourceColumns.read(c, SPEC);
            assertThat(before.names()).as("nothing recorded: the catalog").containsExactly("id", "name", "email", "note");
            assertThat(before.old()).isEqualTo(new SourceColumns.Column("email", "character varying(320)", true, "'none'::character varying"));

            db.execute("""
                    INSERT INTO dualwrite.source_column (migration, position, name, type, not_null, default_sql) VALUES
                      ('users.email', 1, 'id', 'bigint', true, NULL),
                      ('users.email', 2, 'name', 'text', false, NULL),
                      ('users.email', 3, 'email', 'character varying(320)', true, '''none''::character varying'),
                      ('users.email', 4, 'note', 'text', false, NULL);
                    ALTER TABLE users DROP COLUMN email;
                    """);
            SourceColumns contracted = SourceColumns.read(c, SPEC);
            assertThat(contracted.names()).as("dropped, still where it was").containsExactly("id", "name", "email", "note");
            assertThat(contracted.old()).isEqualTo(before.old());

            db.execute("ALTER TABLE users ADD COLUMN joined date; ALTER TABLE users DROP COLUMN name;"
                    + " ALTER TABLE users ADD COLUMN email text");
            SourceColumns rolledBack = SourceColumns.read(c, SPEC);
            assertThat(rolledBack.names()).as("name dropped since, joined added since, email re-added at the end")
                    .containsExactly("id", "email", "note", "joined");
            assertThat(rolledBack.old()).as("as recorded, not as re-added").isEqualTo(before.old());
        }
    }
}
