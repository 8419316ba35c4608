package io.dualwrite.driver;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.Await;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two migrations of two tables ({@code users.email} and {@code orders.note}) and statements that name both tables: each
 * migration plans the statement for its own column; one that only one of them rewrites is that one's, one that both
 * rewrite in their current phases is refused (the rewrites are not combined), never passed through as written.
 */
@ExtendWith(PostgresExtension.class)
class TwoMigrationsTest {

    private static final MigrationSpec ORDERS_NOTE = new MigrationSpec("public", "orders", "id", "note", "public",
            "order_note", "order_id", "body", "is_primary", ControlSchema.syncViewName("orders", "note"));

    private static void create(TestDatabase db, Phase users, Phase orders) throws SQLException {
        MigrationFixture.createTables(db);
        db.execute("""
                CREATE TABLE order_note(order_id bigint NOT NULL, body text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
                CREATE UNIQUE INDEX ON order_note(order_id) WHERE is_primary;
                INSERT INTO order_note SELECT id, note, true FROM orders WHERE note IS NOT NULL;
                """);
        try (Connection c = db.connect()) {
            ControlSchema.register(c, MigrationFixture.SPEC);
            ControlSchema.register(c, ORDERS_NOTE);
            MigrationFixture.moveTo(c, MigrationFixture.MIGRATION, users);
            MigrationFixture.moveTo(c, "orders.note", orders);
        }
    }

    @Test
    void aWriteThatOnlyTheSecondMigrationRewritesIsThatMigrationsDualWrite(TestDatabase db) throws Exception {
        // orders.note, the first migration by name, leaves these statements alone in EXPANDED; users.email must dual-write
        // them. Planned as orders.note's alone, the first went through as written: users.email changed, email_address not.
        create(db, Phase.DUAL_WRITE, Phase.EXPANDED);
        try (Connection app = db.connectDualwrite(); Statement s = app.createStatement();
             PreparedStatement p = app.prepareStatement(
                     "UPDATE users SET email = ? WHERE id IN (SELECT user_id FROM orders WHERE note = ?)")) {
            assertThat(s.executeUpdate("UPDATE users SET email = 'x@example.com' WHERE id IN (SELECT user_id FROM orders"
                    + " WHERE note = 'first')")).isEqualTo(1);
            p.setString(1, "y@example.com");
            p.setString(2, "third");
            assertThat(p.executeUpdate()).isEqualTo(1);
            // one that reads no migrated column of orders is users.email's alone
            assertThat(s.executeUpdate("DELETE FROM users WHERE id IN (SELECT user_id FROM orders WHERE amount > 100)"))
                    .isZero();
        }
        assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 1 AND is_primary")).isEqualTo("x@example.com");
        assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 2 AND is_primary")).isEqualTo("y@example.com");
        assertThat(db.queryLong("SELECT count(*) FROM users u LEFT JOIN email_address e ON e.user_id = u.id AND e.is_primary"
                + " WHERE u.email IS DISTINCT FROM e.address")).as("users.email parity").isZero();
    }

    @Test
    void aJoinOfTheTwoTablesReadsEachMigratedColumnInItsPhaseUnlessBothMustBeRewritten(TestDatabase db) throws Exception {
        create(db, Phase.READ_NEW, Phase.READ_NEW);
        // the new tables differ from the old columns, so a result says where it was read
        db.execute("UPDATE email_address SET address = 'new-' || address WHERE is_primary;"
                + " UPDATE order_note SET body = 'new-' || body WHERE is_primary");
        try (Connection app = db.connectDualwrite(); Statement s = app.createStatement()) {
            assertThat(rows(s, "SELECT o.id, u.name FROM orders o JOIN users u ON u.id = o.user_id ORDER BY o.id"))
                    .containsExactly("100 Ann", "101 Bob", "102 Bob");
            assertThat(rows(s, "SELECT o.id, u.email FROM orders o JOIN users u ON u.id = o.user_id ORDER BY o.id"))
                    .containsExactly("100 new-ann@example.com", "101 new-bob@example.com", "102 new-bob@example.com");
            assertThat(rows(s, "SELECT o.note, u.name FROM orders o JOIN users u ON u.id = o.user_id ORDER BY o.id"))
                    .containsExactly("new-first Ann", "null Bob", "new-third Bob");
            assertThatThrownBy(() -> rows(s, "SELECT o.note, u.email FROM orders o JOIN users u ON u.id = o.user_id"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("0A000"));
        }
    }

    @Test
    void aPreparedStatementFollowsTheMigrationThatRewritesItAcrossPhaseChanges(TestDatabase db) throws Exception {
        create(db, Phase.DUAL_WRITE, Phase.DUAL_WRITE);
        try (Connection app = db.connectDualwrite();
             PreparedStatement write = app.prepareStatement(
                     "UPDATE orders SET note = ? WHERE user_id IN (SELECT id FROM users WHERE email = ?)");
             PreparedStatement read = app.prepareStatement(
                     "SELECT o.note FROM orders o JOIN users u ON u.id = o.user_id WHERE u.email = ? ORDER BY o.id")) {
            // orders.note dual-writes it; users.email, in DUAL_WRITE, reads its old column as written
            write.setString(1, "paid");
            write.setString(2, "bob@example.com");
            assertThat(write.executeUpdate()).isEqualTo(2);
            assertThat(db.queryLong("SELECT count(*) FROM order_note WHERE body = 'paid' AND is_primary")).isEqualTo(2);
            assertThat(column(read, "bob@example.com")).containsExactly("paid", "paid");
            // evidence for the gates of both migrations, each with its own verdict
            Await.within(5000, () -> evidence(db, "users.email", "UPDATE orders%") && evidence(db, "orders.note", "UPDATE orders%"),
                    "the write counted as evidence for both migrations");

            // users.email reads the new table now: both rewrite the write, refused; the read is users.email's alone
            phase(db, app, "users.email", Phase.READ_NEW);
            db.execute("UPDATE email_address SET address = 'bobby@example.com' WHERE user_id = 2 AND is_primary");
            assertThatThrownBy(write::executeUpdate).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getSQLState()).isEqualTo("0A000");
                assertThat(e.getMessage()).contains("more than one migration");
            });
            assertThat(column(read, "bobby@example.com")).containsExactly("paid", "paid");

            // orders.note reads the new table too: both rewrite the read, refused
            phase(db, app, "orders.note", Phase.READ_NEW);
            assertThatThrownBy(() -> column(read, "bobby@example.com")).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("0A000"));
        }
        assertThat(db.queryString("SELECT note FROM orders WHERE id = 100")).isEqualTo("first");
    }

    @Test
    void aPreparedStatementMovesToTheMigrationThatRewritesItNow(TestDatabase db) throws Exception {
        create(db, Phase.DUAL_WRITE, Phase.READ_NEW);
        db.execute("UPDATE order_note SET body = 'new-' || body WHERE is_primary;"
                + " UPDATE email_address SET address = 'new-' || address WHERE is_primary");
        try (Connection app = db.connectDualwrite(); PreparedStatement read = app.prepareStatement(
                "SELECT o.note, u.email FROM orders o JOIN users u ON u.id = o.user_id WHERE o.id = ?")) {
            assertThat(row(read, 100L)).isEqualTo("new-first ann@example.com");   // orders.note's read of its new table
            assertThat(read.getMetaData().getColumnLabel(2)).isEqualTo("email");
            phase(db, app, "orders.note", Phase.DUAL_WRITE);
            phase(db, app, "users.email", Phase.READ_NEW);
            // prepared as orders.note's, which passes it through now: users.email's read, as if prepared now
            assertThat(read.getMetaData().getColumnLabel(2)).isEqualTo("email");
            assertThat(row(read, 100L)).isEqualTo("first new-ann@example.com");
        }
    }

    @Test
    void aWriteWithGeneratedKeysRunsAsTheMigrationThatTranslatesThem(TestDatabase db) throws Exception {
        // users.email translated (CONTRACTED): the insert itself passes through, its generated keys (`*`, email among
        // them) are translated; orders.note, first by name, passes the statement through in DUAL_WRITE
        create(db, Phase.READ_NEW, Phase.DUAL_WRITE);
        MigrationFixture.enterTranslatingPhase(db, Phase.CONTRACTED);
        try (Connection app = db.connectDualwrite(); Statement s = app.createStatement()) {
            assertThat(s.executeUpdate("INSERT INTO users (id, name) SELECT 10, note FROM orders WHERE id = 100",
                    Statement.RETURN_GENERATED_KEYS)).isEqualTo(1);
            try (ResultSet keys = s.getGeneratedKeys()) {
                assertThat(keys.next()).isTrue();
                assertThat(keys.getLong("id")).isEqualTo(10);
                assertThat(keys.getString("name")).isEqualTo("first");
                assertThat(keys.getString("email")).isNull();
                assertThat(keys.getMetaData().getColumnCount()).isEqualTo(3);
            }
        }
    }

    @Test
    void aSecondMigrationOfTheSameTableIsRefusedAtRegistration(TestDatabase db) throws Exception {
        MigrationFixture.createTables(db);
        db.execute("CREATE TABLE user_name(user_id bigint NOT NULL, name text NOT NULL, is_primary boolean NOT NULL DEFAULT false)");
        try (Connection c = db.connect()) {
            ControlSchema.register(c, MigrationFixture.SPEC);
            MigrationSpec name = new MigrationSpec("public", "users", "id", "name", "public", "user_name", "user_id", "name",
                    "is_primary", ControlSchema.syncViewName("users", "name"));
            assertThatThrownBy(() -> ControlSchema.register(c, name)).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getSQLState()).isEqualTo("0A000");
                assertThat(e.getMessage()).contains("already has migration users.email (phase EXPANDED)", "one column per table");
            });
        }
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.migration")).isEqualTo(1);
        assertThat(db.queryLong("SELECT count(*) FROM pg_class WHERE relname = '" + ControlSchema.syncViewName("users", "name")
                + "'")).as("nothing of it created").isZero();
    }

    /** Moves {@code migration} and waits until the driver of {@code app} applies the phase. */
    private static void phase(TestDatabase db, Connection app, String migration, Phase phase) throws Exception {
        try (Connection c = db.connect()) {
            MigrationFixture.moveTo(c, migration, phase);
        }
        Await.within(5000, () -> {
            try {
                return db.queryLong("SELECT count(*) FROM dualwrite.instance WHERE applied ->> '" + migration + "' = '"
                        + phase + "'") > 0;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, "driver applies " + phase + " to " + migration);
    }

    private static boolean evidence(TestDatabase db, String migration, String sample) {
        try {
            return db.queryLong("SELECT count(*) FROM dualwrite.statement_evidence WHERE migration = '" + migration
                    + "' AND sample LIKE '" + sample + "' AND translatable") > 0;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String row(PreparedStatement p, long id) throws SQLException {
        p.setLong(1, id);
        try (ResultSet rs = p.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1) + " " + rs.getString(2);
        }
    }

    private static List<String> column(PreparedStatement p, Object parameter) throws SQLException {
        p.setObject(1, parameter);
        List<String> out = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static List<String> rows(Statement s, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1) + " " + rs.getString(2));
            }
        }
        return out;
    }
}
