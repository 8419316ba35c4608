package io.dualwrite.driver.jdbc;

import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.control.ControlSchema;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;

import static org.assertj.core.api.Assertions.assertThat;

/** What a rewriting PreparedStatement keeps of the application's bindings, and what it re-binds after a phase change. */
@ExtendWith(PostgresExtension.class)
class ParameterLogTest {

    private static final MigrationSpec SPEC = new MigrationSpec("public", "users", "id", "email", "public", "email_address",
            "user_id", "address", "is_primary", ControlSchema.syncViewName("users", "email"));

    @Test
    void aStatementReusedManyTimesKeepsOneBindingPerParameterAndRebindsTheLatest(TestDatabase db) throws Exception {
        db.execute("""
                CREATE TABLE users (id bigint PRIMARY KEY, email text);
                INSERT INTO users SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 10) g;
                CREATE TABLE email_address (user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
                CREATE UNIQUE INDEX ON email_address (user_id) WHERE is_primary;
                """);
        try (Connection admin = db.connect()) {
            ControlSchema.register(admin, SPEC);
        }
        try (Connection c = db.connectDualwrite();
             PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
            ParameterLog log = p.unwrap(RewritingPreparedStatement.class).log();
            for (int i = 0; i < 2_000; i++) {
                p.setString(1, "loop" + i + "@example.com");
                p.setLong(2, 1 + i % 10);
                p.executeUpdate();
            }
            assertThat(log.boundParameters()).isEqualTo(2);

            // bound twice before the phase changes: the re-prepared statement must get the latest value
            p.setString(1, "first@example.com");
            p.setString(1, "latest@example.com");
            p.setLong(2, 3);
            try (Connection admin = db.connect()) {
                PhaseWriter.change(admin, PhaseWriter.Request.of("users.email", Phase.DUAL_WRITE, "test", null));
            }
            long deadline = System.currentTimeMillis() + 3000;
            while (db.queryLong("SELECT count(*) FROM dualwrite.instance WHERE applied ->> 'users.email' = 'DUAL_WRITE'") == 0) {
                assertThat(System.currentTimeMillis()).isLessThan(deadline);
                Thread.sleep(20);
            }
            assertThat(p.executeUpdate()).isEqualTo(1);
            assertThat(db.queryString("SELECT email FROM users WHERE id = 3")).isEqualTo("latest@example.com");
            assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 3 AND is_primary"))
                    .isEqualTo("latest@example.com");
            assertThat(log.boundParameters()).isEqualTo(2);
        }
    }
}
