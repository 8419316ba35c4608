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
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.dualwrite.driver.ShapesByPhaseTest.execute;
import static org.assertj.core.api.Assertions.assertThat;

/** A dual write inside the application's transaction is undone with it: rollback and rollback to savepoint. */
@ExtendWith(PostgresExtension.class)
class TransactionRollbackTest {

    static Stream<Arguments> phasesAndApis() {
        List<Arguments> out = new ArrayList<>();
        for (Phase phase : new Phase[] {Phase.EXPANDED, Phase.DUAL_WRITE, Phase.READ_NEW}) {
            for (Api api : Api.values()) {
                out.add(Arguments.of(phase, api));
            }
        }
        return out.stream();
    }

    /** The primary row of one user as seen by {@code c} (a read of email_address only: passed through in every phase). */
    private static List<String> primaryOf(Connection c, long userId) throws SQLException {
        return MigrationFixture.rows(c, "SELECT address FROM email_address WHERE is_primary AND user_id = " + userId);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("phasesAndApis")
    void rollbackUndoesBothTables(Phase phase, Api api, TestDatabase db) throws SQLException {
        MigrationFixture.create(db, phase);
        List<String> emailAddressBefore = MigrationFixture.emailAddressRows(db);

        try (Connection c = db.connectDualwrite()) {
            c.setAutoCommit(false);
            assertThat(execute(c, api, "UPDATE users SET email = ? WHERE id = ?", List.of("rolled@example.com", 2L))).isEqualTo(1);
            assertThat(execute(c, api, "INSERT INTO users (id, name, email) VALUES (?, ?, ?)",
                    List.of(6L, "Fay", "fay@example.com"))).isEqualTo(1);
            assertThat(execute(c, api, "DELETE FROM users WHERE id = ?", List.of(4L))).isEqualTo(1);

            // inside the transaction the dual write did happen (so the rollback below has something to undo)
            if (phase.writesNew()) {
                assertThat(primaryOf(c, 2)).containsExactly("rolled@example.com");
                assertThat(primaryOf(c, 6)).containsExactly("fay@example.com");
                assertThat(primaryOf(c, 4)).isEmpty();
            } else {
                assertThat(primaryOf(c, 2)).containsExactly("bob@example.com");
                assertThat(primaryOf(c, 6)).isEmpty();
            }
            // and nothing is visible outside it yet
            assertThat(MigrationFixture.users(db)).isEqualTo(MigrationFixture.INITIAL_USERS);
            assertThat(MigrationFixture.emailAddressRows(db)).isEqualTo(emailAddressBefore);

            c.rollback();
        }

        assertThat(MigrationFixture.users(db)).as("users after rollback").isEqualTo(MigrationFixture.INITIAL_USERS);
        assertThat(MigrationFixture.emailAddressRows(db)).as("email_address after rollback").isEqualTo(emailAddressBefore);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("phasesAndApis")
    void rollbackToSavepointUndoesBothTablesAndKeepsTheRest(Phase phase, Api api, TestDatabase db) throws SQLException {
        MigrationFixture.create(db, phase);
        List<String> emailAddressBefore = MigrationFixture.emailAddressRows(db);

        try (Connection c = db.connectDualwrite()) {
            c.setAutoCommit(false);
            assertThat(execute(c, api, "UPDATE users SET email = ? WHERE id = ?", List.of("kept@example.com", 1L))).isEqualTo(1);
            Savepoint sp = c.setSavepoint();
            assertThat(execute(c, api, "UPDATE users SET email = ? WHERE id = ?", List.of("undone@example.com", 2L))).isEqualTo(1);
            assertThat(execute(c, api, "INSERT INTO users (id, name, email) VALUES (?, ?, ?)",
                    List.of(7L, "Gus", "gus@example.com"))).isEqualTo(1);
            assertThat(execute(c, api, "DELETE FROM users WHERE id = ?", List.of(5L))).isEqualTo(1);
            if (phase.writesNew()) {
                assertThat(primaryOf(c, 2)).containsExactly("undone@example.com");
                assertThat(primaryOf(c, 5)).isEmpty();
            }
            c.rollback(sp);
            if (phase.writesNew()) {
                assertThat(primaryOf(c, 1)).as("before the savepoint: kept").containsExactly("kept@example.com");
            }
            assertThat(primaryOf(c, 2)).as("after the savepoint: undone").containsExactly("bob@example.com");
            assertThat(primaryOf(c, 7)).isEmpty();
            assertThat(primaryOf(c, 5)).containsExactly("Eve@Example.com");
            assertThat(execute(c, api, "UPDATE users SET email = ? WHERE id = ?", List.of("after@example.com", 3L))).isEqualTo(1);
            c.commit();
        }

        Map<Long, String> expected = new TreeMap<>(MigrationFixture.INITIAL_USERS);
        expected.put(1L, "kept@example.com");
        expected.put(3L, "after@example.com");
        assertThat(MigrationFixture.users(db)).as("users after commit").isEqualTo(expected);
        if (phase.writesNew()) {
            assertThat(MigrationFixture.primaries(db)).as("email_address primary rows").isEqualTo(MigrationFixture.mirrorOf(expected));
        } else {
            assertThat(MigrationFixture.emailAddressRows(db)).as("email_address unchanged").isEqualTo(emailAddressBefore);
        }
    }
}
