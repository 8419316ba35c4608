package io.dualwrite.driver;

import io.dualwrite.driver.ShapesByPhaseTest.Api;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** DESIGN principle 4: batch update counts, per entry, are the ones plain PgJDBC reports. */
@ExtendWith(PostgresExtension.class)
class BatchTest {

    static Stream<Arguments> phasesApisAndTx() {
        List<Arguments> out = new ArrayList<>();
        for (Phase phase : new Phase[] {Phase.EXPANDED, Phase.DUAL_WRITE, Phase.READ_NEW}) {
            for (Api api : Api.values()) {
                for (boolean autoCommit : new boolean[] {true, false}) {
                    out.add(Arguments.of(phase, api, autoCommit));
                }
            }
        }
        return out.stream();
    }

    private static int[] runBatch(Connection c, Api api) throws SQLException {
        if (api == Api.PREPARED) {
            try (PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id >= ?")) {
                p.setString(1, "batch-a@example.com");
                p.setLong(2, 5);     // 1 row
                p.addBatch();
                p.setString(1, "batch-b@example.com");
                p.setLong(2, 3);     // 3 rows
                p.addBatch();
                p.setString(1, "batch-c@example.com");
                p.setLong(2, 999);   // 0 rows
                p.addBatch();
                p.setNull(1, java.sql.Types.VARCHAR);
                p.setLong(2, 4);     // 2 rows, to NULL
                p.addBatch();
                return p.executeBatch();
            }
        }
        try (Statement s = c.createStatement()) {
            s.addBatch("INSERT INTO users (id, name, email) VALUES (40, 'Lu', 'lu@example.com'), (41, 'Mo', NULL)");
            s.addBatch("UPDATE users SET email = 'stmt-batch@example.com' WHERE id IN (1, 2, 3)");
            s.addBatch("UPDATE users SET email = 'none@example.com' WHERE id = 999");
            s.addBatch("DELETE FROM users WHERE id = 4");
            s.addBatch("UPDATE orders SET note = 'untouched table' WHERE id = 100");
            return s.executeBatch();
        }
    }

    @ParameterizedTest(name = "{0} {1} autoCommit={2}")
    @MethodSource("phasesApisAndTx")
    void batchCountsPerEntryAreUnchanged(Phase phase, Api api, boolean autoCommit, TestDatabase db) throws SQLException {
        MigrationFixture.create(db, phase);
        List<String> emailAddressBefore = MigrationFixture.emailAddressRows(db);

        int[] expectedCounts;
        Map<Long, String> expectedUsers;
        try (Connection plain = db.connect()) {
            plain.setAutoCommit(false);
            expectedCounts = runBatch(plain, api);
            expectedUsers = MigrationFixture.users(plain);
            plain.rollback();
        }
        assertThat(expectedCounts).as("sanity: plain PgJDBC counts")
                .containsExactly(api == Api.PREPARED ? new int[] {1, 3, 0, 2} : new int[] {2, 3, 0, 1, 1});

        try (Connection c = db.connectDualwrite()) {
            c.setAutoCommit(autoCommit);
            assertThat(runBatch(c, api)).as("batch counts through dualwrite").containsExactly(expectedCounts);
            if (!autoCommit) {
                c.commit();
            }
        }

        assertThat(MigrationFixture.users(db)).isEqualTo(expectedUsers);
        if (phase.writesNew()) {
            assertThat(MigrationFixture.primaries(db)).isEqualTo(MigrationFixture.mirrorOf(expectedUsers));
        } else {
            assertThat(MigrationFixture.emailAddressRows(db)).isEqualTo(emailAddressBefore);
        }
    }
}
