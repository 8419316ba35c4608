package io.dualwrite.driver;

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
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
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
            twins(plain, db, phase, UNIQUE);
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
            // a Statement's batch too
            String text = "UPDATE users SET email = 'bob@example.com' WHERE id = 1";
            BatchUpdateException expectedText = statementBatchViolation(plain.connect(), text);
            BatchUpdateException actualText = statementBatchViolation(db.connectDualwrite(), text);
            assertThat(actualText.getMessage()).isEqualTo(expectedText.getMessage());
            assertThat(actualText.getNextException().getMessage()).isEqualTo(expectedText.getNextException().getMessage());
            assertThat(((PSQLException) actualText.getNextException()).getServerErrorMessage().getTable()).isEqualTo("users");
        }
        assertThat(MigrationFixture.primaries(db)).containsEntry(1L, "ann@example.com").doesNotContainKey(9L);
    }

    /**
     * {@code DatabaseMetaData.getIndexInfo} of users lists the old column's unique indexes as on the original schema: in
     * NEW_ONLY they still exist, after the contract their twins stand in for them (the driver's {@code RecordedIndexRows}),
     * an expression and a predicate read as the old column's. The statistics (CARDINALITY, PAGES) are the twin's.
     */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void getIndexInfoListsTheUniqueIndexesOfTheOriginalSchema(Phase phase, TestDatabase db) throws Exception {
        try (TestDatabase plain = PostgresServer.get().createDatabase()) {
            twins(plain, db, phase, UNIQUE + "; CREATE UNIQUE INDEX users_lower_email ON users (lower(email)) WHERE email <> ''"
                    + "; CREATE INDEX users_name ON users (name)");
            try (Connection p = plain.connect(); Connection d = db.connectDualwrite()) {
                for (boolean unique : new boolean[] {false, true}) {
                    for (String schema : new String[] {"public", null}) {
                        List<String> expected = indexes(p.getMetaData().getIndexInfo(null, schema, "users", unique, true));
                        assertThat(indexes(d.getMetaData().getIndexInfo(null, schema, "users", unique, true)))
                                .as("unique " + unique + ", schema " + schema).isEqualTo(expected);
                        assertThat(expected).anyMatch(r -> r.contains("users_email_key") && r.contains("email"))
                                .anyMatch(r -> r.contains("lower(email)") && r.contains("(email <> ''::text)"));
                    }
                }
                assertThat(indexes(d.getMetaData().getIndexInfo(null, "public", "orders", false, true)))
                        .isEqualTo(indexes(p.getMetaData().getIndexInfo(null, "public", "orders", false, true)));
            }
        }
    }

    /** Each row of a getIndexInfo result but its database's name and statistics (CARDINALITY, PAGES), labelled and typed. */
    private static List<String> indexes(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        try (rs) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    String label = md.getColumnLabel(i);
                    if (!label.equalsIgnoreCase("table_cat") && !label.equalsIgnoreCase("cardinality")
                            && !label.equalsIgnoreCase("pages")) {
                        row.append(label).append(':').append(md.getColumnTypeName(i)).append('=').append(rs.getString(i)).append(' ');
                    }
                }
                out.add(row.toString());
            }
        }
        return out;
    }

    /** {@code schema} on both twins and the migration on {@code db} in {@code phase}, its unique twins built. */
    private static void twins(TestDatabase plain, TestDatabase db, Phase phase, String schema) throws SQLException {
        for (TestDatabase twin : List.of(plain, db)) {
            MigrationFixture.createTables(twin);
            twin.execute(schema);
        }
        MigrationFixture.registerWithUniqueTwins(db, phase);
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

    private static BatchUpdateException statementBatchViolation(Connection c, String sql) throws SQLException {
        try (c; Statement s = c.createStatement()) {
            s.addBatch("UPDATE users SET name = 'n' WHERE id = 2");
            s.addBatch(sql);
            return catchThrowableOfType(s::executeBatch, BatchUpdateException.class);
        }
    }

    private static PSQLException violation(Connection c, String sql) throws SQLException {
        try (c; Statement s = c.createStatement()) {
            return catchThrowableOfType(() -> s.executeUpdate(sql), PSQLException.class);
        }
    }
}
