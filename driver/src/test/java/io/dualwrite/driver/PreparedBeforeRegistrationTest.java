package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A PreparedStatement prepared before this instance knew of the migration passes through as planned then; once the
 * migration is in DUAL_WRITE, running it would write the old column alone. It is refused instead (0A000, nothing
 * written), while statements the migration does not rewrite keep running and a statement prepared again is
 * dual-written.
 */
@ExtendWith(PostgresExtension.class)
class PreparedBeforeRegistrationTest {

    @Test
    void aStatementPlannedWithoutTheMigrationIsRefusedWhereItWouldBeRewritten(TestDatabase db) throws Exception {
        MigrationFixture.createTables(db);
        try (Connection c = db.connectDualwrite()) {
            PreparedStatement early = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?");
            PreparedStatement other = c.prepareStatement("UPDATE orders SET note = ? WHERE id = ?");
            PreparedStatement read = c.prepareStatement("SELECT email FROM users WHERE id = ?");
            CallableStatement call = c.prepareCall("UPDATE users SET email = ? WHERE id = ?");

            MigrationFixture.register(db, Phase.EXPANDED);
            MigrationFixture.awaitApplied(db, Phase.EXPANDED);
            early.setString(1, "expanded@example.com");
            early.setLong(2, 1);
            assertThat(early.executeUpdate()).as("EXPANDED passes everything through").isEqualTo(1);

            MigrationFixture.setPhase(db, Phase.DUAL_WRITE);
            MigrationFixture.awaitApplied(db, Phase.DUAL_WRITE);
            early.setString(1, "unsynced@example.com");
            early.setLong(2, 2);
            assertThatThrownBy(early::executeUpdate).isInstanceOf(SQLException.class)
                    .hasMessageContaining("prepared before this dualwrite instance knew of the migration")
                    .hasMessageContaining("UPDATE users SET email = ? WHERE id = ?")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("0A000"));
            call.setString(1, "unsynced@example.com");
            call.setLong(2, 2);
            assertThatThrownBy(call::execute).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("0A000"));
            assertThat(db.queryString("SELECT email FROM users WHERE id = 2")).isEqualTo("bob@example.com");

            other.setString(1, "still runs");
            other.setLong(2, 100);
            assertThat(other.executeUpdate()).isEqualTo(1);
            read.setLong(1, 1);
            assertThat(MigrationFixture.rows(read.executeQuery())).containsExactly("expanded@example.com");

            try (PreparedStatement again = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
                again.setString(1, "synced@example.com");
                again.setLong(2, 2);
                assertThat(again.executeUpdate()).isEqualTo(1);
            }
            assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 2 AND is_primary"))
                    .isEqualTo("synced@example.com");
        }
    }

    /**
     * A rewritten statement planned while users had no BEFORE trigger upserts the value it was given; once a trigger may
     * store another one, that plan would leave the new table behind the old column. The old plan is refused; a
     * statement prepared again syncs what the trigger stored.
     */
    @Test
    void aRewrittenStatementPlannedBeforeItsTableChangedIsRefused(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        try (Connection c = db.connectDualwrite()) {
            PreparedStatement early = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?");
            early.setString(1, "Before@Example.com");
            early.setLong(2, 1);
            assertThat(early.executeUpdate()).isEqualTo(1);

            db.execute("CREATE FUNCTION lower_email() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " NEW.email := lower(NEW.email); RETURN NEW; END $$;"
                    + " CREATE TRIGGER lower_email BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION lower_email()");
            MigrationFixture.setPhase(db, Phase.READ_NEW); // the refresh that applies it reads the table again
            MigrationFixture.awaitApplied(db, Phase.READ_NEW);
            early.setString(1, "After@Example.com");
            early.setLong(2, 2);
            assertThatThrownBy(early::executeUpdate).isInstanceOf(SQLException.class)
                    .hasMessageContaining("before its table changed")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("0A000"));
            assertThat(db.queryString("SELECT email FROM users WHERE id = 2")).isEqualTo("bob@example.com");

            try (PreparedStatement again = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
                again.setString(1, "After@Example.com");
                again.setLong(2, 2);
                assertThat(again.executeUpdate()).isEqualTo(1);
            }
            assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 2 AND is_primary"))
                    .isEqualTo("after@example.com");
            MigrationFixture.assertInSync(db);
        }
    }
}
