package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Statements prepared by name ({@code PREPARE name AS …}) outlive phase changes, and {@code EXECUTE name} names no table:
 * an EXECUTE of one that the phase of the moment would prepare otherwise is refused (0A000, nothing runs), and runs again
 * once the application prepares it anew ({@code NamedPreparedStatements}).
 */
@ExtendWith(PostgresExtension.class)
class NamedPreparedStatementsTest {

    private static final String READ = "PREPARE r(bigint) AS SELECT email FROM users WHERE id = $1";

    @Test
    void aReadPreparedWhileReadsCameFromTheOldColumnIsRefusedOnceTheyComeFromTheNewTable(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        try (Connection c = db.connectDualwrite(); Statement s = c.createStatement()) {
            s.execute(READ);
            assertThat(MigrationFixture.rows(s.executeQuery("EXECUTE r(1)"))).containsExactly("ann@example.com");
            PreparedStatement early = c.prepareStatement("EXECUTE r(2)"); // PostgreSQL takes no parameter markers in EXECUTE
            assertThat(MigrationFixture.rows(early.executeQuery())).containsExactly("bob@example.com");

            MigrationFixture.setPhase(db, Phase.READ_NEW);
            MigrationFixture.awaitApplied(db, Phase.READ_NEW);
            assertThatThrownBy(() -> s.executeQuery("/* a comment */ EXECUTE r(1)")).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getSQLState()).isEqualTo("0A000");
                assertThat(e.getMessage()).contains("phase READ_NEW", "EXECUTE r of a statement prepared by name",
                        "SELECT email FROM users WHERE id = $1", "DEALLOCATE r and PREPARE it again");
            });
            // a JDBC PreparedStatement of it: refused when prepared, and one prepared before at its next execution
            assertThatThrownBy(() -> c.prepareStatement("EXECUTE r(2)")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("DEALLOCATE r");
            assertThatThrownBy(early::executeQuery).isInstanceOf(SQLException.class).hasMessageContaining("DEALLOCATE r");

            s.execute("DEALLOCATE PREPARE r; " + READ);
            db.execute("UPDATE email_address SET address = 'new-table@example.com' WHERE user_id = 1");
            assertThat(MigrationFixture.rows(s.executeQuery("EXECUTE r(1)"))).as("prepared again: reads the new table")
                    .containsExactly("new-table@example.com");

            MigrationFixture.enterTranslatingPhase(db, Phase.NEW_ONLY);
            MigrationFixture.awaitApplied(db, Phase.NEW_ONLY);
            assertThat(MigrationFixture.rows(s.executeQuery("EXECUTE r(1)"))).as("the same form after the move")
                    .containsExactly("new-table@example.com");
            s.execute("DISCARD ALL");
            assertThatThrownBy(() -> s.executeQuery("EXECUTE r(1)")).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).as("PostgreSQL's own: discarded").isEqualTo("26000"));
        }
    }

    /**
     * However the PREPARE ran: followed in its string by a statement that fails (PREPARE is not undone), through a
     * PreparedStatement; each judged by its own text, not by what else its string holds.
     */
    @Test
    void everyWayOfPreparingIsRemembered(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        try (Connection c = db.connectDualwrite(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> s.execute(READ + "; SELECT 1 / 0")).isInstanceOf(SQLException.class);
            c.rollback();
            try (PreparedStatement p = c.prepareStatement("PREPARE q AS SELECT email FROM users WHERE id = 2")) {
                p.execute();
            }
            s.execute("PREPARE one AS SELECT 1; UPDATE users SET name = 'n' WHERE email = 'ann@example.com'");
            c.commit();

            MigrationFixture.setPhase(db, Phase.READ_NEW);
            MigrationFixture.awaitApplied(db, Phase.READ_NEW);
            for (String execute : new String[] {"EXECUTE r(1)", "EXECUTE q"}) {
                assertThatThrownBy(() -> s.executeQuery(execute)).as(execute).isInstanceOf(SQLException.class)
                        .hasMessageContaining("DEALLOCATE");
                c.rollback();
            }
            assertThat(MigrationFixture.rows(s.executeQuery("EXECUTE one"))).containsExactly("1");
        }
    }

    /** A write prepared before the migration was registered would write the old column alone: refused once it would not. */
    @Test
    void aWritePreparedBeforeRegistrationIsRefusedOnceItWouldBeDualWritten(TestDatabase db) throws Exception {
        MigrationFixture.createTables(db);
        try (Connection c = db.connectDualwrite(); Statement s = c.createStatement()) {
            s.execute("PREPARE w(text, bigint) AS UPDATE users SET email = $1 WHERE id = $2");
            s.addBatch("PREPARE \"Other\" AS UPDATE orders SET note = 'n' WHERE id = 100");
            s.executeBatch();

            MigrationFixture.register(db, Phase.DUAL_WRITE);
            MigrationFixture.awaitApplied(db, Phase.DUAL_WRITE);
            assertThatThrownBy(() -> s.executeUpdate("EXECUTE w('unsynced@example.com', 2)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("0A000");
                        assertThat(e.getMessage()).contains("in a form this phase refuses");
                    });
            assertThat(db.queryString("SELECT email FROM users WHERE id = 2")).isEqualTo("bob@example.com");
            assertThat(s.executeUpdate("EXECUTE \"Other\"")).as("a statement the migration does not rewrite").isEqualTo(1);
            try (PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
                p.setString(1, "synced@example.com");
                p.setLong(2, 2);
                assertThat(p.executeUpdate()).isEqualTo(1);
            }
            MigrationFixture.assertInSync(db);
        }
    }
}
