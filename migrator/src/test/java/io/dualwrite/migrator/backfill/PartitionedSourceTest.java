package io.dualwrite.migrator.backfill;

import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.PartitionedUsers;
import io.dualwrite.migrator.contract.ReverseSync;
import io.dualwrite.migrator.parity.ChunkedParity;
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
import java.sql.SQLException;
import java.time.Duration;
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
 * Issue 14, acceptance 4 (CI size): a declaratively partitioned {@code users} ({@link PartitionedUsers}: 8 partitions,
 * one of them sub-partitioned), backfilled per leaf partition while writers through the driver move rows between
 * partitions (an UPDATE of the partition key: a delete from one leaf and an insert into another, with a new xmin),
 * change, NULL, delete and insert users. Parity (both directions: values, and target rows whose user is gone) is 0.
 * Also: the catch-up pass finds rows moved from a leaf not read yet into one already read; a partition attached
 * between runs is planned and copied; chunked parity, its repair and reverse sync work on the partitioned parent.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PartitionedSourceTest {

    private static final int USERS = 50_000;
    private static final int WRITERS = 4;
    /** Both directions: values that differ, and primary target rows whose user is gone (as dualwrite parity counts). */
    private static final String PARITY = "SELECT (SELECT count(*) FROM users u LEFT JOIN email_address e ON e.user_id = u.id"
            + " AND e.is_primary WHERE u.email IS DISTINCT FROM e.address) + (SELECT count(*) FROM email_address e"
            + " WHERE e.is_primary AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id))";

    private static BackfillOptions workers(int workers, int batchSize, long maxBatches) {
        return new BackfillOptions(batchSize, maxBatches, false, BackfillOptions.DEFAULT_ACK_TIMEOUT, workers, false,
                BackfillOptions.DEFAULT_TARGET_BATCH_MILLIS, BackfillOptions.DEFAULT_MIN_BATCH,
                BackfillOptions.DEFAULT_MAX_BATCH, null, null);
    }

    @ParameterizedTest(name = "writers in isolation {0}")
    @ValueSource(ints = {Connection.TRANSACTION_READ_COMMITTED, Connection.TRANSACTION_REPEATABLE_READ})
    void parityIsZeroAfterBackfillWhileWritersMoveRowsBetweenPartitions(int isolation, TestDatabase db) throws Exception {
        PartitionedUsers.create(db, USERS);
        Fixtures.Run expand = Fixtures.cli(Fixtures.expandArgs(db));
        assertThat(expand.code()).as(expand.toString()).isZero();
        assertThat(expand.out()).contains("partitioned by region");
        assertThat(Fixtures.cli("phase", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email",
                "DUAL_WRITE").code()).isZero();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean backfillRunning = new AtomicBoolean();
        AtomicLong ops = new AtomicLong();
        AtomicLong movesDuringBackfill = new AtomicLong();
        AtomicLong retries = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            Connection c = db.connectDualwrite();
            Random rnd = new Random(w * 7919L);
            writers.add(pool.submit(() -> {
                try (c) {
                    write(c, isolation, rnd, stop, backfillRunning, ops, movesDuringBackfill, retries);
                }
                return null;
            }));
        }
        BackfillResult result;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ops.get() < 100 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            try (Connection c = db.connect()) {
                backfillRunning.set(true);
                result = Backfill.run(c, db::connect, "users.email", workers(2, 500, 0), null);
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

        assertThat(result.outcome()).isEqualTo(BackfillResult.Outcome.COMPLETED);
        assertThat(db.queryLong("SELECT count(DISTINCT source_relation) FROM dualwrite.backfill_range"
                + " WHERE source_relation LIKE 'public.users\\_p%'")).as("one range or more per leaf").isEqualTo(PartitionedUsers.LEAVES);
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.backfill_range WHERE completed_at IS NULL")).isZero();
        assertThat(movesDuringBackfill.get()).as("rows moved between partitions while the backfill ran").isGreaterThan(50);
        long parity;
        try (Connection c = db.connect()) {
            parity = ParityCheck.run(c, "users.email", 20).mismatches();
            ChunkedParity.Result chunked = ChunkedParity.run(c, db::connect, "users.email",
                    new ChunkedParity.Options(2, 10_000, false, false, 5));
            assertThat(chunked.mismatches()).isZero();
        }
        System.out.printf("partitioned, isolation %d: backfill %d rows in %.2f s (%.0f rows/s, %d batches, %d corrected,"
                        + " %d caught up), writer ops %d (%d moves during the backfill), retries %d, parity %d%n", isolation,
                result.rowsScannedThisRun(), result.seconds(), result.rowsPerSecond(), result.batchesThisRun(),
                result.rowsCorrectedThisRun(), result.rowsCaughtUpThisRun(), ops.get(), movesDuringBackfill.get(),
                retries.get(), parity);
        assertThat(parity).isZero();
        assertThat(db.queryLong(PARITY)).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM email_address WHERE NOT is_primary")).isZero();
    }

    @Test
    void expandRefusesAKeyUniqueOnlyWithAColumnOutsideThePartitionKey(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE users (id bigint NOT NULL, region int NOT NULL, name text NOT NULL, email text,"
                + " UNIQUE (id, region, name)) PARTITION BY LIST (region)");
        db.execute("CREATE TABLE users_p0 PARTITION OF users FOR VALUES IN (0)");
        Fixtures.Run expand = Fixtures.cli(Fixtures.expandArgs(db));
        assertThat(expand.code()).as(expand.toString()).isNotZero();
        assertThat(expand.err()).contains("key column users.id is not unique").contains("partition key columns");
        assertThat(db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'email_address'")).isZero();
    }

    @Test
    void catchUpCopiesRowsMovedFromALeafNotReadYetIntoOneAlreadyRead(TestDatabase db) throws Exception {
        PartitionedUsers.create(db, 20_000);
        Fixtures.expandAndDualWrite(db);
        try (Connection c = db.connect()) {
            // one worker, one range per leaf, a batch larger than a leaf: the first batch reads all of users_p0
            BackfillResult first = Backfill.run(c, "users.email", workers(1, 20_000, 1), null);
            assertThat(first.outcome()).isEqualTo(BackfillResult.Outcome.PAUSED);
        }
        assertThat(db.queryString("SELECT source_relation FROM dualwrite.backfill_range WHERE completed_at IS NOT NULL"))
                .isEqualTo("public.users_p0");
        long moved = db.queryLong("SELECT count(email) FROM users WHERE region = 5");
        // not a dual write (the value is unchanged): passed through by the driver, so nothing copies these rows but the catch-up
        try (Connection c = db.connectDualwrite(); PreparedStatement p = c.prepareStatement(
                "UPDATE users SET region = 0 WHERE region = 5")) {
            p.executeUpdate();
        }
        try (Connection c = db.connect()) {
            BackfillResult rest = Backfill.run(c, "users.email", workers(1, 20_000, 0), null);
            assertThat(rest.outcome()).isEqualTo(BackfillResult.Outcome.COMPLETED);
            assertThat(rest.rowsCaughtUpThisRun()).isEqualTo(moved);
        }
        assertThat(db.queryLong(PARITY)).isZero();
    }

    @Test
    void aPartitionAttachedBetweenRunsIsPlannedAndCopied(TestDatabase db) throws Exception {
        PartitionedUsers.create(db, 10_000);
        Fixtures.expandAndDualWrite(db);
        try (Connection c = db.connect()) {
            assertThat(Backfill.run(c, "users.email", workers(1, 500, 2), null).outcome())
                    .isEqualTo(BackfillResult.Outcome.PAUSED);
        }
        // rows written to a table of its own (no dual write), then attached: only a new plan covers them
        db.execute("CREATE TABLE users_p8 (LIKE users INCLUDING DEFAULTS)");
        db.execute("INSERT INTO users_p8 (id, region, name, email) SELECT nextval('users_id_seq'), 8, 'late', 'late' || g"
                + " || '@example.com' FROM generate_series(1, 300) g");
        db.execute("ALTER TABLE users ATTACH PARTITION users_p8 FOR VALUES IN (8)");
        assertThat(db.queryLong(PARITY)).isPositive();
        try (Connection c = db.connect()) {
            assertThat(Backfill.run(c, "users.email", workers(1, 500, 0), null).outcome())
                    .isEqualTo(BackfillResult.Outcome.COMPLETED);
        }
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.backfill_range WHERE source_relation = 'public.users_p8'"))
                .isPositive();
        assertThat(db.queryLong(PARITY)).isZero();
    }

    @Test
    void parityRepairAndReverseSyncWorkOnThePartitionedParent(TestDatabase db) throws Exception {
        PartitionedUsers.create(db, 10_000);
        Fixtures.expandAndDualWrite(db);
        try (Connection c = db.connect()) {
            assertThat(Backfill.run(c, db::connect, "users.email", workers(2, 1000, 0), null).outcome())
                    .isEqualTo(BackfillResult.Outcome.COMPLETED);
        }
        db.execute("UPDATE email_address SET address = 'stale@example.com' WHERE user_id IN (1, 2, 3, 9, 10)");
        db.execute("DELETE FROM email_address WHERE user_id IN (11, 12)");
        try (Connection c = db.connect()) {
            assertThat(ChunkedParity.run(c, db::connect, "users.email", new ChunkedParity.Options(2, 2_000, false, false, 20))
                    .mismatches()).isEqualTo(7);
            assertThat(ChunkedParity.run(c, db::connect, "users.email", new ChunkedParity.Options(2, 2_000, false, true, 20))
                    .repaired()).isEqualTo(7);
        }
        assertThat(db.queryLong(PARITY)).isZero();

        db.execute("UPDATE dualwrite.migration SET phase = 'NEW_ONLY', phase_changed_at = now() - interval '2 days'"
                + " WHERE name = 'users.email'");
        try (Connection c = db.connectDualwrite();
             PreparedStatement set = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?");
             PreparedStatement move = c.prepareStatement("UPDATE users SET region = (region + 1) % 8 WHERE id = ?")) {
            for (int id = 100; id < 400; id++) {
                set.setString(1, id % 5 == 0 ? null : "new-" + id + "@example.com");
                set.setLong(2, id);
                set.executeUpdate();
                move.setLong(1, id);
                move.executeUpdate();
            }
        }
        // 300 users written, less the 9 whose email was NULL already (every 7th) and is set NULL again (every 5th)
        assertThat(db.queryLong(PARITY)).as("NEW_ONLY writes left the old column behind").isEqualTo(291);
        try (Connection c = db.connect()) {
            ReverseSync.Result r = ReverseSync.run(c, db::connect, "users.email",
                    new ReverseSync.Options(1000, false, Duration.ofSeconds(2), 10), m -> { });
            assertThat(r.parity().mismatches()).isZero();
        }
        assertThat(db.queryLong(PARITY)).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM users WHERE id BETWEEN 100 AND 399 AND email LIKE 'new-%'")).isEqualTo(240);
    }

    /**
     * Transactions of 1 to 3 writes through the driver: move a user to another partition (passed through: the value
     * is not set), move and change the email in one statement (a dual write that moves the row), change or NULL
     * the email, delete a user, sign one up.
     */
    private static void write(Connection c, int isolation, Random rnd, AtomicBoolean stop, AtomicBoolean backfillRunning,
                              AtomicLong ops, AtomicLong movesDuringBackfill, AtomicLong retries) throws SQLException {
        c.setAutoCommit(false);
        c.setTransactionIsolation(isolation);
        long seq = 0;
        try (PreparedStatement move = c.prepareStatement("UPDATE users SET region = ? WHERE id = ?");
             PreparedStatement moveAndSet = c.prepareStatement("UPDATE users SET region = ?, email = ? WHERE id = ?");
             PreparedStatement set = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?");
             PreparedStatement delete = c.prepareStatement("DELETE FROM users WHERE id = ?");
             PreparedStatement insert = c.prepareStatement("INSERT INTO users (region, name, email) VALUES (?, 'new', ?)")) {
            while (!stop.get()) {
                int n = 1 + rnd.nextInt(3);
                int[] kinds = new int[n];
                long[] ids = new long[n];
                int[] regions = new int[n];
                String[] emails = new String[n];
                for (int i = 0; i < n; i++) {
                    double r = rnd.nextDouble();
                    kinds[i] = r < 0.30 ? 0 : r < 0.45 ? 1 : r < 0.65 ? 2 : r < 0.80 ? 3 : r < 0.90 ? 4 : 5;
                    ids[i] = 1 + rnd.nextInt(USERS + 1000);
                    regions[i] = rnd.nextInt(PartitionedUsers.REGIONS);
                    emails[i] = kinds[i] == 3 ? null : "w" + Thread.currentThread().getId() + "-" + (++seq) + "@example.com";
                }
                for (int attempt = 0; ; attempt++) {
                    try {
                        long moves = 0;
                        for (int i = 0; i < n; i++) {
                            switch (kinds[i]) {
                                case 0 -> moves += run(move, regions[i], null, ids[i], false);
                                case 1 -> moves += run(moveAndSet, regions[i], emails[i], ids[i], true);
                                case 2, 3 -> run(set, -1, emails[i], ids[i], true);
                                case 4 -> {
                                    delete.setLong(1, ids[i]);
                                    delete.executeUpdate();
                                }
                                default -> {
                                    insert.setInt(1, regions[i]);
                                    insert.setString(2, emails[i]);
                                    insert.executeUpdate();
                                }
                            }
                        }
                        c.commit();
                        ops.addAndGet(n);
                        if (backfillRunning.get()) {
                            movesDuringBackfill.addAndGet(moves);
                        }
                        break;
                    } catch (SQLException e) {
                        c.rollback();
                        // 40001 also when a row this write would lock was moved to another partition meanwhile
                        if (("40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState())) && attempt < 50) {
                            retries.incrementAndGet();
                            continue;
                        }
                        throw e;
                    }
                }
            }
        }
    }

    /** Binds (region when >= 0, email when {@code withEmail}, id) and runs; returns the rows changed. */
    private static int run(PreparedStatement p, int region, String email, long id, boolean withEmail) throws SQLException {
        int i = 0;
        if (region >= 0) {
            p.setInt(++i, region);
        }
        if (withEmail) {
            p.setString(++i, email);
        }
        p.setLong(++i, id);
        return p.executeUpdate();
    }
}
