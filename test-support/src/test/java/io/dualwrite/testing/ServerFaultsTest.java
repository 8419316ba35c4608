package io.dualwrite.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(PostgresExtension.class)
class ServerFaultsTest {

    @Test
    void terminatesOnlyTheBackendsNamedLikeThePattern(TestDatabase db) throws Exception {
        try (Connection victim = connect(db, "victim-1"); Connection bystander = connect(db, "bystander")) {
            assertThat(ServerFaults.of(db).terminateBackends("victim-%")).isEqualTo(1);

            assertThatThrownBy(() -> select(victim)).isInstanceOf(SQLException.class);
            assertThat(select(bystander)).isEqualTo(1);
            assertThat(ServerFaults.of(db).terminateBackends("victim-%")).isZero();
        }
    }

    @Test
    void restartKeepsPortDataAndSettings(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE survivor (id int); INSERT INTO survivor VALUES (1)");
        String maxConnections = db.queryString("SHOW max_connections");
        String postmasterStart = db.queryString("SELECT pg_postmaster_start_time()::text");
        try (Connection before = connect(db, "before-restart")) {
            ServerFaults.of(db).restart(Duration.ofMillis(200));

            assertThatThrownBy(() -> select(before)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("terminat");
        }
        assertThat(db.queryString("SELECT pg_postmaster_start_time()::text")).isNotEqualTo(postmasterStart);
        assertThat(db.queryLong("SELECT count(*) FROM survivor")).isEqualTo(1);
        assertThat(db.queryString("SHOW max_connections")).isEqualTo(maxConnections);
    }

    private static Connection connect(TestDatabase db, String applicationName) throws SQLException {
        Properties p = db.properties();
        p.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(db.jdbcUrl(), p);
    }

    private static int select(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
