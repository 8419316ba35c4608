package io.dualwrite.migrator.backfill;

import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.migrator.parity.ParityCheck;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two interleavings of one dual write with one backfill batch, forced deterministically with
 * row locks (the writes use the statement form the driver produces, over plain PgJDBC).
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BackfillInterleavingTest {

    private static final String SET_EMAIL = "WITH \"dw$w\" AS (UPDATE users SET email = ? WHERE id = ? RETURNING id, email)"
            + " INSERT INTO dualwrite.sync_users_email (k, v, deleted) SELECT id, email, false FROM \"dw$w\"";

    private static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void awaitLockWait(TestDatabase db, int pid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid + " AND wait_event_type = 'Lock'") == 0) {
            assertThat(System.nanoTime()).as("pid " + pid + " never waited for a lock").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static void setEmail(Connection c, long id, String email) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(SET_EMAIL)) {
            p.setString(1, email);
            p.setLong(2, id);
            p.executeUpdate();
        }
    }

    private static CompletableFuture<BackfillResult> backfillAsync(Connection c) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Backfill.run(c, "users.email", new BackfillOptions(1000, 0, false), null);
            } catch (SQLException e) {
                throw new CompletionException(e);
            }
        });
    }

    private static long parity(TestDatabase db) throws SQLException {
        try (Connection c = db.connect()) {
            return ParityCheck.run(c, "users.email", 10).mismatches();
        }
    }

    /** A writer already holds the row: the batch waits and copies the newest committed value (here: none, NULL). */
    @ParameterizedTest
    @ValueSource(strings = {"", "changed@example.com"})
    void batchWaitsForWriterAndCopiesItsValue(String newValue, TestDatabase db) throws Exception {
        String value = newValue.isEmpty() ? null : newValue;
        Fixtures.createUsers(db, 100);
        Fixtures.expandAndDualWrite(db);
        try (Connection writer = db.connect(); Connection bf = db.connect()) {
            writer.setAutoCommit(false);
            setEmail(writer, 50, value);
            int bfPid = pid(bf);
            CompletableFuture<BackfillResult> run = backfillAsync(bf);
            awaitLockWait(db, bfPid);
            writer.commit();
            assertThat(run.get(30, TimeUnit.SECONDS).outcome()).isEqualTo(BackfillResult.Outcome.COMPLETED);
        }
        assertThat(db.queryLong("SELECT count(*) FROM email_address WHERE user_id = 50")).isEqualTo(value == null ? 0 : 1);
        assertThat(parity(db)).isZero();
    }

    /**
     * The batch holds the row first and commits its copy while the writer waits; the writer's sync
     * then must see that copy: in READ COMMITTED the trigger's fresh snapshot deletes it; in REPEATABLE
     * READ the trigger raises 40001 and the retried transaction deletes it.
     */
    @ParameterizedTest
    @ValueSource(ints = {Connection.TRANSACTION_READ_COMMITTED, Connection.TRANSACTION_REPEATABLE_READ})
    void writerWaitingForBatchSeesItsCopy(int isolation, TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 100);
        Fixtures.expandAndDualWrite(db);
        try (Connection blocker = db.connect(); Connection bf = db.connect(); Connection writer = db.connect()) {
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("SELECT 1 FROM users WHERE id = 60 FOR UPDATE");
            }
            int bfPid = pid(bf);
            CompletableFuture<BackfillResult> run = backfillAsync(bf);
            awaitLockWait(db, bfPid); // the batch holds 1..59 and waits for 60

            int writerPid = pid(writer);
            writer.setAutoCommit(false);
            writer.setTransactionIsolation(isolation);
            try (Statement s = writer.createStatement()) {
                s.execute("SELECT count(*) FROM users"); // the RR snapshot is taken here, before the batch commits
            }
            CompletableFuture<String> write = CompletableFuture.supplyAsync(() -> {
                try {
                    setEmail(writer, 30, null);
                    writer.commit();
                    return "committed";
                } catch (SQLException e) {
                    try {
                        writer.rollback();
                    } catch (SQLException ignored) {
                        // reported below
                    }
                    return e.getSQLState();
                }
            });
            awaitLockWait(db, writerPid); // waits for the batch's lock on 30
            blocker.rollback();
            assertThat(run.get(30, TimeUnit.SECONDS).outcome()).isEqualTo(BackfillResult.Outcome.COMPLETED);
            String outcome = write.get(30, TimeUnit.SECONDS);
            if (isolation == Connection.TRANSACTION_READ_COMMITTED) {
                assertThat(outcome).isEqualTo("committed");
            } else {
                assertThat(outcome).as("REPEATABLE READ must fail rather than miss the batch's row").isEqualTo("40001");
                // the failed transaction changed nothing: the batch's copy of the old value is consistent
                assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 30")).isEqualTo("u30@example.com");
                assertThat(parity(db)).isZero();
                setEmail(writer, 30, null); // the application's retry
                writer.commit();
            }
        }
        assertThat(db.queryLong("SELECT count(*) FROM email_address WHERE user_id = 30")).isZero();
        assertThat(parity(db)).isZero();
    }

    @Test
    void backfillWaitsForLiveInstancesToAcknowledgeDualWrite(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 100);
        Fixtures.expandAndDualWrite(db);
        db.execute("""
                CREATE TABLE IF NOT EXISTS dualwrite.instance (id text PRIMARY KEY, host text NOT NULL, pid bigint NOT NULL,
                  started_at timestamptz NOT NULL, heartbeat_at timestamptz NOT NULL DEFAULT now(),
                  applied jsonb NOT NULL DEFAULT '{}')""");
        db.execute("INSERT INTO dualwrite.instance VALUES ('a', 'app-1', 11, now(), now(), '{\"users.email\":\"EXPANDED\"}'),"
                + " ('gone', 'app-2', 22, now(), now() - interval '1 hour', '{\"users.email\":\"EXPANDED\"}'),"
                + " ('b', 'app-3', 33, now(), now(), '{\"users.email\":\"DUAL_WRITE\"}')");
        String[] args = {"backfill", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email", "--ack-timeout", "1"};
        Run refused = cli(args);
        assertThat(refused.code()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("app-1 pid 11", "applies EXPANDED").doesNotContain("app-2").doesNotContain("app-3");
        assertThat(db.queryLong("SELECT count(*) FROM email_address")).isZero();

        db.execute("UPDATE dualwrite.instance SET applied = '{\"users.email\":\"DUAL_WRITE\"}', heartbeat_at = now() WHERE id = 'a'");
        Run ok = cli(args);
        assertThat(ok.code()).as(ok.toString()).isZero();
        assertThat(parity(db)).isZero();
    }
}
