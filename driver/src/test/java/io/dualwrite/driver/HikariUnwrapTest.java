package io.dualwrite.driver;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code unwrap(PGConnection.class)} through HikariCP and the driver reaches PgJDBC's connection;
 * back-references return HikariCP's proxies (which wrap ours). The unwrapped connection's COPY API
 * still goes through the driver (a COPY into users reaches email_address too: {@link CopyApiTest}).
 */
@ExtendWith(PostgresExtension.class)
class HikariUnwrapTest {

    @Test
    void unwrapReachesPgConnectionThroughHikariAndTheDriver(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.dualwriteUrl());
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(2);
        try (HikariDataSource pool = new HikariDataSource(config); Connection c = pool.getConnection()) {
            assertThat(c.isWrapperFor(PGConnection.class)).isTrue();
            assertThat(c.isWrapperFor(io.dualwrite.driver.jdbc.DualwriteConnection.class)).isTrue();
            PGConnection pg = c.unwrap(PGConnection.class);
            assertThat(pg).isNotNull();
            assertThat(pg.getBackendPID()).isPositive();
            assertThat(c.isValid(1)).isTrue();
            try (Statement s = c.createStatement()) {
                assertThat(s.getConnection()).isSameAs(c);
                try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                    assertThat(rs.getStatement()).isSameAs(s);
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(pg.getBackendPID());
                }
                assertThat(s.executeUpdate("UPDATE users SET email = 'pooled@example.com' WHERE id = 1")).isEqualTo(1);
            }
            MigrationFixture.assertInSync(db);

            CopyManager copy = pg.getCopyAPI();
            copy.copyIn("COPY users (id, name, email) FROM STDIN WITH (FORMAT csv)", new StringReader("90,Copy,copy@example.com\n"));
        }
        assertThat(MigrationFixture.users(db)).containsEntry(90L, "copy@example.com");
        MigrationFixture.assertInSync(db);
    }
}
