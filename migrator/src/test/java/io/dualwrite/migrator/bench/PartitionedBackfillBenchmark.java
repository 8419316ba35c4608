package io.dualwrite.migrator.bench;

import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.PartitionedUsers;
import io.dualwrite.migrator.backfill.Backfill;
import io.dualwrite.migrator.backfill.BackfillOptions;
import io.dualwrite.migrator.backfill.BackfillResult;
import io.dualwrite.migrator.parity.ParityCheck;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Issue 14, acceptance 4: the backfill of a partitioned {@code users} ({@link PartitionedUsers}: 8 partitions, one
 * sub-partitioned) against one {@code INSERT … SELECT} of the same rows into a table indexed like the target, in one
 * run on one database; then once more while writers through the driver move rows between partitions and change or
 * NULL emails, and parity. Not part of the test run:
 * <pre>
 * mvn -q -B -pl migrator exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.dualwrite.migrator.bench.PartitionedBackfillBenchmark [-Dexec.args="1000000"]
 * </pre>
 * A second argument {@code plain} runs the same on the same rows in one table that is not partitioned (the baseline).
 */
public final class PartitionedBackfillBenchmark {

    /** Each rate is the best of this many runs, measured alternately, so a stray stall favours neither side. */
    private static final int ROUNDS = 3;
    private static final int WRITERS = 4;
    /**
     * Each writer's pause between writes: a steady application load (up to ~1,000 writes/s in all) rather than writers
     * that saturate both cores, which measures the machine, not the backfill.
     */
    private static final long WRITER_PAUSE_MILLIS = 4;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        boolean partitioned = args.length < 2 || !args[1].equals("plain");
        PostgresServer server = PostgresServer.get();
        System.out.println("server: " + server.description() + ", cores: " + Runtime.getRuntime().availableProcessors());
        try (TestDatabase db = server.createDatabase()) {
            PartitionedUsers.create(db, n, partitioned);
            Fixtures.expandAndDualWrite(db);
            db.execute("CREATE TABLE ea_base (LIKE email_address INCLUDING ALL)");
            db.execute("VACUUM ANALYZE users");
            db.execute("SELECT count(*) FROM users"); // warm

            double insertSelect = 0;
            BackfillResult one = null, two = null;
            for (int i = 0; i < ROUNDS; i++) {
                db.execute("TRUNCATE ea_base");
                db.execute("CHECKPOINT");
                long t0 = System.nanoTime();
                db.execute("INSERT INTO ea_base (user_id, address, is_primary) SELECT id, email, true FROM users"
                        + " WHERE email IS NOT NULL");
                double rate = n / secs(t0);
                insertSelect = Math.max(insertSelect, rate);
                System.out.printf(Locale.ROOT, "  round %d: INSERT ... SELECT %,.0f rows/s%n", i + 1, rate);
                for (int workers = 1; workers <= 2; workers++) {
                    BackfillResult r = backfill(db, workers);
                    System.out.printf(Locale.ROOT, "  round %d, %d worker(s): %,.0f rows/s, %d batches, %.2f s%n", i + 1,
                            workers, r.rowsPerSecond(), r.batchesThisRun(), r.seconds());
                    if (workers == 1 && (one == null || r.rowsPerSecond() > one.rowsPerSecond())) {
                        one = r;
                    }
                    if (workers == 2 && (two == null || r.rowsPerSecond() > two.rowsPerSecond())) {
                        two = r;
                    }
                }
            }
            db.execute("DROP TABLE ea_base");

            BackfillResult underWrites;
            long moved, writes;
            try (MovingWriters w = new MovingWriters(db, n)) {
                w.awaitRunning();
                long moves0 = w.moves.get(), ops0 = w.ops.get();
                underWrites = backfill(db, 2);
                moved = w.moves.get() - moves0;
                writes = w.ops.get() - ops0;
            }
            long parity;
            try (Connection c = db.connect()) {
                parity = ParityCheck.run(c, "users.email", 10).mismatches();
            }

            System.out.printf(Locale.ROOT, "%n=== backfill, %s users: %,d rows, rows/s ===%n", partitioned ? "partitioned ("
                    + PartitionedUsers.REGIONS + " partitions, " + PartitionedUsers.LEAVES + " leaves)" : "unpartitioned", n);
            System.out.printf(Locale.ROOT, "%-62s %,12.0f%n", "one INSERT ... SELECT of all rows (best of " + ROUNDS + ")",
                    insertSelect);
            System.out.printf(Locale.ROOT, "%-62s %,12.0f  (%.2fx INSERT...SELECT)%n", "dualwrite backfill, 1 worker (best of "
                    + ROUNDS + ")", one.rowsPerSecond(), one.rowsPerSecond() / insertSelect);
            System.out.printf(Locale.ROOT, "%-62s %,12.0f  (%.2fx INSERT...SELECT)%n", "dualwrite backfill, 2 workers (best of "
                    + ROUNDS + ")", two.rowsPerSecond(), two.rowsPerSecond() / insertSelect);
            System.out.printf(Locale.ROOT, "%-62s %,12.0f  (%.2fx INSERT...SELECT; %,.0f writes/s, %,d region updates (moves between"
                            + " partitions when partitioned), %,d caught up, %,d corrected, parity %d)%n", "2 workers, " + WRITERS
                            + " writers moving rows, changing emails", underWrites.rowsPerSecond(),
                    underWrites.rowsPerSecond() / insertSelect, writes / underWrites.seconds(), moved,
                    underWrites.rowsCaughtUpThisRun(), underWrites.rowsCorrectedThisRun(), parity);
        }
        System.exit(0);
    }

    /** A fresh, complete backfill (target emptied, --restart), adaptive batches. */
    private static BackfillResult backfill(TestDatabase db, int workers) throws SQLException {
        db.execute("TRUNCATE email_address");
        db.execute("VACUUM users");
        db.execute("CHECKPOINT");
        try (Connection c = db.connect()) {
            BackfillOptions o = new BackfillOptions(1000, 0, true, Duration.ofSeconds(5), workers, true,
                    BackfillOptions.DEFAULT_TARGET_BATCH_MILLIS, BackfillOptions.DEFAULT_MIN_BATCH,
                    BackfillOptions.DEFAULT_MAX_BATCH, null, null);
            BackfillResult r = Backfill.run(c, db::connect, "users.email", o, null);
            if (r.outcome() != BackfillResult.Outcome.COMPLETED) {
                throw new IllegalStateException("backfill did not complete: " + r);
            }
            return r;
        }
    }

    /** Writers through the driver: half move a user to another partition, half change (3 in 4) or NULL its email. */
    private static final class MovingWriters implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final List<Thread> threads = new ArrayList<>();
        final AtomicLong moves = new AtomicLong();
        private final AtomicLong ops = new AtomicLong();

        MovingWriters(TestDatabase db, int users) {
            for (int w = 0; w < WRITERS; w++) {
                Random rnd = new Random(w * 31L);
                int id = w;
                Thread t = new Thread(() -> {
                    try (Connection c = db.connectDualwrite();
                         PreparedStatement move = c.prepareStatement("UPDATE users SET region = ? WHERE id = ?");
                         PreparedStatement set = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
                        long seq = 0;
                        while (!stop.get()) {
                            boolean moving = rnd.nextBoolean();
                            PreparedStatement p = moving ? move : set;
                            if (moving) {
                                p.setInt(1, rnd.nextInt(PartitionedUsers.REGIONS));
                            } else {
                                p.setString(1, rnd.nextInt(4) == 0 ? null : "w" + id + "-" + (++seq) + "@example.com");
                            }
                            p.setLong(2, 1 + rnd.nextInt(users));
                            try {
                                int rows = p.executeUpdate();
                                ops.incrementAndGet();
                                Thread.sleep(WRITER_PAUSE_MILLIS);
                                if (moving) {
                                    moves.addAndGet(rows);
                                }
                            } catch (SQLException e) {
                                // a row moved to another partition by a concurrent update, or a deadlock: the next write goes on
                                if (!"40001".equals(e.getSQLState()) && !"40P01".equals(e.getSQLState())) {
                                    throw e;
                                }
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "writer-" + w);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        /** Until every writer is connected and writing (a driver connection waits for its first phase round). */
        void awaitRunning() throws InterruptedException {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (ops.get() < 200 && failure.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            if (ops.get() < 200) {
                throw new AssertionError("the writers did not start", failure.get());
            }
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
            if (failure.get() != null) {
                throw new AssertionError("a writer failed", failure.get());
            }
        }
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
