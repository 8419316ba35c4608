package io.dualwrite.migrator.backfill;

import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.parity.ParityCheck;
import io.dualwrite.migrator.parity.ParityResult;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backfill runs while 4 writers change, NULL, delete and insert users through dual writes, and rename users
 * (not a dual write: passed through, and it moves rows between pages); afterwards parity must be exactly 0
 * (DESIGN, "Concurrency").
 *
 * <p>Writers go either through the dualwrite driver ({@code DRIVER}: the application's SQL, rewritten
 * by the driver) or, independent of the driver's progress, send by hand the statement form the driver
 * produces ({@code REWRITTEN_SQL}: {@code WITH "dw$w" AS (<write> RETURNING id, email) INSERT INTO
 * dualwrite.sync_users_email …}) over plain PgJDBC.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConcurrentBackfillTest {

    private static final int USERS = 50_000;
    private static final int WRITERS = 4;

    enum Path { DRIVER, REWRITTEN_SQL }

    @ParameterizedTest(name = "{0}, writers in {1}")
    @CsvSource({"REWRITTEN_SQL, READ_COMMITTED", "REWRITTEN_SQL, REPEATABLE_READ", "DRIVER, READ_COMMITTED",
            "DRIVER, REPEATABLE_READ"})
    void parityIsExactlyZeroAfterBackfillUnderConcurrentDualWrites(Path path, String isolationName, TestDatabase db)
            throws Exception {
        int isolation = isolationName.equals("READ_COMMITTED") ? Connection.TRANSACTION_READ_COMMITTED
                : Connection.TRANSACTION_REPEATABLE_READ;
        Fixtures.createUsers(db, USERS);
        Fixtures.expandAndDualWrite(db);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ops = new AtomicLong();
        AtomicLong retries = new AtomicLong();
        AtomicLong opsDuringBackfill = new AtomicLong();
        AtomicBoolean backfillRunning = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            Connection c = path == Path.DRIVER ? DriverManager.getConnection(db.dualwriteUrl(), db.properties()) : db.connect();
            int seed = w;
            writers.add(pool.submit(() -> {
                try (c) {
                    write(c, path, isolation, new Random(seed), stop, ops, retries, opsDuringBackfill, backfillRunning);
                }
                return null;
            }));
        }
        BackfillResult result;
        try {
            // the writers must be running before the backfill starts (the driver's first connection takes a while)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ops.get() < 100 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            try (Connection c = db.connect()) {
                backfillRunning.set(true);
                result = Backfill.run(c, "users.email", new BackfillOptions(500, 0, false), null);
                backfillRunning.set(false);
            }
            Thread.sleep(100);
        } finally {
            stop.set(true);
            pool.shutdown();
        }
        for (Future<?> f : writers) {
            f.get(30, TimeUnit.SECONDS); // rethrows a writer's unexpected failure
        }
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThat(result.outcome()).isEqualTo(BackfillResult.Outcome.COMPLETED);
        assertThat(opsDuringBackfill.get()).as("writes that overlapped the backfill").isGreaterThan(200);
        ParityResult parity;
        try (Connection c = db.connect()) {
            parity = ParityCheck.run(c, "users.email", 20);
        }
        System.out.printf("%s/%s: backfill %d rows in %.2f s (%.0f rows/s, %d batches, %d copies corrected, %d caught up),"
                        + " writer ops %d (%d during backfill),"
                        + " retries %d, parity %d %s%n", path, isolationName, result.rowsScannedThisRun(), result.seconds(),
                result.rowsPerSecond(), result.batchesThisRun(), result.rowsCorrectedThisRun(), result.rowsCaughtUpThisRun(), ops.get(), opsDuringBackfill.get(), retries.get(),
                parity.mismatches(), parity.samples());
        assertThat(parity.mismatches()).as("drift after backfill: " + parity.samples()).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM email_address WHERE NOT is_primary")).isZero();
    }

    private record Op(int kind, long id, String email) {
    }

    private static void write(Connection c, Path path, int isolation, Random rnd, AtomicBoolean stop, AtomicLong ops,
                              AtomicLong retries, AtomicLong opsDuringBackfill, AtomicBoolean backfillRunning) throws SQLException {
        c.setAutoCommit(false);
        c.setTransactionIsolation(isolation);
        String ret = " RETURNING id, email) INSERT INTO dualwrite.sync_users_email (k, v, deleted) SELECT id, email, ";
        boolean rw = path == Path.REWRITTEN_SQL;
        String update = rw ? "WITH \"dw$w\" AS (UPDATE users SET email = ? WHERE id = ?" + ret + "false FROM \"dw$w\""
                : "UPDATE users SET email = ? WHERE id = ?";
        String delete = rw ? "WITH \"dw$w\" AS (DELETE FROM users WHERE id = ?" + ret + "true FROM \"dw$w\""
                : "DELETE FROM users WHERE id = ?";
        // not a dual write (email is not set): passed through; a longer name moves the row to another page
        String rename = "UPDATE users SET name = repeat(md5(name), 1 + length(name) / 32) WHERE id = ?";
        String insert = rw ? "WITH \"dw$w\" AS (INSERT INTO users (name, email) VALUES ('new', ?)" + ret + "false FROM \"dw$w\""
                : "INSERT INTO users (name, email) VALUES ('new', ?)";
        long seq = 0;
        try (PreparedStatement up = c.prepareStatement(update); PreparedStatement del = c.prepareStatement(delete);
             PreparedStatement ins = c.prepareStatement(insert); PreparedStatement ren = c.prepareStatement(rename)) {
            while (!stop.get()) {
                List<Op> tx = new ArrayList<>();
                int n = 1 + rnd.nextInt(3);
                for (int i = 0; i < n; i++) {
                    double r = rnd.nextDouble();
                    long id = 1 + rnd.nextInt(USERS + 2000);
                    String email = "w" + Thread.currentThread().getId() + "-" + (++seq) + "@example.com";
                    tx.add(new Op(r < 0.35 ? 0 : r < 0.60 ? 1 : r < 0.70 ? 2 : r < 0.80 ? 3 : 4, id, email));
                }
                for (int attempt = 0; ; attempt++) {
                    try {
                        for (Op op : tx) {
                            switch (op.kind) {
                                case 0, 1 -> {
                                    up.setString(1, op.kind == 0 ? op.email : null);
                                    up.setLong(2, op.id);
                                    up.executeUpdate();
                                }
                                case 2 -> {
                                    del.setLong(1, op.id);
                                    del.executeUpdate();
                                }
                                case 4 -> {
                                    ren.setLong(1, op.id);
                                    ren.executeUpdate();
                                }
                                default -> {
                                    ins.setString(1, op.email);
                                    ins.executeUpdate();
                                }
                            }
                        }
                        c.commit();
                        ops.addAndGet(tx.size());
                        if (backfillRunning.get()) {
                            opsDuringBackfill.addAndGet(tx.size());
                        }
                        break;
                    } catch (SQLException e) {
                        c.rollback();
                        String s = e.getSQLState();
                        if (("40001".equals(s) || "40P01".equals(s)) && attempt < 50) {
                            retries.incrementAndGet();
                            continue;
                        }
                        throw e;
                    }
                }
            }
        }
    }
}
