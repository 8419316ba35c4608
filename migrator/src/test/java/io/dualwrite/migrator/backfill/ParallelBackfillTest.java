package io.dualwrite.migrator.backfill;

import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.migrator.Writers;
import io.dualwrite.migrator.cli.DualwriteCli;
import io.dualwrite.migrator.parity.ChunkedParity;
import io.dualwrite.migrator.parity.ParityCheck;
import io.dualwrite.testing.Await;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ParallelBackfillTest {

    private static final int USERS = 20_000;

    private static String[] conn(TestDatabase db, String... rest) {
        String[] base = {"--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email"};
        String[] all = Arrays.copyOf(rest, rest.length + base.length);
        System.arraycopy(base, 0, all, rest.length, base.length);
        return all;
    }

    private static BackfillResult backfill(TestDatabase db, BackfillOptions o, Consumer<BackfillProgress> p)
            throws SQLException {
        try (Connection c = db.connect()) {
            return Backfill.run(c, db::connect, "users.email", o, p);
        }
    }

    private static long nonNull(TestDatabase db) throws SQLException {
        return db.queryLong("SELECT count(*) FROM users WHERE email IS NOT NULL");
    }

    @Test
    void twoWorkersAdaptiveCompleteWithJmxAndPerRangeCheckpoints(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, USERS);
        Fixtures.expandAndDualWrite(db);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.dualwrite:type=Backfill,name=users.email");
        List<String> seen = new CopyOnWriteArrayList<>();
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        BackfillOptions o = new BackfillOptions(200, 0, false, Duration.ofSeconds(5), 2, true, 50, 100, 50_000, null, null);
        BackfillResult r = backfill(db, o, p -> {
            sizes.add(p.batchSize());
            try {
                if (seen.isEmpty()) {
                    seen.add(server.getAttribute(name, "State") + " " + server.getAttribute(name, "RowsDone") + " "
                            + server.getAttribute(name, "BatchSize") + " " + server.getAttribute(name, "EtaSeconds") + " "
                            + server.getAttribute(name, "RowsPerSecond"));
                }
            } catch (Exception e) {
                seen.add("error " + e);
            }
        });
        assertThat(r.outcome()).isEqualTo(BackfillResult.Outcome.COMPLETED);
        assertThat(r.rowsScannedThisRun()).isEqualTo(USERS);
        assertThat(seen.get(0)).startsWith("RUNNING ");
        assertThat(server.isRegistered(name)).as("unregistered after the run").isFalse();
        assertThat(sizes).as("adaptive sizes grow from the starting 200").anyMatch(s -> s > 200);
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.backfill_range WHERE completed_at IS NOT NULL")).isEqualTo(2);
        assertThat(db.queryLong("SELECT sum(rows_scanned) FROM dualwrite.backfill_range")).isEqualTo(USERS);
        assertThat(db.queryLong("SELECT rows_copied FROM dualwrite.backfill_checkpoint")).isEqualTo(nonNull(db));
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.backfill_checkpoint WHERE completed_at IS NOT NULL")).isEqualTo(1);
        try (Connection c = db.connect()) {
            assertThat(ParityCheck.run(c, "users.email", 5).mismatches()).isZero();
        }
    }

    @Test
    void killedParallelRunResumesLosingAtMostTheBatchInFlight(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, USERS);
        Fixtures.expandAndDualWrite(db);
        BackfillOptions o = new BackfillOptions(1000, 0, false, Duration.ofSeconds(5), 2, false, 200, 100, 1000, null, null);
        try (Connection blocker = db.connect(); Connection admin = db.connect()) {
            BackfillResumeTest.holdTargetKey(blocker, 15500); // inside the second range: its worker waits there
            int blockerPid;
            try (Statement s = blocker.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                    rs.next();
                    blockerPid = rs.getInt(1);
                }
            }
            CompletableFuture<BackfillResult> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return backfill(db, o, null);
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                                + " AND pg_blocking_pids(pid) @> ARRAY[" + blockerPid + "]")) {
                    if (rs.next()) {
                        break;
                    }
                }
                assertThat(System.nanoTime()).as("a worker blocks on the held key").isLessThan(deadline);
                Thread.sleep(20);
            }
            assertThatThrownBy(() -> run.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            blocker.rollback();
        }
        long batchesAfterKill = db.queryLong("SELECT sum(batches) FROM dualwrite.backfill_range");
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.backfill_range WHERE completed_at IS NULL")).isPositive();
        // copies exist exactly for the pages before each range's checkpoint: the killed batch left nothing
        BackfillResumeTest.assertCopiedExactlyUpToCheckpoints(db);
        assertThat(db.queryLong("SELECT batches FROM dualwrite.backfill_checkpoint")).isEqualTo(batchesAfterKill);

        BackfillResult again = backfill(db, o, null);
        assertThat(again.outcome()).isEqualTo(BackfillResult.Outcome.COMPLETED);
        // nothing repeated: every row scanned exactly once over both runs
        assertThat(db.queryLong("SELECT sum(rows_scanned) FROM dualwrite.backfill_range")).isEqualTo(USERS);
        assertThat(db.queryLong("SELECT rows_copied FROM dualwrite.backfill_checkpoint")).isEqualTo(nonNull(db));
        try (Connection c = db.connect()) {
            assertThat(ParityCheck.run(c, "users.email", 5).mismatches()).isZero();
        }
    }

    /**
     * kill -9 of the backfill's own process (a child JVM running the CLI, 2 workers) while one worker waits inside a
     * batch: the server rolls the batches in flight back, nothing past the checkpoints was copied, and the next run
     * completes without scanning any row twice.
     */
    @Test
    void killNineOfTheBackfillProcessLosesNothing(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, USERS);
        Fixtures.expandAndDualWrite(db);
        Process child;
        try (Connection blocker = db.connect()) {
            BackfillResumeTest.holdTargetKey(blocker, 15500); // the second range's worker waits there
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), DualwriteCli.class.getName(),
                    "backfill", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email", "--batch-size", "1000",
                    "--workers", "2").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Await.within(60_000, () -> {
                try {
                    return db.queryLong("SELECT count(*) FROM dualwrite.backfill_range WHERE batches >= 3") == 2
                            && db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dualwrite-backfill'"
                            + " AND state <> 'idle'") > 0;
                } catch (SQLException e) {
                    return false; // the tables appear with the first run
                }
            }, "both workers committed batches and one is inside a batch");
            child.destroyForcibly(); // SIGKILL
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            blocker.rollback();
        }
        Await.within(30_000, () -> {
            try {
                return db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'dualwrite-backfill%'") == 0;
            } catch (SQLException e) {
                return false;
            }
        }, "the server ended the killed process's sessions");
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.backfill_range WHERE completed_at IS NULL")).isPositive();
        BackfillResumeTest.assertCopiedExactlyUpToCheckpoints(db);

        Run again = cli(conn(db, "backfill", "--batch-size", "1000", "--workers", "2"));
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(db.queryLong("SELECT sum(rows_scanned) FROM dualwrite.backfill_range")).as("no row scanned twice").isEqualTo(USERS);
        assertThat(db.queryLong("SELECT count(*) FROM email_address")).isEqualTo(nonNull(db));
        try (Connection c = db.connect()) {
            assertThat(ParityCheck.run(c, "users.email", 5).mismatches()).isZero();
        }
    }

    @Test
    void completesExactlyWhileEightWritersUpdateRandomUsers(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, USERS);
        Fixtures.expandAndDualWrite(db);
        BackfillResult r;
        long ops;
        try (Writers w = new Writers(db, 8, USERS)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (w.ops.get() < 200) {
                assertThat(System.nanoTime()).as("writers started").isLessThan(deadline);
                Thread.sleep(10);
            }
            long before = w.ops.get();
            BackfillOptions o = new BackfillOptions(200, 0, false, Duration.ofSeconds(10), 2, true, 20, 100, 2_000, null, null);
            r = backfill(db, o, null);
            ops = w.ops.get() - before;
        }
        assertThat(r.outcome()).isEqualTo(BackfillResult.Outcome.COMPLETED);
        assertThat(ops).as("writes during the backfill").isGreaterThan(100);
        try (Connection c = db.connect()) {
            assertThat(ParityCheck.run(c, "users.email", 5).mismatches()).isZero();
            assertThat(ChunkedParity.run(c, db::connect, "users.email", new ChunkedParity.Options(2, 3000, false, false, 5))
                    .mismatches()).isZero();
        }
        System.out.printf("8 writers: backfill %.0f rows/s, %d batches, %d writes%n", r.rowsPerSecond(), r.batchesThisRun(), ops);
    }

    @Test
    void livePauseResumeBatchSizeAndThrottleQuery(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, USERS);
        Fixtures.expandAndDualWrite(db);
        db.execute("CREATE TABLE gate (open boolean)");
        Run paused = cli(conn(db, "backfill", "--pause"));
        assertThat(paused.code()).as(paused.toString()).isZero();
        assertThat(paused.out()).contains("paused");
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        List<String> states = new CopyOnWriteArrayList<>();
        BackfillOptions o = new BackfillOptions(100, 0, false, Duration.ofSeconds(5), 1, false, 200, 100, 1000, null,
                "SELECT NOT EXISTS (SELECT 1 FROM gate)");
        CompletableFuture<BackfillResult> run = CompletableFuture.supplyAsync(() -> {
            try {
                return backfill(db, o, p -> {
                    if ("RUNNING".equals(p.state())) {
                        sizes.add(p.batchSize());
                    }
                    states.add(p.state());
                });
            } catch (SQLException e) {
                throw new CompletionException(e);
            }
        });
        awaitState(states, "PAUSED");
        Thread.sleep(500);
        assertThat(db.queryLong("SELECT count(*) FROM email_address")).as("paused: no batch ran").isZero();
        assertThat(cli(conn(db, "backfill", "--resume")).code()).isZero();
        awaitState(states, "THROTTLED");
        Thread.sleep(1000);
        assertThat(db.queryLong("SELECT count(*) FROM email_address")).as("throttled by the query: no batch ran").isZero();
        Run set = cli(conn(db, "backfill", "--set-batch-size", "2000"));
        assertThat(set.out()).contains("batch size 2000");
        db.execute("INSERT INTO gate VALUES (true)");
        BackfillResult r = run.get(60, TimeUnit.SECONDS);
        assertThat(r.outcome()).isEqualTo(BackfillResult.Outcome.COMPLETED);
        assertThat(sizes).contains(2000).doesNotContain(100);
        assertThat(r.batchesThisRun()).isEqualTo(USERS / 2000);
    }

    /** Progress is reported about once a second, later on a loaded machine. */
    private static void awaitState(List<String> states, String state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!states.contains(state)) {
            assertThat(System.nanoTime()).as("state %s reported within 30 s; reported: %s", state, states).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
