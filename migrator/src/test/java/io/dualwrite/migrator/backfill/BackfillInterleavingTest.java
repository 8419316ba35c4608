package io.dualwrite.migrator.backfill;

import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.migrator.parity.ParityCheck;
import io.dualwrite.testing.Await;
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
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The two interleavings of one dual write with one backfill batch, forced deterministically with
 * uncommitted transactions (the writes use the statement form the driver produces, over plain PgJDBC).
 * The batch takes no row locks: it meets the writer in the target table's unique index.
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

    /**
     * A writer synced the key first and has not committed: the batch reads the old value, and its copy of the key
     * waits in the unique index for the writer. A new value then makes the COPY fail and the batch redo itself with
     * ON CONFLICT DO NOTHING (the writer's row stays). NULL leaves no row to conflict with, so the batch copies the
     * stale value; the writer held the sync lock when the batch began, so the batch rechecks its copies and
     * deletes it before it commits.
     */
    @ParameterizedTest
    @ValueSource(strings = {"", "changed@example.com"})
    void batchWaitsForWriterAndKeepsItsValue(String newValue, TestDatabase db) throws Exception {
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
            BackfillResult r = run.get(30, TimeUnit.SECONDS);
            assertThat(r.outcome()).isEqualTo(BackfillResult.Outcome.COMPLETED);
            assertThat(r.rowsCorrectedThisRun()).as("stale copies deleted by the recheck").isEqualTo(value == null ? 1 : 0);
            assertThat(r.batchesRechecked()).isEqualTo(value == null ? 1 : 0);
            assertThat(r.batchesRedone()).as("COPY met the writer's row").isEqualTo(value == null ? 0 : 1);
        }
        assertThat(db.queryLong("SELECT count(*) FROM email_address WHERE user_id = 50")).isEqualTo(value == null ? 0 : 1);
        assertThat(parity(db)).isZero();
    }

    /**
     * The batch copied the key first and has not committed (a blocker's uncommitted target row at a later key holds
     * its COPY); the writer sets the key NULL, and its sync must not miss the copy: its DELETE finds nothing, its
     * probe insert waits for the batch, then in READ COMMITTED a fresh snapshot deletes the copy; in REPEATABLE READ
     * the probe raises 40001 and the retried transaction deletes it.
     */
    @ParameterizedTest
    @ValueSource(ints = {Connection.TRANSACTION_READ_COMMITTED, Connection.TRANSACTION_REPEATABLE_READ})
    void writerWaitingForBatchSeesItsCopy(int isolation, TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 100);
        Fixtures.expandAndDualWrite(db);
        try (Connection blocker = db.connect(); Connection bf = db.connect(); Connection writer = db.connect()) {
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("INSERT INTO email_address (user_id, address, is_primary) VALUES (60, 'blocker@example.com', true)");
            }
            int bfPid = pid(bf);
            CompletableFuture<BackfillResult> run = backfillAsync(bf);
            awaitLockWait(db, bfPid); // the batch copied 1..59 and waits for 60

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
            awaitLockWait(db, writerPid); // its probe waits for the batch's copy of 30
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

    /**
     * A target value type with no placeholder for the probe ({@code macaddr NOT NULL}): the batch locks its source rows
     * instead, so a writer that holds a row makes the batch wait, and the batch copies the committed value.
     */
    @ParameterizedTest
    @ValueSource(strings = {"", "08:00:2b:01:02:ff"})
    void typeWithoutProbeLocksTheBatchRows(String newValue, TestDatabase db) throws Exception {
        String value = newValue.isEmpty() ? null : newValue;
        db.execute("CREATE TABLE hosts (id bigint PRIMARY KEY, addr macaddr)");
        db.execute("INSERT INTO hosts SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE ('08:00:2b:01:' || lpad(to_hex(g / 256), 2, '0')"
                + " || ':' || lpad(to_hex(g % 256), 2, '0'))::macaddr END FROM generate_series(1, 300) g");
        Run expand = cli("expand", "--url", db.jdbcUrl(), "--user", db.user(), "--source", "hosts.addr", "--key", "id",
                "--target", "host_address.addr", "--target-key", "host_id", "--primary-flag", "is_primary");
        assertThat(expand.code()).as(expand.toString()).isZero();
        assertThat(cli("phase", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", "hosts.addr", "DUAL_WRITE").code())
                .isZero();
        try (Connection writer = db.connect(); Connection bf = db.connect()) {
            writer.setAutoCommit(false);
            try (PreparedStatement p = writer.prepareStatement("WITH \"dw$w\" AS (UPDATE hosts SET addr = ?::macaddr WHERE id = 150"
                    + " RETURNING id, addr) INSERT INTO dualwrite.sync_hosts_addr (k, v, deleted) SELECT id, addr, false FROM \"dw$w\"")) {
                p.setString(1, value);
                p.executeUpdate();
            }
            int bfPid = pid(bf);
            CompletableFuture<BackfillResult> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return Backfill.run(bf, "hosts.addr", new BackfillOptions(1000, 0, false), null);
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            });
            awaitLockWait(db, bfPid);
            assertThat(db.queryString("SELECT query FROM pg_stat_activity WHERE pid = " + bfPid)).contains("FOR NO KEY UPDATE");
            writer.commit();
            assertThat(run.get(30, TimeUnit.SECONDS).outcome()).isEqualTo(BackfillResult.Outcome.COMPLETED);
        }
        assertThat(db.queryString("SELECT coalesce(string_agg(addr::text, ','), 'none') FROM host_address WHERE host_id = 150"))
                .isEqualTo(value == null ? "none" : value);
        try (Connection c = db.connect()) {
            assertThat(ParityCheck.run(c, "hosts.addr", 10).mismatches()).isZero();
        }
        assertThat(db.queryLong("SELECT count(*) FROM host_address"))
                .isEqualTo(db.queryLong("SELECT count(*) FROM hosts WHERE addr IS NOT NULL"));
    }

    /** A target with more on its value column (here UNIQUE (address)): no placeholder may be written, the batch locks. */
    @Test
    void constrainedTargetGetsNoProbeAndTheBatchLocks(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 100);
        Fixtures.expandAndDualWrite(db);
        assertThat(db.queryString("SELECT prosrc FROM pg_proc WHERE proname = 'sync_users_email_apply'")).contains("DO NOTHING");
        db.execute("ALTER TABLE email_address ADD CONSTRAINT email_address_address_key UNIQUE (address)");
        Run again = cli(Fixtures.expandArgs(db));
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(db.queryString("SELECT prosrc FROM pg_proc WHERE proname = 'sync_users_email_apply'")).doesNotContain("DO NOTHING");
        try (Connection writer = db.connect(); Connection bf = db.connect()) {
            writer.setAutoCommit(false);
            setEmail(writer, 50, null);
            int bfPid = pid(bf);
            CompletableFuture<BackfillResult> run = backfillAsync(bf);
            awaitLockWait(db, bfPid);
            assertThat(db.queryString("SELECT query FROM pg_stat_activity WHERE pid = " + bfPid)).contains("FOR NO KEY UPDATE");
            writer.commit();
            assertThat(run.get(30, TimeUnit.SECONDS).outcome()).isEqualTo(BackfillResult.Outcome.COMPLETED);
        }
        assertThat(parity(db)).isZero();
    }

    /**
     * An auto-commit statement that began before the switch to DUAL_WRITE (here: a plain UPDATE, not dual-written)
     * is not covered by the instances' acknowledgements: the backfill waits for it (or refuses after the timeout),
     * so it never copies a value such a statement then overwrites in the old column only.
     */
    @Test
    void backfillWaitsForStatementsThatBeganBeforeIt(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 100);
        Fixtures.expandAndDualWrite(db);
        try (Connection slow = db.connect(); Connection bf = db.connect(); Connection gate = db.connect()) {
            int slowPid = pid(slow);
            // the statement runs until the test lets it finish: no sleep a loaded machine could outlast
            try (Statement g = gate.createStatement()) {
                g.execute("SELECT pg_advisory_lock(4242)");
            }
            CompletableFuture<Integer> statement = CompletableFuture.supplyAsync(() -> {
                try (Statement s = slow.createStatement()) {
                    return s.executeUpdate("UPDATE users SET email = 'slow@example.com'"
                            + " FROM (SELECT pg_advisory_lock_shared(4242)) z WHERE id = 10");
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            });
            Await.within(10_000, () -> {
                try {
                    return db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE pid = " + slowPid
                            + " AND state = 'active' AND query LIKE 'UPDATE users%'") == 1;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, "the slow statement runs");
            assertThatThrownBy(() -> Backfill.run(bf, "users.email", new BackfillOptions(1000, 0, false,
                    Duration.ofMillis(300)), null))
                    .hasMessageContaining("began before every instance applied DUAL_WRITE and still run")
                    .hasMessageContaining("pid " + slowPid);
            try (Statement g = gate.createStatement()) {
                g.execute("SELECT pg_advisory_unlock(4242)");
            }
            BackfillResult r = Backfill.run(bf, "users.email", new BackfillOptions(1000, 0, false), null);
            assertThat(r.outcome()).isEqualTo(BackfillResult.Outcome.COMPLETED);
            assertThat(statement.get(10, TimeUnit.SECONDS)).isOne();
        }
        assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 10")).isEqualTo("slow@example.com");
        assertThat(parity(db)).isZero();
    }

    /** Statements that start after the backfill are not waited for, however busy the application keeps the table. */
    @Test
    void backfillDoesNotWaitForNewerStatements(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 100);
        Fixtures.expandAndDualWrite(db);
        AtomicBoolean stop = new AtomicBoolean();
        try (Connection busy = db.connect(); Connection bf = db.connect()) {
            CompletableFuture<Long> app = CompletableFuture.supplyAsync(() -> {
                long n = 0;
                try (Statement s = busy.createStatement()) {
                    while (!stop.get()) { // back to back: at any moment one runs, begun a little earlier
                        n += s.executeUpdate("UPDATE users SET name = name FROM (SELECT pg_sleep(0.05)) z WHERE id = 1");
                    }
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
                return n;
            });
            Thread.sleep(200);
            BackfillResult r = Backfill.run(bf, "users.email", new BackfillOptions(1000, 0, false, Duration.ofSeconds(2)),
                    null);
            assertThat(r.outcome()).isEqualTo(BackfillResult.Outcome.COMPLETED);
            stop.set(true);
            assertThat(app.get(10, TimeUnit.SECONDS)).isPositive();
        }
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
