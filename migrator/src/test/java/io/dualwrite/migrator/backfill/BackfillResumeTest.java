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
import java.util.concurrent.CompletableFuture;
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
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
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

    @Test
    void pausedRunResumesAfterLastBatchWithoutRepeating(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, USERS);
        Fixtures.expandAndDualWrite(db);

        Run first = backfill(db, "--max-batches", "3");
        assertThat(first.code()).as(first.toString()).isZero();
        assertThat(first.out()).contains("paused after 3 batches", "key 3000");
        assertThat(db.queryString("SELECT last_key FROM dualwrite.backfill_checkpoint")).isEqualTo("3000");
        assertThat(db.queryLong("SELECT batches FROM dualwrite.backfill_checkpoint")).isEqualTo(3);
        assertThat(db.queryLong("SELECT rows_copied FROM dualwrite.backfill_checkpoint"))
                .isEqualTo(db.queryLong("SELECT count(*) FROM users WHERE id <= 3000 AND email IS NOT NULL"));
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.backfill_checkpoint WHERE completed_at IS NULL")).isEqualTo(1);
        assertThat(db.queryLong("SELECT count(*) FROM email_address WHERE user_id > 3000")).isZero();

        Run second = backfill(db);
        assertThat(second.code()).as(second.toString()).isZero();
        assertThat(second.out()).contains("complete", "in 17 batches this run");
        assertThat(db.queryLong("SELECT batches FROM dualwrite.backfill_checkpoint")).isEqualTo(USERS / 1000);
        assertThat(db.queryLong("SELECT rows_copied FROM dualwrite.backfill_checkpoint")).isEqualTo(nonNullEmails(db));
        assertThat(db.queryLong("SELECT count(*) FROM email_address")).isEqualTo(nonNullEmails(db));
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.backfill_checkpoint WHERE completed_at IS NOT NULL")).isEqualTo(1);
        assertThat(parity(db).mismatches()).isZero();

        Run third = backfill(db);
        assertThat(third.code()).isZero();
        assertThat(third.out()).contains("already complete");
        assertThat(db.queryLong("SELECT batches FROM dualwrite.backfill_checkpoint")).isEqualTo(USERS / 1000);

        Run restart = backfill(db, "--restart", "--json");
        assertThat(restart.code()).as(restart.toString()).isZero();
        assertThat(restart.out()).contains("\"outcome\":\"COMPLETED\"", "\"rowsCopiedThisRun\":0");
        assertThat(parity(db).mismatches()).isZero();
    }

    @Test
    void killedMidBatchResumesFromLastCommittedBatch(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, USERS);
        Fixtures.expandAndDualWrite(db);

        // hold a row lock in the middle of batch 11 (keys 10001..11000) so the backfill is stuck inside that batch
        try (Connection blocker = db.connect(); Connection victim = db.connect(); Connection admin = db.connect()) {
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("SELECT 1 FROM users WHERE id = 10500 FOR UPDATE");
            }
            int pid;
            try (Statement s = victim.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            CompletableFuture<BackfillResult> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return Backfill.run(victim, "users.email", new BackfillOptions(1000, 0, false), null);
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
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
        // exactly the first 10 batches are committed; the interrupted 11th left nothing behind
        assertThat(db.queryString("SELECT last_key FROM dualwrite.backfill_checkpoint")).isEqualTo("10000");
        assertThat(db.queryLong("SELECT batches FROM dualwrite.backfill_checkpoint")).isEqualTo(10);
        assertThat(db.queryLong("SELECT count(*) FROM email_address WHERE user_id > 10000")).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM email_address"))
                .isEqualTo(db.queryLong("SELECT count(*) FROM users WHERE id <= 10000 AND email IS NOT NULL"));

        Run again = backfill(db);
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.out()).contains("complete", "in 10 batches this run");
        assertThat(db.queryLong("SELECT batches FROM dualwrite.backfill_checkpoint")).isEqualTo(20);
        assertThat(db.queryLong("SELECT rows_copied FROM dualwrite.backfill_checkpoint")).isEqualTo(nonNullEmails(db));
        assertThat(parity(db).mismatches()).isZero();
    }

    @Test
    void killedCliRunExitsTwoWithResumeHint(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 3000);
        Fixtures.expandAndDualWrite(db);
        try (Connection blocker = db.connect(); Connection admin = db.connect()) {
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("SELECT 1 FROM users WHERE id = 1500 FOR UPDATE");
            }
            CompletableFuture<Run> run = CompletableFuture.supplyAsync(() -> backfill(db));
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
            assertThat(killed.err()).contains("lost the connection", "run the same command again").doesNotContain("\tat ");
            blocker.rollback();
        }
        assertThat(db.queryString("SELECT last_key FROM dualwrite.backfill_checkpoint")).isEqualTo("1000");
        Run again = backfill(db);
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(parity(db).mismatches()).isZero();
    }
}
