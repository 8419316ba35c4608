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
 * A relation with a column named like the migrated one, created after the driver last read the catalog (it reads it
 * every few seconds): by this session (a temporary table, also one that hides a table of the same name) or by another
 * one just before. An unqualified {@code email} or a NATURAL join beside {@code users} then reads what PostgreSQL reads
 * on the schema that still has {@code users.email}: the driver asks the server about the relations its plan took to
 * lack the column where its catalog read cannot vouch for them, and plans again with what it is told.
 */
@ExtendWith(PostgresExtension.class)
class RelationsNewerThanTheCatalogReadTest {

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"READ_NEW", "CONTRACTED"})
    void aTemporaryTableOfThisSession(Phase phase, TestDatabase db) throws Exception {
        start(db, phase);
        try (Connection c = db.connectDualwrite(); Statement s = c.createStatement()) {
            assertThat(MigrationFixture.rows(c, "SELECT email FROM users WHERE id = 1")).containsExactly("ann@example.com");
            s.execute("CREATE TEMP TABLE tt (id bigint, email text)");
            s.execute("INSERT INTO tt VALUES (1, 'ann@example.com'), (2, 'other@example.com')");
            // the join is on id and email: user 2's emails differ
            assertThat(MigrationFixture.rows(c, "SELECT id, email FROM users NATURAL JOIN tt ORDER BY id"))
                    .containsExactly("1|ann@example.com");
            assertAmbiguous(c, "SELECT u.id, email FROM users u JOIN tt ON tt.id = u.id");
            s.execute("DROP TABLE tt");
            s.execute("CREATE TEMP TABLE tt (id bigint, note text)");
            assertThat(MigrationFixture.rows(c, "SELECT u.id, email FROM users u JOIN tt ON tt.id = u.id")).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"READ_NEW", "CONTRACTED"})
    void aTemporaryTableThatHidesATableWithoutTheColumn(Phase phase, TestDatabase db) throws Exception {
        start(db, phase);
        String join = "SELECT o.id, email FROM orders o JOIN users u ON u.id = o.user_id ORDER BY o.id";
        try (Connection c = db.connectDualwrite(); Statement s = c.createStatement()) {
            assertThat(MigrationFixture.rows(c, join)).hasSize(3);
            s.execute("CREATE TEMP TABLE orders (id bigint, user_id bigint, email text)");
            s.execute("INSERT INTO orders VALUES (7, 1, 'o@example.com')");
            assertAmbiguous(c, join);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"READ_NEW", "CONTRACTED"})
    void aTableAnotherSessionCreatedJustBefore(Phase phase, TestDatabase db) throws Exception {
        start(db, phase);
        try (Connection c = db.connectDualwrite()) {
            assertThat(MigrationFixture.rows(c, "SELECT email FROM users WHERE id = 1")).containsExactly("ann@example.com");
            db.execute("CREATE TABLE invoices (id bigint, user_id bigint, email text);"
                    + " INSERT INTO invoices VALUES (1, 2, 'billing@example.com')");
            assertAmbiguous(c, "SELECT i.id, email FROM invoices i JOIN users u ON u.id = i.user_id");
            assertThat(MigrationFixture.rows(c, "SELECT id, email FROM users NATURAL JOIN invoices")).isEmpty();
        }
    }

    /**
     * The driver's catalog reads leave temporary relations out: another session's are invisible here, and this
     * session's own are asked about as long as it may have some, also once the reads have long caught up.
     */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"READ_NEW", "CONTRACTED"})
    void temporaryRelationsAreTheSessionsOwn(Phase phase, TestDatabase db) throws Exception {
        start(db, phase);
        db.execute("CREATE TABLE scratch (id bigint, note text)");
        try (Connection c = db.connectDualwrite(); Statement s = c.createStatement(); Connection other = db.connect();
             Statement o = other.createStatement()) {
            o.execute("CREATE TEMP TABLE scratch (id bigint, email text)");
            s.execute("CREATE TEMP TABLE tt (id bigint, email text)");
            s.execute("INSERT INTO tt VALUES (1, 'ann@example.com'), (2, 'other@example.com')");
            s.execute("CREATE TEMP TABLE orders (id bigint, user_id bigint, email text)"); // hides public.orders
            assertAmbiguous(c, "SELECT o.id, email FROM orders o JOIN users u ON u.id = o.user_id");
            Thread.sleep(2 * 5_000 + 1_500); // two catalog reads after the tables were created
            assertAmbiguous(c, "SELECT o.id, email FROM orders o JOIN users u ON u.id = o.user_id");
            assertThat(MigrationFixture.rows(c, "SELECT id, email FROM users NATURAL JOIN tt ORDER BY id"))
                    .containsExactly("1|ann@example.com");
            assertAmbiguous(c, "SELECT u.id, email FROM users u JOIN tt ON tt.id = u.id");
            db.execute("INSERT INTO scratch VALUES (2, 'n')");
            assertThat(MigrationFixture.rows(c, "SELECT u.id, email FROM users u JOIN scratch x ON x.id = u.id"))
                    .as("another session's temporary scratch is not this one's").containsExactly("2|bob@example.com");
        }
    }

    private static void start(TestDatabase db, Phase phase) throws Exception {
        MigrationFixture.create(db, Phase.READ_NEW);
        if (phase == Phase.CONTRACTED) {
            MigrationFixture.enterTranslatingPhase(db, phase);
        }
    }

    private static void assertAmbiguous(Connection c, String sql) {
        assertThatThrownBy(() -> MigrationFixture.rows(c, sql)).as(sql).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("42702"));
    }
}
