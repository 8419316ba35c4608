package io.dualwrite.driver;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.dualwrite.driver.jdbc.StatementRefusedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The legacy app's setup: HikariCP with only the JDBC URL changed. */
@ExtendWith(PostgresExtension.class)
class HikariPoolTest {

    @Test
    void pooledConnectionsDualWrite(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        try (HikariDataSource ds = new HikariDataSource(config(db))) {
            try (Connection c = ds.getConnection();
                 PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
                p.setString(1, "pooled@example.com");
                p.setLong(2, 2);
                assertThat(p.executeUpdate()).isEqualTo(1);
            }
            // a connection handed out again by the pool, in a transaction
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement p = c.prepareStatement("INSERT INTO users (id, name, email) VALUES (?, ?, ?)")) {
                    p.setLong(1, 8);
                    p.setString(2, "Pia");
                    p.setString(3, "pia@example.com");
                    assertThat(p.executeUpdate()).isEqualTo(1);
                }
                c.commit();
            }
            // and one rolled back: Hikari resets the connection, nothing of it stays
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
                    p.setString(1, "gone@example.com");
                    p.setLong(2, 1);
                    assertThat(p.executeUpdate()).isEqualTo(1);
                }
                c.rollback();
            }
        }

        Map<Long, String> expected = new TreeMap<>(MigrationFixture.INITIAL_USERS);
        expected.put(2L, "pooled@example.com");
        expected.put(8L, "pia@example.com");
        assertThat(MigrationFixture.users(db)).isEqualTo(expected);
        assertThat(MigrationFixture.primaries(db)).isEqualTo(MigrationFixture.mirrorOf(expected));
    }

    /**
     * HikariCP closes a connection on SQLState 0A000 (one of its fatal states), inside the transaction; with
     * {@code KeepConnectionOnRefusal} a dualwrite refusal leaves it, and the transaction, to the application.
     */
    @Test
    void aRefusalKeepsThePooledConnectionWithTheOverride(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        String refused = "UPDATE ONLY (users) SET email = 'refused@example.com' WHERE id = 1";
        HikariConfig config = config(db);
        config.setExceptionOverrideClassName("io.dualwrite.driver.hikari.KeepConnectionOnRefusal");
        try (HikariDataSource ds = new HikariDataSource(config); Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                assertThat(s.executeUpdate("UPDATE users SET email = 'kept@example.com' WHERE id = 2")).isEqualTo(1);
                assertThatThrownBy(() -> s.executeUpdate(refused)).isInstanceOf(StatementRefusedException.class)
                        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("0A000");
                assertThat(c.isClosed()).isFalse();
                assertThat(s.executeUpdate("UPDATE users SET name = 'Bo' WHERE id = 2")).isEqualTo(1);
            }
            c.commit();
        }
        assertThat(MigrationFixture.users(db)).containsEntry(2L, "kept@example.com");
        assertThat(MigrationFixture.primaries(db)).containsEntry(2L, "kept@example.com");

        // without it, HikariCP's own judgement: the connection is closed under the transaction
        try (HikariDataSource ds = new HikariDataSource(config(db)); Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.executeUpdate(refused)).isInstanceOf(StatementRefusedException.class);
            }
            assertThat(c.isClosed()).isTrue();
        }
    }

    private static HikariConfig config(TestDatabase db) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.dualwriteUrl());
        config.setDriverClassName("io.dualwrite.driver.DualwriteDriver");
        if (db.user() != null) {
            config.setUsername(db.user());
        }
        if (db.password() != null) {
            config.setPassword(db.password());
        }
        config.setMaximumPoolSize(2);
        config.setPoolName("dualwrite-test");
        return config;
    }
}
