package io.dualwrite.driver;

import io.dualwrite.control.ValueIndexes;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.util.PSQLException;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A duplicate email in the phases that translate: PostgreSQL's error names the new table's unique twin, its table
 * and column (and the sync function's context); the application's, as on the original schema, names users_email_key,
 * users and email, which is what ORMs read the constraint's name from (Hibernate parses the message).
 */
@ExtendWith(PostgresExtension.class)
class UniqueViolationTwinTest {

    private static final String UNIQUE = "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)";

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void aDuplicateEmailIsReportedAsOnTheOriginalSchema(Phase phase, TestDatabase db) throws Exception {
        try (TestDatabase plain = PostgresServer.get().createDatabase()) {
            for (TestDatabase twin : List.of(plain, db)) {
                MigrationFixture.createTables(twin);
                twin.execute(UNIQUE);
            }
            MigrationFixture.register(db, Phase.READ_NEW);
            List<ValueIndexes.UniqueTwin> twins;
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                twins = ValueIndexes.uniqueTwins(c, MigrationFixture.SPEC);   // as phase NEW_ONLY builds them
                for (ValueIndexes.UniqueTwin t : twins) {
                    s.execute(t.ddl());
                }
            }
            MigrationFixture.enterTranslatingPhase(db, phase);
            if (phase == Phase.CONTRACTED) {   // as contract renames them once the drop has freed the old names
                for (ValueIndexes.UniqueTwin t : twins) {
                    db.execute("ALTER INDEX \"" + t.name() + "\" RENAME TO \"" + t.sourceName() + "\"");
                }
            }
            for (String sql : List.of("UPDATE users SET email = 'bob@example.com' WHERE id = 1",
                    "INSERT INTO users (id, name, email) VALUES (9, 'Ida', 'ann@example.com')")) {
                PSQLException expected = violation(plain.connect(), sql);
                PSQLException actual = violation(db.connectDualwrite(), sql);
                assertThat(expected.getServerErrorMessage().getConstraint()).isEqualTo("users_email_key");
                assertThat(actual.getSQLState()).as(sql).isEqualTo("23505");
                assertThat(actual.getMessage()).as(sql).isEqualTo(expected.getMessage());
                assertThat(actual.getServerErrorMessage().getConstraint()).isEqualTo("users_email_key");
                assertThat(actual.getServerErrorMessage().getTable()).isEqualTo("users");
                assertThat(actual.getServerErrorMessage().getDetail()).isEqualTo(expected.getServerErrorMessage().getDetail());
                assertThat(actual.getCause()).as("PostgreSQL's own error").isInstanceOf(PSQLException.class);
            }
            // in a batch: the entry's error, and the batch's message that quotes it
            String entry = "INSERT INTO users (id, name, email) VALUES (?, 'Ida', ?)";
            BatchUpdateException expected = batchViolation(plain.connect(), entry);
            BatchUpdateException actual = batchViolation(db.connectDualwrite(), entry);
            assertThat(actual.getNextException().getMessage()).isEqualTo(expected.getNextException().getMessage());
            assertThat(actual.getMessage()).contains("violates unique constraint \"users_email_key\"")
                    .contains("Key (email)=(bob@example.com)");
        }
        assertThat(MigrationFixture.primaries(db)).containsEntry(1L, "ann@example.com").doesNotContainKey(9L);
    }

    private static BatchUpdateException batchViolation(Connection c, String sql) throws SQLException {
        try (c; PreparedStatement p = c.prepareStatement(sql)) {
            p.setLong(1, 10);
            p.setString(2, "ten@example.com");
            p.addBatch();
            p.setLong(1, 11);
            p.setString(2, "bob@example.com");
            p.addBatch();
            return catchThrowableOfType(p::executeBatch, BatchUpdateException.class);
        }
    }

    private static PSQLException violation(Connection c, String sql) throws SQLException {
        try (c; Statement s = c.createStatement()) {
            return catchThrowableOfType(() -> s.executeUpdate(sql), PSQLException.class);
        }
    }
}
