package io.dualwrite.migrator.bench;

import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.backfill.Backfill;
import io.dualwrite.migrator.backfill.BackfillOptions;
import io.dualwrite.migrator.backfill.BackfillResult;
import io.dualwrite.migrator.cli.DualwriteCli;
import io.dualwrite.migrator.parity.ChunkedParity;
import io.dualwrite.migrator.parity.ParityCheck;
import io.dualwrite.migrator.parity.ParityResult;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;

/**
 * Backfill and parity throughput, side by side with their single-statement limits, in one run on one database.
 * Not part of the test run:
 * <pre>
 * mvn -q -B -pl migrator exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.dualwrite.migrator.bench.BackfillBenchmark [-Dexec.args="1000000"]
 * </pre>
 * Prints rows/s of: one INSERT … SELECT of all rows; the seed runbook's NOT EXISTS … LIMIT 5000 batches (a fixed
 * number of batches from the start: it is quadratic, so this is its best case); this backfill with 1 and 2 workers
 * (adaptive batches, locked, checkpointed); the full parity LEFT JOIN and the chunked parity (2 workers), with a few
 * deliberately broken rows that the chunked parity must report.
 */
public final class BackfillBenchmark {

    /** Each rate is the best of this many runs, measured alternately, so a stray stall favours neither side. */
    private static final int ROUNDS = 3;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int seedBatches = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        PostgresServer server = PostgresServer.get();
        System.out.println("server: " + server.description() + ", cores: " + Runtime.getRuntime().availableProcessors());
        if (args.length <= 2 || !args[2].equals("noplan")) {
            try (TestDatabase small = server.createDatabase()) {
                Fixtures.createUsers(small, 100_000);
                System.out.println("\n=== dualwrite plan (users: 100,000 rows) ===");
                DualwriteCli.execute("plan", "--url", small.jdbcUrl(), "--user", small.user(), "--source", "users.email",
                        "--target", "email_address.address", "--key", "id", "--target-key", "user_id", "--primary-flag", "is_primary");
            }
        }
        try (TestDatabase db = server.createDatabase()) {
            Fixtures.createUsers(db, n);
            Fixtures.expandAndDualWrite(db);
            db.execute("CREATE TABLE ea_base (LIKE email_address INCLUDING ALL)");
            db.execute("CREATE TABLE ea_seed (user_id bigint NOT NULL, address text, is_primary boolean NOT NULL DEFAULT false)");
            db.execute("CREATE UNIQUE INDEX ON ea_seed (user_id)");
            db.execute("VACUUM ANALYZE users");
            db.execute("SELECT count(*) FROM users"); // warm

            double insertSelect = 0;
            for (int i = 0; i < ROUNDS; i++) { // best of ROUNDS, like the backfill below
                db.execute("TRUNCATE ea_base");
                db.execute("CHECKPOINT");
                insertSelect = Math.max(insertSelect, timed(db, "INSERT INTO ea_base (user_id, address, is_primary)"
                        + " SELECT id, email, true FROM users WHERE email IS NOT NULL", n));
            }
            db.execute("DROP TABLE ea_base");

            long t0 = System.nanoTime();
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                for (int i = 0; i < seedBatches; i++) {
                    s.execute("INSERT INTO ea_seed (user_id, address, is_primary) SELECT id, email, true FROM users u"
                            + " WHERE NOT EXISTS (SELECT 1 FROM ea_seed e WHERE e.user_id = u.id) ORDER BY id LIMIT 5000");
                }
            }
            double seedFirst = seedBatches * 5000 / secs(t0);
            // its cost per batch grows with the rows already copied: the batches at the midpoint give the whole run's average
            db.execute("TRUNCATE ea_seed");
            db.execute("INSERT INTO ea_seed (user_id, address, is_primary) SELECT id, email, true FROM users WHERE id <= " + n / 2);
            db.execute("VACUUM ANALYZE ea_seed");
            t0 = System.nanoTime();
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                for (int i = 0; i < seedBatches / 2; i++) {
                    s.execute("INSERT INTO ea_seed (user_id, address, is_primary) SELECT id, email, true FROM users u"
                            + " WHERE NOT EXISTS (SELECT 1 FROM ea_seed e WHERE e.user_id = u.id) ORDER BY id LIMIT 5000");
                }
            }
            double seed = seedBatches / 2 * 5000 / secs(t0);
            db.execute("DROP TABLE ea_seed");
            db.execute("CHECKPOINT");

            BackfillResult one = null, two = null;
            for (int i = 0; i < ROUNDS; i++) {
                for (int workers = 1; workers <= 2; workers++) {
                    db.execute("TRUNCATE email_address");
                    db.execute("VACUUM users");
                    db.execute("CHECKPOINT");
                    BackfillResult r = backfill(db, workers);
                    System.out.printf(Locale.ROOT, "  backfill round %d, %d worker(s): %,.0f rows/s, %d batches, %.2f s%n", i + 1,
                            workers, r.rowsPerSecond(), r.batchesThisRun(), r.seconds());
                    if (workers == 1 && (one == null || r.rowsPerSecond() > one.rowsPerSecond())) {
                        one = r;
                    }
                    if (workers == 2 && (two == null || r.rowsPerSecond() > two.rowsPerSecond())) {
                        two = r;
                    }
                }
            }

            // parity: break 3 rows around the driver, then the full check and the chunked one
            db.execute("UPDATE email_address SET address = 'broken@example.com' WHERE user_id = 123456");
            db.execute("DELETE FROM email_address WHERE user_id = 654321");
            db.execute("INSERT INTO email_address VALUES (" + (n + 10) + ", 'orphan@example.com', true)");
            db.execute("VACUUM ANALYZE email_address");
            ParityResult full;
            ChunkedParity.Result chunked;
            try (Connection c = db.connect()) {
                ParityCheck.run(c, "users.email", 10); // warm both tables
                full = ParityCheck.run(c, "users.email", 10);
                chunked = ChunkedParity.run(c, db::connect, "users.email", new ChunkedParity.Options(2, 100_000, false, false, 10));
            }
            double fullRate = n / full.seconds();
            double chunkRate = n / chunked.seconds();

            System.out.printf(Locale.ROOT, "%n=== backfill, %,d users (1/7 NULL emails), rows/s of source rows ===%n", n);
            System.out.printf(Locale.ROOT, "%-62s %,12.0f%n", "one INSERT ... SELECT of all rows (best of " + ROUNDS + ")", insertSelect);
            System.out.printf(Locale.ROOT, "%-62s %,12.0f%n", "seed runbook NOT EXISTS ... LIMIT 5000, first " + seedBatches
                    + " batches", seedFirst);
            System.out.printf(Locale.ROOT, "%-62s %,12.0f%n", "seed runbook, " + seedBatches / 2
                    + " batches at the midpoint (= whole-run average)", seed);
            System.out.printf(Locale.ROOT, "%-62s %,12.0f  (%.2fx INSERT...SELECT, %.1fx seed)%n",
                    "dualwrite backfill, 1 worker, adaptive (best of " + ROUNDS + ")", one.rowsPerSecond(), one.rowsPerSecond() / insertSelect,
                    one.rowsPerSecond() / seed);
            System.out.printf(Locale.ROOT, "%-62s %,12.0f  (%.2fx INSERT...SELECT, %.1fx seed)%n",
                    "dualwrite backfill, 2 workers, adaptive (best of " + ROUNDS + ")", two.rowsPerSecond(), two.rowsPerSecond() / insertSelect,
                    two.rowsPerSecond() / seed);
            System.out.printf(Locale.ROOT, "12M rows at the 2-worker rate: %.0f s%n", 12_000_000 / two.rowsPerSecond());
            System.out.printf(Locale.ROOT, "%n=== parity, %,d users, 3 broken rows ===%n", n);
            System.out.printf(Locale.ROOT, "%-62s %,12.0f  (%d mismatches, %.2f s)%n", "full LEFT JOIN, one snapshot", fullRate,
                    full.mismatches(), full.seconds());
            System.out.printf(Locale.ROOT, "%-62s %,12.0f  (%d mismatches: %s; %.2f s; %.2fx full)%n",
                    "chunked count+hash, 2 workers, 100k-key chunks", chunkRate, chunked.mismatches(),
                    chunked.samples().stream().map(m -> m.key()).toList(), chunked.seconds(), chunkRate / fullRate);
        }
        System.exit(0);
    }

    private static BackfillResult backfill(TestDatabase db, int workers) throws SQLException {
        try (Connection c = db.connect()) {
            BackfillOptions o = new BackfillOptions(1000, 0, true, Duration.ofSeconds(5), workers, true,
                    BackfillOptions.DEFAULT_TARGET_BATCH_MILLIS, BackfillOptions.DEFAULT_MIN_BATCH, BackfillOptions.DEFAULT_MAX_BATCH,
                    null, null);
            BackfillResult r = Backfill.run(c, db::connect, "users.email", o, null);
            if (r.outcome() != BackfillResult.Outcome.COMPLETED) {
                throw new IllegalStateException("backfill did not complete: " + r);
            }
            return r;
        }
    }

    private static double timed(TestDatabase db, String sql, long rows) throws SQLException {
        long t0 = System.nanoTime();
        db.execute(sql);
        return rows / secs(t0);
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
