package io.dualwrite.control;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;

import static org.assertj.core.api.Assertions.assertThat;

/** In NEW_ONLY a change of the old column made where the driver does not see it reaches the new table. */
@ExtendWith(PostgresExtension.class)
class OldColumnWriteTriggerTest {

    private static final MigrationSpec SPEC = ControlTablesTest.SPEC;

    @Test
    void inNewOnlyAWriteOfTheOldColumnOutsideTheDriverReachesTheNewTable(TestDatabase db) throws Exception {
        ControlTablesTest.createUsers(db);
        db.execute("""
                INSERT INTO users VALUES (1, 'a@x'), (2, 'b@x'), (3, NULL), (4, 'd@x');
                INSERT INTO email_address SELECT id, email, true FROM users WHERE email IS NOT NULL;
                CREATE FUNCTION set_email(k bigint, e text) RETURNS void LANGUAGE sql
                    AS $$ UPDATE users SET email = e WHERE id = k $$""");
        try (Connection c = db.connect()) {
            ControlSchema.register(c, SPEC);
            DeletedKeysTrigger.install(c, SPEC); // as phase NEW_ONLY does
        }
        db.execute("UPDATE dualwrite.migration SET phase = 'NEW_ONLY'");
        db.execute("SELECT set_email(1, 'function@x')");
        db.execute("UPDATE users SET email = 'plain@x' WHERE id = 3");
        db.execute("UPDATE users SET email = NULL WHERE id = 2");
        db.execute("UPDATE users SET id = 40, email = 'moved@x' WHERE id = 4");
        db.execute("INSERT INTO users VALUES (5, 'inserted@x'), (6, NULL)");
        // what a translated write does: the new table written, the old column not assigned
        db.execute("UPDATE users SET id = id WHERE id = 1; UPDATE email_address SET address = 'driver@x' WHERE user_id = 1");
        assertThat(primaries(db)).isEqualTo("1=driver@x,3=plain@x,5=inserted@x,40=moved@x");

        // a reverse-sync batch writes the old column from the new table: not carried back
        db.execute("BEGIN; SET LOCAL dualwrite.capture = off; UPDATE users SET email = 'batch@x' WHERE id = 3; COMMIT");
        assertThat(primaries(db)).isEqualTo("1=driver@x,3=plain@x,5=inserted@x,40=moved@x");
        // back in READ_NEW the driver writes both again: the trigger leaves that to it
        db.execute("UPDATE dualwrite.migration SET phase = 'READ_NEW'");
        db.execute("UPDATE users SET email = 'read-new@x' WHERE id = 40");
        assertThat(primaries(db)).isEqualTo("1=driver@x,3=plain@x,5=inserted@x,40=moved@x");
        // with a default, an INSERT outside the driver looks like a translated one, which leaves the column to it
        db.execute("UPDATE dualwrite.migration SET phase = 'NEW_ONLY'");
        db.execute("ALTER TABLE users ALTER COLUMN email SET DEFAULT 'default@x'");
        db.execute("INSERT INTO users VALUES (7)");
        assertThat(primaries(db)).isEqualTo("1=driver@x,3=plain@x,5=inserted@x,40=moved@x");
        try (Connection c = db.connect()) {
            assertThat(ColumnUses.readers(c, SPEC)).as("not counted as reading the column").isEmpty();
            assertThat(ColumnUses.triggersNaming(c, SPEC)).isEmpty();
        }
    }

    private static String primaries(TestDatabase db) throws Exception {
        return db.queryString("SELECT string_agg(user_id || '=' || address, ',' ORDER BY user_id) FROM email_address"
                + " WHERE is_primary");
    }
}
