package io.dualwrite.migrator.backfill;

import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.migrator.parity.ParityCheck;
import io.dualwrite.migrator.parity.ParityResult;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BackfillResumeTest {

    private static final int USERS = 20_000;

    private static Run backfill(TestDatabase db, String... extra) {
        String[] base = {"backfill", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email", "--batch-size", "1000",
            "--workers", "1"};
        String[] all = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return cli(all);
    }

    private static long nonNullEmails(TestDatabase db) throws SQLException {
        return db.queryLong("SELECT count(*) FROM users WHERE email IS NOT NULL");
    }

    private static ParityResult parity(TestDatabase db) throws SQLException {
        try (Connection c = db.connect()) {
            return ParityCheck.run(c, "users.email", 10);
        }
    }

    /**
     * Every non-NULL source row in the pages before its range's checkpoint has its copy, and no other row has one; the
     * ranges' counts agree (and, with one range, the totals too: it advances them in every batch).
     */
    static void assertCopiedExactlyUpToCheckpoints(TestDatabase db) throws SQLException {
        String checkpointed = "EXISTS (SELECT 1 FROM dualwrite.backfill_range r WHERE u.ctid >= ('(' || r.lo_page || ',0)')::tid"
                + " AND u.ctid < ('(' || r.next_page || ',0)')::tid)";
        assertThat(db.queryLong("SELECT count(*) FROM email_address e JOIN users u ON u.id = e.user_id WHERE NOT " + checkpointed))
                .as("copies past the checkpoints").isZero();
        long copies = db.queryLong("SELECT count(*) FROM email_address");
        assertThat(copies)
                .isEqualTo(db.queryLong("SELECT count(*) FROM users u WHERE u.email IS NOT NULL AND " + checkpointed))
                .isEqualTo(db.queryLong("SELECT sum(rows_copied) FROM dualwrite.backfill_range"));
        if (db.queryLong("SELECT count(*) FROM dualwrite.backfill_range") == 1) {
            assertThat(copies).isEqualTo(db.queryLong("SELECT rows_copied FROM dualwrite.backfill_checkpoint"));
        }
    }

    /** An uncommitted primary target row for {@code key}: the batch that copies the key waits for it. */
    static void holdTargetKey(Connection blocker, long key) throws SQLException {
        blocker.setAutoCommit(false);
        try (Statement s = blocker.createStatement()) {
            s.execute("INSERT INTO email_address (user_id, address, is_primary) VALUES (" + key + ", 'blocker@example.com', true)");
        }
    }

    /** A pause and a resume leave the batch size adaptive (a control row with batch_size NULL read back as 0: one page). */
    @Test
    void pauseAndResumeKeepTheAdaptiveBatchSize(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 100);
        Fixtures.expandAndDualWrite(db);
        assertThat(backfill(db, "--pause").code()).isZero();
        assertThat(backfill(db, "--resume").code()).isZero();
        try (Connection c = db.connect()) {
            assertThat(BackfillControl.read(c, "users.email")).isEqualTo(new BackfillControl.State(false, null));
            BackfillControl.setBatchSize(c, "users.email", 500, "test");
            assertThat(BackfillControl.read(c, "users.email").batchSize()).isEqualTo(500);
        }
    }

    /**
     * {@code --resume} after the backfill process died (here: stopped by --max-batches, then paused with no process to
     * hold; a killed one leaves the same checkpoint and no session) goes on from the checkpoint in this command; while a
     * live backfill holds the migration's advisory lock it only lifts the pause, and starts no second one.
     */
    @Test
    void resumeWithNoBackfillRunningContinuesFromTheCheckpoint(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, USERS);
        Fixtures.expandAndDualWrite(db);
        assertThat(backfill(db, "--max-batches", "3").code()).isZero();
        assertThat(backfill(db, "--pause").code()).isZero();

        try (Connection live = db.connect(); Statement s = live.createStatement()) {
            // what a running backfill holds (Preflight.tryLock)
            s.execute("SELECT pg_advisory_lock(hashtextextended('dualwrite.backfill:users.email', 0))");
            Run held = backfill(db, "--resume");
            assertThat(held.code()).as(held.toString()).isZero();
            assertThat(held.out()).contains("backfill control of users.email: running").doesNotContain("resuming");
            assertThat(db.queryLong("SELECT batches FROM dualwrite.backfill_checkpoint")).isEqualTo(3);
        }
        assertThat(backfill(db, "--pause").code()).isZero();

        Run resumed = backfill(db, "--resume");
        assertThat(resumed.code()).as(resumed.toString()).isZero();
        assertThat(resumed.out()).contains("no backfill of users.email is running", "resuming it here from its checkpoint",
                "backfill of users.email complete");
        try (Connection c = db.connect()) {
            assertThat(BackfillControl.read(c, "users.email").paused()).isFalse();
        }
        assertThat(db.queryLong("SELECT rows_scanned FROM dualwrite.backfill_range")).as("no row twice").isEqualTo(USERS);
        assertThat(db.queryLong("SELECT count(*) FROM email_address")).isEqualTo(nonNullEmails(db));
        assertThat(parity(db).mismatches()).isZero();

        Run again = backfill(db, "--resume");
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.out()).contains("already complete", "nothing to resume");
    }

    @Test
    void pausedRunResumesAfterLastBatchWithoutRepeating(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, USERS);
        Fixtures.expandAndDualWrite(db);

        Run first = backfill(db, "--max-batches", "3");
        assertThat(first.code()).as(first.toString()).isZero();
        assertThat(first.out()).contains("paused after 3 batches");
        assertThat(db.queryLong("SELECT batches FROM dualwrite.backfill_checkpoint")).isEqualTo(3);
        long pagesPerBatch = db.queryLong("SELECT next_page FROM dualwrite.backfill_range") / 3;
        assertCopiedExactlyUpToCheckpoints(db);
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.backfill_checkpoint WHERE completed_at IS NULL")).isEqualTo(1);

        Run second = backfill(db);
        assertThat(second.code()).as(second.toString()).isZero();
        long batches = (db.queryLong("SELECT hi_page FROM dualwrite.backfill_range") + pagesPerBatch - 1) / pagesPerBatch;
        assertThat(second.out()).contains("complete", "in " + (batches - 3) + " batches this run");
        assertThat(db.queryLong("SELECT batches FROM dualwrite.backfill_checkpoint")).isEqualTo(batches);
        assertThat(db.queryLong("SELECT rows_scanned FROM dualwrite.backfill_range")).as("no row twice").isEqualTo(USERS);
        assertThat(db.queryLong("SELECT rows_copied FROM dualwrite.backfill_checkpoint")).isEqualTo(nonNullEmails(db));
        assertThat(db.queryLong("SELECT count(*) FROM email_address")).isEqualTo(nonNullEmails(db));
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.backfill_checkpoint WHERE completed_at IS NOT NULL")).isEqualTo(1);
        assertThat(parity(db).mismatches()).isZero();

        Run third = backfill(db);
        assertThat(third.code()).isZero();
        assertThat(third.out()).contains("already complete");
        assertThat(db.queryLong("SELECT batches FROM dualwrite.backfill_checkpoint")).isEqualTo(batches);

        Run restart = backfill(db, "--restart", "--json");
        assertThat(restart.code()).as(restart.toString()).isZero();
        assertThat(restart.out()).contains("\"outcome\":\"COMPLETED\"", "\"rowsCopiedThisRun\":0");
        assertThat(parity(db).mismatches()).isZero();
    }

    /**
     * Rows an UPDATE that does not set the column (no dual write) moves out of the pages not read yet, here past the
     * planned pages (the row outgrows its full page), are copied by the catch-up pass at the end.
     */
    @Test
    void rowsMovedBehindTheScanAreCaughtUp(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, USERS);
        Fixtures.expandAndDualWrite(db);
        assertThat(backfill(db, "--max-batches", "5").code()).isZero();
        long next = db.queryLong("SELECT next_page FROM dualwrite.backfill_range");
        long hi = db.queryLong("SELECT hi_page FROM dualwrite.backfill_range");
        db.execute("UPDATE users SET name = (SELECT string_agg(md5(random()::text || g), '') FROM generate_series(1, 40) g)"
                + " WHERE id IN (SELECT id FROM users WHERE ctid >= '(" + next + ",0)' AND email IS NOT NULL ORDER BY id LIMIT 50)");
        long movedPast = db.queryLong("SELECT count(*) FROM users WHERE ctid >= '(" + hi + ",0)'"); // the rest fit their page
        assertThat(movedPast).as("moved past the plan").isGreaterThan(40);

        Run second = backfill(db, "--json");
        assertThat(second.code()).as(second.toString()).isZero();
        assertThat(second.out()).contains("\"rowsCaughtUpThisRun\":" + movedPast);
        assertThat(db.queryLong("SELECT count(*) FROM email_address")).isEqualTo(nonNullEmails(db))
                .isEqualTo(db.queryLong("SELECT rows_copied FROM dualwrite.backfill_checkpoint"))
                .isEqualTo(db.queryLong("SELECT sum(rows_copied) FROM dualwrite.backfill_range"));
        assertThat(parity(db).mismatches()).isZero();
    }

    @Test
    void aSwitchBackToExpandedMakesTheCheckpointStale(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 2000);
        Fixtures.expandAndDualWrite(db);
        assertThat(backfill(db).code()).isZero();
        assertThat(cli("phase", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email", "EXPANDED").code())
                .isZero();
        db.execute("UPDATE users SET email = 'changed-while-expanded@example.com' WHERE id = 5"); // old column only
        assertThat(cli("phase", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email", "DUAL_WRITE").code())
                .isZero();

        Run refused = backfill(db);
        assertThat(refused.code()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("went back to EXPANDED", "--restart");
        db.execute("TRUNCATE email_address");
        Run again = backfill(db, "--restart");
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(parity(db).mismatches()).isZero();
    }

    @Test
    void emptyTableCompletesAtOnce(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 1);
        db.execute("DELETE FROM users");
        db.execute("VACUUM users"); // truncates the now empty pages: 0 pages to plan
        Fixtures.expandAndDualWrite(db);
        assertThat(db.queryLong("SELECT pg_relation_size('users')")).isZero();
        Run r = backfill(db);
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("complete", "0 rows scanned");
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.backfill_checkpoint WHERE completed_at IS NOT NULL")).isOne();
    }

    @Test
    void killedMidBatchResumesFromLastCommittedBatch(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, USERS);
        Fixtures.expandAndDualWrite(db);

        // an uncommitted target row for key 10501 makes the batch that copies it wait in the unique index
        try (Connection blocker = db.connect(); Connection victim = db.connect(); Connection admin = db.connect()) {
            holdTargetKey(blocker, 10501);
            int pid;
            try (Statement s = victim.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            CompletableFuture<BackfillResult> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return Backfill.run(victim, "users.email", new BackfillOptions(1000, 0, false), null);
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                long waiting = 0;
                try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid + " AND wait_event_type = 'Lock'")) {
                    rs.next();
                    waiting = rs.getLong(1);
                }
                if (waiting == 1) {
                    break;
                }
                assertThat(System.nanoTime()).as("backfill never blocked on the locked row").isLessThan(deadline);
                Thread.sleep(20);
            }
            try (Statement s = admin.createStatement()) {
                s.execute("SELECT pg_terminate_backend(" + pid + ")");
            }
            assertThatThrownBy(() -> run.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SQLException.class);
            blocker.rollback();
        }
        // the batches before the one holding 10501 are committed; the interrupted one left nothing behind
        long done = db.queryLong("SELECT batches FROM dualwrite.backfill_checkpoint");
        assertThat(done).isPositive();
        assertThat(db.queryLong("SELECT count(*) FROM users WHERE id = 10501 AND ctid >= ('(' ||"
                + " (SELECT next_page FROM dualwrite.backfill_range) || ',0)')::tid")).as("10501 is past the checkpoint").isOne();
        assertCopiedExactlyUpToCheckpoints(db);

        Run again = backfill(db);
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.out()).contains("complete");
        assertThat(db.queryLong("SELECT rows_scanned FROM dualwrite.backfill_range"))
                .as("every row scanned once over both runs: nothing repeated").isEqualTo(USERS);
        assertThat(db.queryLong("SELECT rows_copied FROM dualwrite.backfill_checkpoint")).isEqualTo(nonNullEmails(db));
        assertThat(parity(db).mismatches()).isZero();
    }

    @Test
    void withRetriesOffAKilledCliRunExitsTwoWithResumeHint(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 3000);
        Fixtures.expandAndDualWrite(db);
        try (Connection blocker = db.connect(); Connection admin = db.connect()) {
            blocker.setAutoCommit(false);
            holdTargetKey(blocker, 1500);
            CompletableFuture<Run> run = CompletableFuture.supplyAsync(() -> backfill(db, "--retry-for", "0"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dualwrite-backfill'"
                                + " AND wait_event_type = 'Lock'")) {
                    if (rs.next()) {
                        break;
                    }
                }
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(20);
            }
            Run killed = run.get(30, TimeUnit.SECONDS);
            assertThat(killed.code()).as(killed.toString()).isEqualTo(2);
            assertThat(killed.err()).contains("lost the connection (", "gave up: retries are off", "run the same command again")
                    .doesNotContain("\tat ");
            blocker.rollback();
        }
        assertCopiedExactlyUpToCheckpoints(db);
        Run again = backfill(db);
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(parity(db).mismatches()).isZero();
    }
}
