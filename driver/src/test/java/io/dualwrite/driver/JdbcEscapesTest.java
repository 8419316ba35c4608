package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * JDBC escape syntax in statements on the migrated table: PgJDBC replaces {@code {fn …}}, {@code {d …}},
 * {@code {escape …}} and {@code {oj …}} before PostgreSQL reads the text, and so does the driver before it plans, so
 * such statements pass through, dual-write, read the new table or translate like any other.
 */
@ExtendWith(PostgresExtension.class)
class JdbcEscapesTest {

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW", "CONTRACTED"})
    void escapesAreReadAsPgJdbcSendsThem(Phase phase, TestDatabase db) throws SQLException {
        MigrationFixture.createTables(db);
        MigrationFixture.registerIn(db, phase);
        try (Connection c = db.connectDualwrite(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT id FROM users WHERE name = 'Ann' AND {d '2024-01-01'} < now()")) {
                assertThat(MigrationFixture.rows(rs)).containsExactly("1");
            }
            try (ResultSet rs = s.executeQuery("SELECT {fn lcase(email)} AS e FROM users WHERE id = 5")) {
                assertThat(MigrationFixture.rows(rs)).containsExactly("eve@example.com");
            }
            try (ResultSet rs = s.executeQuery("SELECT u.id FROM {oj users u LEFT JOIN orders o ON o.user_id = u.id}"
                    + " WHERE u.email LIKE 'ann!_%' {escape '!'} OR u.email LIKE 'ann%' ORDER BY 1")) {
                assertThat(MigrationFixture.rows(rs)).containsExactly("1");
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE users SET email = {fn lcase(?)} WHERE id = ?")) {
                p.setString(1, "NEW@Example.com");
                p.setLong(2, 4);
                assertThat(p.executeUpdate()).isOne();
            }
        }
        assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 4 AND is_primary"))
                .isEqualTo("new@example.com");
        if (phase != Phase.CONTRACTED) {
            assertThat(db.queryString("SELECT email FROM users WHERE id = 4")).isEqualTo("new@example.com");
            MigrationFixture.assertInSync(db);
        }
    }
    /**
     * With escape processing off PgJDBC sends the braces as written and PostgreSQL rejects them (42601); the driver must
     * not read (and send) the replaced text: the statement fails, or is refused, and writes nothing.
     */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW", "CONTRACTED"})
    void escapesAreLeftAsWrittenWhereProcessingIsOff(Phase phase, TestDatabase db) throws SQLException {
        MigrationFixture.createTables(db);
        MigrationFixture.registerIn(db, phase);
        Map<Long, String> before = MigrationFixture.primaries(db);
        try (Connection c = db.connectDualwrite(); Statement s = c.createStatement()) {
            s.setEscapeProcessing(false);
            for (String sql : List.of("SELECT {fn lcase(email)} FROM users ORDER BY 1",
                    "UPDATE users SET email = {fn lcase(email)} WHERE id = 5",
                    "INSERT INTO users VALUES (77, {fn ucase('n')}, 'e@x')",
                    "DELETE FROM users WHERE email = {fn lcase('BOB@EXAMPLE.COM')}")) {
                SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> s.execute(sql), sql);
                assertThat(e.getSQLState()).as(sql).isIn("42601", "0A000");
            }
            s.setEscapeProcessing(true);
            try (ResultSet rs = s.executeQuery("SELECT {fn lcase(email)} AS e FROM users WHERE id = 5")) {
                assertThat(MigrationFixture.rows(rs)).containsExactly("eve@example.com");
            }
        }
        assertThat(MigrationFixture.primaries(db)).isEqualTo(before);
    }
}
