package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The seconds after the fleet moves from READ_NEW to NEW_ONLY: instances that already follow NEW_ONLY write the new
 * table alone, so the old column falls behind, while an instance that has not yet followed still runs READ_NEW. Its
 * writes must not look rows up by the stale old column: here the new table is changed the way a NEW_ONLY instance
 * changes it (users.email left as it was), and the READ_NEW writes through the driver must find the rows by the new
 * values, exactly as a plain UPDATE/DELETE would on a database where the column had been written.
 */
@ExtendWith(PostgresExtension.class)
class ReadNewBesideNewOnlyTest {

    @Test
    void readNewWritesFindRowsByTheNewTablesValues(TestDatabase db) throws SQLException {
        readNewBesideNewOnly(db);
        try (Connection c = db.connectDualwrite(); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("UPDATE users SET name = 'Ann B.' WHERE email = 'ann@example.com'")).isZero();
            try (PreparedStatement p = c.prepareStatement("UPDATE users SET name = ? WHERE email = ?")) {
                p.setString(1, "Ann B.");
                p.setString(2, "ann@new.example");
                assertThat(p.executeUpdate()).isEqualTo(1);
            }
            // the assigned value and the sync stay the dual write's: both sides get the new value
            assertThat(s.executeUpdate("UPDATE users SET email = 'bob@newer.example' WHERE email IN ('bob@new.example', 'x')"))
                    .isEqualTo(1);
            assertThat(s.executeUpdate("DELETE FROM users WHERE email = 'dee@example.com'")).isZero();
            assertThat(s.executeUpdate("DELETE FROM users WHERE email = 'dee@new.example'")).isEqualTo(1);
            assertThat(s.executeUpdate("UPDATE orders o SET note = 'to bob' FROM users u WHERE u.id = o.user_id"
                    + " AND u.email = 'bob@newer.example'")).isEqualTo(2);
        }
        assertThat(db.queryString("SELECT name FROM users WHERE id = 1")).isEqualTo("Ann B.");
        assertThat(MigrationFixture.users(db)).containsEntry(2L, "bob@newer.example").doesNotContainKey(4L);
        assertThat(MigrationFixture.primaries(db)).isEqualTo(Map.of(1L, "ann@new.example", 2L, "bob@newer.example",
                5L, "Eve@Example.com"));
        assertThat(db.queryLong("SELECT count(*) FROM orders WHERE note = 'to bob'")).isEqualTo(2);
    }

    /**
     * With a RETURNING list too: rows found by the new values, the column returned as the new table has it (or as the
     * write leaves it, where it assigns it), and the columns described as the application's write describes them.
     */
    @Test
    void readNewWritesWithReturningReadTheNewTable(TestDatabase db) throws SQLException {
        readNewBesideNewOnly(db);
        try (Connection c = db.connectDualwrite()) {
            try (PreparedStatement p = c.prepareStatement("UPDATE users SET name = ? WHERE email = ? RETURNING id, email")) {
                p.setString(1, "Ann B.");
                p.setString(2, "ann@new.example");
                assertThat(p.getMetaData().getTableName(2)).as("described before it runs").isEqualTo("users");
                try (ResultSet rs = p.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    assertThat(md.getColumnCount()).isEqualTo(2);
                    assertThat(md.getColumnLabel(2)).isEqualTo("email");
                    assertThat(md.getTableName(2)).isEqualTo("users");
                    assertThat(md.isNullable(2)).isEqualTo(ResultSetMetaData.columnNullable);
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(1);
                    assertThat(rs.getString(2)).isEqualTo("ann@new.example");
                    assertThat(rs.next()).isFalse();
                }
            }
            try (Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("UPDATE users u SET email = upper(u.name) WHERE email = 'bob@new.example'"
                        + " RETURNING *")) {
                    assertThat(rs.getMetaData().getColumnCount()).isEqualTo(3);
                    assertThat(rs.getMetaData().getColumnName(3)).isEqualTo("email");
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString("email")).isEqualTo("BOB");
                    assertThat(rs.next()).isFalse();
                }
                try (ResultSet rs = s.executeQuery("DELETE FROM users WHERE email = 'dee@new.example' RETURNING email, id")) {
                    assertThat(rs.getMetaData().getColumnCount()).isEqualTo(2);
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("dee@new.example");
                    assertThat(rs.getLong(2)).isEqualTo(4);
                    assertThat(rs.next()).isFalse();
                }
            }
        }
        assertThat(db.queryString("SELECT name FROM users WHERE id = 1")).isEqualTo("Ann B.");
        assertThat(MigrationFixture.users(db)).containsEntry(2L, "BOB").doesNotContainKey(4L);
        assertThat(MigrationFixture.primaries(db)).isEqualTo(Map.of(1L, "ann@new.example", 2L, "BOB",
                5L, "Eve@Example.com"));
    }

    /** READ_NEW, and what a NEW_ONLY instance's translated writes leave: the new table moved on, the old column did not. */
    private static void readNewBesideNewOnly(TestDatabase db) throws SQLException {
        MigrationFixture.create(db, Phase.READ_NEW);
        db.execute("UPDATE email_address SET address = 'ann@new.example' WHERE user_id = 1 AND is_primary;"
                + " UPDATE email_address SET address = 'bob@new.example' WHERE user_id = 2 AND is_primary;"
                + " UPDATE email_address SET address = 'dee@new.example' WHERE user_id = 4 AND is_primary");
    }
}
