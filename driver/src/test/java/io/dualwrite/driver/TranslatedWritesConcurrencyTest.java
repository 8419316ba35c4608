package io.dualwrite.driver;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two application writers of one key in the translated phases, in READ COMMITTED and REPEATABLE READ: the first
 * writes and holds its transaction open, the second's statement waits for it (checked in pg_locks, not by sleeping),
 * then the first commits. The same steps run on a twin that still has the column, through plain PgJDBC: the second
 * writer's count or SQLState must be the same, and the target's primary rows must equal the twin's column. The
 * cases where the second writer sets NULL or deletes after the first one created the key's primary row are the
 * ones a delete on the statement's snapshot gets wrong (the row stays): the translated phases' sync must delete it
 * with a snapshot taken after the wait (control's TranslatedSync).
 */
@ExtendWith(PostgresExtension.class)
class TranslatedWritesConcurrencyTest {

    static Stream<Arguments> cases() {
        String[][] pairs = {
                {"UPDATE users SET email = 'a@example.com' WHERE id = 3", "UPDATE users SET email = NULL WHERE id = 3"},
                {"UPDATE users SET email = 'a@example.com' WHERE id = 3", "DELETE FROM users WHERE id = 3"},
                {"UPDATE users SET email = NULL WHERE id = 2", "UPDATE users SET email = 'b@example.com' WHERE id = 2"},
                {"DELETE FROM users WHERE id = 1", "UPDATE users SET email = 'b@example.com' WHERE id = 1"},
                {"DELETE FROM users WHERE id = 4", "INSERT INTO users (id, name, email) VALUES (4, 'Dee 2', NULL)"},
                {"INSERT INTO users (id, name, email) VALUES (10, 'X', 'x@example.com')",
                        "INSERT INTO users (id, name, email) VALUES (10, 'Y', NULL)"},
                {"UPDATE users SET name = 'Ann 2' WHERE id = 1", "UPDATE users SET email = NULL WHERE id = 1"},
        };
        List<Arguments> out = new ArrayList<>();
        for (Phase phase : new Phase[] {Phase.NEW_ONLY, Phase.CONTRACTED}) {
            for (int isolation : new int[] {Connection.TRANSACTION_READ_COMMITTED, Connection.TRANSACTION_REPEATABLE_READ}) {
                for (String[] pair : pairs) {
                    out.add(Arguments.of(phase, isolation, pair[0], pair[1]));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} isolation {1}: {2}, then {3}")
    @MethodSource("cases")
    void theSecondWriterEndsAsOnTheOriginalSchema(Phase phase, int isolation, String first, String second, TestDatabase db)
            throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        MigrationFixture.enterTranslatingPhase(db, phase);
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            String plainOutcome;
            try (Connection a = plainDb.connect(); Connection b = plainDb.connect(); Connection watch = plainDb.connect()) {
                plainOutcome = interleave(a, b, watch, isolation, first, second);
            }
            String dualOutcome;
            try (Connection a = db.connectDualwrite(); Connection b = db.connectDualwrite(); Connection watch = db.connect()) {
                dualOutcome = interleave(a, b, watch, isolation, first, second);
            }
            if (isolation == Connection.TRANSACTION_REPEATABLE_READ && second.startsWith("INSERT") && first.startsWith("DELETE")
                    && !dualOutcome.equals(plainOutcome)) {
                // Known difference: a NULL insert deletes the key's primary row in case one is left over, and under
                // REPEATABLE READ that row, deleted by the first writer after the snapshot, fails it with 40001; the
                // application retries, as it does any 40001, and the retry must then match
                assertThat(dualOutcome).isEqualTo("SQLState 40001");
                try (Connection b = db.connectDualwrite(); Statement s = b.createStatement()) {
                    dualOutcome = "count " + s.executeUpdate(second);
                }
            }
            assertThat(dualOutcome).as("the second writer's count or SQLState").isEqualTo(plainOutcome);
            Map<Long, String> expected = MigrationFixture.users(plainDb);
            assertThat(translatedColumn(db)).as("the target's primary rows against the plain column").isEqualTo(expected);
        }
    }

    /**
     * Known gap, not of the sync: an UPDATE whose new value reads the old one ({@code SET email = email || '.b'}) reads
     * the key's primary row on the statement's snapshot (locking it when it is visible). Under READ COMMITTED, when the
     * first writer gave the key its first primary row while this statement waited, the row is not visible, the value
     * is computed from NULL, and the row is deleted, where the original schema gives {@code a@example.com.b}.
     */
    @Disabled("known gap: SET email = f(email) racing the key's first primary row under READ COMMITTED (see javadoc)")
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void anUpdateReadingTheOldValueSeesAPrimaryRowCreatedWhileItWaited(Phase phase, TestDatabase db) throws Exception {
        theSecondWriterEndsAsOnTheOriginalSchema(phase, Connection.TRANSACTION_READ_COMMITTED,
                "UPDATE users SET email = 'a@example.com' WHERE id = 3", "UPDATE users SET email = email || '.b' WHERE id = 3", db);
    }

    /**
     * {@code first} in an open transaction; {@code second} in a transaction of {@code isolation} whose snapshot is
     * taken before, waiting for {@code first}'s; then both commit. The second's update count, or its SQLState.
     */
    private static String interleave(Connection a, Connection b, Connection watch, int isolation, String first,
                                     String second) throws Exception {
        a.setAutoCommit(false);
        b.setAutoCommit(false);
        b.setTransactionIsolation(isolation);
        long pid;
        try (Statement s = b.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next(); // also the REPEATABLE READ snapshot: taken before the first writer commits
            pid = rs.getLong(1);
        }
        try (Statement s = a.createStatement()) {
            s.executeUpdate(first);
        }
        CompletableFuture<String> outcome = CompletableFuture.supplyAsync(() -> {
            try (Statement s = b.createStatement()) {
                String count = "count " + s.executeUpdate(second);
                b.commit();
                return count;
            } catch (SQLException e) {
                try {
                    b.rollback();
                } catch (SQLException ignored) {
                    // the outcome is the statement's error
                }
                return "SQLState " + e.getSQLState();
            }
        });
        awaitBlocked(watch, pid, outcome);
        a.commit();
        return outcome.get(60, TimeUnit.SECONDS);
    }

    /** Until backend {@code pid} waits for a lock; fails if its statement finished without waiting. */
    private static void awaitBlocked(Connection watch, long pid, CompletableFuture<String> outcome) throws Exception {
        try (PreparedStatement p = watch.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = ? AND NOT granted)")) {
            p.setLong(1, pid);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                assertThat(outcome.isDone()).as("the second writer finished without waiting: " + (outcome.isDone()
                        ? outcome.get() : "")).isFalse();
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return;
                    }
                }
                Thread.sleep(5);
            }
        }
        throw new AssertionError("the second writer never waited for the first");
    }

    /** id -> the primary target row's address (null: none), for every users row; a primary row of no user fails. */
    private static Map<Long, String> translatedColumn(TestDatabase db) throws SQLException {
        Map<Long, String> out = new TreeMap<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT u.id, e.address, e.user_id IS NOT NULL AND u.id IS NULL FROM users u"
                     + " FULL JOIN (SELECT * FROM email_address WHERE is_primary) e ON e.user_id = u.id")) {
            while (rs.next()) {
                assertThat(rs.getBoolean(3)).as("a primary row without its user").isFalse();
                out.put(rs.getLong(1), rs.getString(2));
            }
        }
        return out;
    }
}
