package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An unqualified {@code email} in a query that joins {@code users} with other tables is {@code users.email} for
 * PostgreSQL when no other table in FROM has such a column. The driver knows which relations have one (it reads the
 * catalog with the control schema), so it reads the new table there, and follows the catalog: once another table of the
 * join gains an {@code email} column the original statement is ambiguous (42702), and so is the driver's: it no longer
 * picks {@code users}, it makes {@code users} a derived table of its original columns and leaves the name to PostgreSQL;
 * once that column is gone, it reads the new table again.
 */
@ExtendWith(PostgresExtension.class)
class UnqualifiedColumnInJoinTest {

    private static final String JOIN = "SELECT o.id, email FROM orders o JOIN users u ON u.id = o.user_id ORDER BY o.id";

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"READ_NEW", "CONTRACTED"})
    void readsTheNewTableWhileNoOtherTableOfTheJoinHasTheColumn(Phase phase, TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.READ_NEW);
        // the new table differs from the old column, so a read of the old one would show
        db.execute("UPDATE email_address SET address = 'new-' || address WHERE is_primary");
        if (phase == Phase.CONTRACTED) {
            MigrationFixture.enterTranslatingPhase(db, phase);
        }
        List<String> fromNewTable = List.of("100|new-ann@example.com", "101|new-bob@example.com", "102|new-bob@example.com");
        try (Connection c = db.connectDualwrite()) {
            assertThat(MigrationFixture.rows(c, JOIN)).containsExactlyElementsOf(fromNewTable);

            db.execute("ALTER TABLE orders ADD COLUMN email text");
            awaitAmbiguity(c);
            if (phase == Phase.READ_NEW) {
                // on the schema that still has users.email (after the drop, orders.email is the only one)
                try (Connection plain = db.connect()) {
                    assertThatThrownBy(() -> MigrationFixture.rows(plain, JOIN)).isInstanceOfSatisfying(SQLException.class,
                            e -> assertThat(e.getSQLState()).isEqualTo("42702"));
                }
            }

            // at once: until the driver reads the catalog again, PostgreSQL resolves the name in the derived table
            db.execute("ALTER TABLE orders DROP COLUMN email");
            assertThat(MigrationFixture.rows(c, JOIN)).containsExactlyElementsOf(fromNewTable);
            Thread.sleep(5_500);
            assertThat(MigrationFixture.rows(c, JOIN)).containsExactlyElementsOf(fromNewTable);
        }
    }

    private static void awaitAmbiguity(Connection c) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                MigrationFixture.rows(c, JOIN);
            } catch (SQLException e) {
                assertThat(e.getSQLState()).isEqualTo("42702");
                return;
            }
            assertThat(System.nanoTime()).as("the driver reads the catalog again within 10 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
