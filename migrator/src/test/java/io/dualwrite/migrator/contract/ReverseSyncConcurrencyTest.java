package io.dualwrite.migrator.contract;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Writers;
import io.dualwrite.migrator.backfill.Backfill;
import io.dualwrite.migrator.backfill.BackfillOptions;
import io.dualwrite.rewriter.Phase;
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
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Acceptance 3: reverse-sync under concurrent NEW_ONLY writers (READ COMMITTED and REPEATABLE READ; emails changed,
 * set NULL, users deleted and inserted), killed mid-way (its backend terminated while a batch waits) and resumed once:
 * the old column equals the new table at the end, while the writers still run and after they stop. The same after a
 * contract under the same writers: the column dropped, then re-added by reverse-sync.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReverseSyncConcurrencyTest {

    static final int USERS = 20_000;
    static final String APP = "dualwrite-reverse-sync-test";

    private static Connection connect(TestDatabase db) throws SQLException {
        Connection c = db.connect();
        try (Statement s = c.createStatement()) {
            s.execute("SET application_name = '" + APP + "'");
        }
        return c;
    }

    /**
     * Runs reverse-sync until, after a first batch, a batch waits for a row lock (one held at a key near the end, or a
     * writer's), then terminates its backend: the run fails mid-way, its checkpoint short of the held key.
     */
    private static String killedMidway(TestDatabase db, int batchSize) throws Exception {
        try (Connection holder = db.connect(); Connection sync = connect(db)) {
            holder.setAutoCommit(false);
            CompletableFuture<ReverseSync.Result> run;
            long held;
            boolean contracted;
            try (Statement s = holder.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT phase = 'CONTRACTED' FROM dualwrite.migration")) {
                    rs.next();
                    contracted = rs.getBoolean(1);
                }
                if (contracted) {
                    holder.commit(); // the re-add needs the table: the row is locked once the phase is NEW_ONLY
                }
                run = CompletableFuture.supplyAsync(() -> {
                    try {
                        return ReverseSync.run(sync, db::connect, "users.email", ReverseSync.Options.batches(batchSize), m -> { });
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                if (contracted) {
                    awaitQuery(db, "SELECT phase = 'NEW_ONLY' FROM dualwrite.migration", run);
                }
                // the row is locked once the mirror is in: a writer that queues behind the held row keeps its lock on the
                // new table, which the mirror's CREATE TRIGGER would wait for until its attempts run out
                awaitQuery(db, "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'dualwrite_sync_users_email_mirror')", run);
                try (ResultSet rs = s.executeQuery("SELECT id FROM users WHERE id >= " + (USERS - 200) + " ORDER BY id LIMIT 1 FOR UPDATE")) {
                    rs.next();
                    held = rs.getLong(1);
                }
                // a batch waits for a row lock (the held one, or a writer's) after at least one batch committed
                awaitQuery(db, "SELECT EXISTS (SELECT 1 FROM dualwrite.reverse_sync WHERE batches > 0) AND EXISTS (SELECT 1"
                        + " FROM pg_stat_activity WHERE application_name = '" + APP + "' AND wait_event_type = 'Lock')", run);
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + APP + "'");
            }
            assertThatThrownBy(() -> run.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            holder.rollback();
            String last = db.queryString("SELECT last_key FROM dualwrite.reverse_sync");
            assertThat(db.queryString("SELECT completed_at::text FROM dualwrite.reverse_sync")).isNull();
            assertThat(Long.parseLong(last)).isGreaterThan(0).isLessThan(held);
            return last;
        }
    }

    private static void awaitQuery(TestDatabase db, String sql) throws Exception {
        awaitQuery(db, sql, null);
    }

    /** Waits for {@code sql} to hold; a {@code run} that ends first fails the wait with its outcome. */
    private static void awaitQuery(TestDatabase db, String sql, CompletableFuture<?> run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (db.queryLong("SELECT CASE WHEN (" + sql + ") THEN 1 ELSE 0 END") == 0) {
            if (run != null && run.isDone()) {
                Object outcome = run.handle((r, e) -> e != null ? e : r).get();
                AssertionError failure = new AssertionError("reverse-sync ended (" + outcome + ") while waiting for: " + sql);
                if (outcome instanceof Throwable t) {
                    failure.initCause(t);
                }
                throw failure;
            }
            assertThat(System.nanoTime()).as("waited for: " + sql).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static ReverseSync.Result resume(TestDatabase db, String killedAt, int batchSize) throws SQLException {
        try (Connection c = connect(db)) {
            ReverseSync.Result r = ReverseSync.run(c, db::connect, "users.email", ReverseSync.Options.batches(batchSize), m -> { });
            assertThat(r.resumedAfter()).isEqualTo(killedAt);
            assertThat(r.batches()).isPositive();
            return r;
        }
    }

    /** After the writers stop: exact parity, and a write with the mirror gone drifts (the mirror is what keeps it). */
    private static void inStepAfterwards(TestDatabase db) throws SQLException {
        assertThat(db.queryLong(Fixtures.PARITY)).isZero();
        try (Connection c = db.connect(); PreparedStatement p = c.prepareStatement(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'email_address'::regclass AND NOT tgisinternal")) {
            try (ResultSet rs = p.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("dualwrite_sync_users_email_mirror");
            }
        }
        db.execute("UPDATE email_address SET address = 'mirrored@example.com' WHERE user_id = (SELECT min(user_id) FROM email_address WHERE is_primary)");
        assertThat(db.queryLong(Fixtures.PARITY)).isZero();
        db.execute("DROP TRIGGER dualwrite_sync_users_email_mirror ON email_address");
        db.execute("UPDATE email_address SET address = 'unmirrored@example.com' WHERE user_id = (SELECT min(user_id) FROM email_address WHERE is_primary)");
        assertThat(db.queryLong(Fixtures.PARITY)).isEqualTo(1);
    }

    @ParameterizedTest(name = "isolation {0}")
    @ValueSource(ints = {Connection.TRANSACTION_READ_COMMITTED, Connection.TRANSACTION_REPEATABLE_READ})
    void exactUnderWritersKilledAndResumed(int isolation, TestDatabase db) throws Exception {
        Fixtures.newOnly(db, USERS);
        try (NewOnlyWriters writers = new NewOnlyWriters(db, 4, USERS, isolation)) {
            awaitQuery(db, "(" + Fixtures.PARITY + ") > 0"); // drift first: NEW_ONLY writes left the old column behind
            String killedAt = killedMidway(db, 100);
            ReverseSync.Result r = resume(db, killedAt, 100);
            assertThat(r.parity().mismatches()).as("parity at the end of the run, writers still running: %s", r.parity().samples()).isZero();
            Thread.sleep(300);
            writers.check();
            System.out.println("reverse-sync (isolation " + isolation + "): resumed after key " + killedAt + ", " + r.batches()
                    + " batches, " + r.rowsUpdated() + " rows rewritten, " + String.format("%.2f s", r.seconds()) + "; writers: " + writers);
        }
        inStepAfterwards(db);
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.reverse_sync WHERE completed_at IS NOT NULL")).isEqualTo(1);
    }

    @ParameterizedTest(name = "isolation {0}")
    @ValueSource(ints = {Connection.TRANSACTION_READ_COMMITTED, Connection.TRANSACTION_REPEATABLE_READ})
    void afterTheContractTheColumnIsReaddedAndFilled(int isolation, TestDatabase db) throws Exception {
        Fixtures.newOnly(db, USERS);
        try (NewOnlyWriters writers = new NewOnlyWriters(db, 4, USERS, isolation)) {
            Thread.sleep(200);
            // contract's parity gate needs the old column in step: a first reverse-sync, whose mirror keeps it there
            try (Connection c = connect(db)) {
                assertThat(ReverseSync.run(c, db::connect, "users.email", ReverseSync.Options.batches(5000), m -> { })
                        .parity().mismatches()).isZero();
                Contract.Result done = Contract.run(c, "users.email",
                        new Contract.Options(Duration.ZERO, false, Duration.ofSeconds(2), 20), m -> { });
                assertThat(done.executed()).isTrue();
            }
            assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                    + " AND column_name = 'email'")).isZero();
            assertThat(db.queryLong("SELECT count(*) FROM pg_trigger WHERE tgname = 'dualwrite_sync_users_email_mirror'")).isZero();
            assertThat(db.queryString("SELECT string_agg(name || ':' || type, ',' ORDER BY position) FROM dualwrite.source_column"))
                    .isEqualTo("id:bigint,name:text,email:text");
            Thread.sleep(300); // CONTRACTED: the writers go on without the column

            String killedAt = killedMidway(db, 100);
            assertThat(db.queryString("SELECT column_readded::text FROM dualwrite.reverse_sync")).isEqualTo("true");
            ReverseSync.Result r = resume(db, killedAt, 100);
            assertThat(r.readd()).as("re-added by the killed run, not again").isNull();
            assertThat(r.parity().mismatches()).as("parity at the end of the run: %s", r.parity().samples()).isZero();
            Thread.sleep(300);
            writers.check();
            System.out.println("reverse-sync after the contract (isolation " + isolation + "): resumed after key " + killedAt
                    + ", " + r.rowsUpdated() + " rows rewritten; writers: " + writers);
        }
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("NEW_ONLY");
        assertThat(db.queryString("SELECT from_phase || '>' || to_phase || ': ' || reason FROM dualwrite.phase_change"
                + " ORDER BY id DESC LIMIT 1")).startsWith("CONTRACTED>NEW_ONLY: old column re-added (users.email is back at its position 3 of 3");
        inStepAfterwards(db);
    }

    /**
     * A REPEATABLE READ writer whose snapshot was taken in CONTRACTED, before reverse-sync re-added the column, reads
     * CONTRACTED in the phase row for the rest of its transaction; the user it inserts afterwards (above the last key the
     * batches copied) must still get its old column from the mirror.
     */
    @Test
    void aWriterWhoseSnapshotPredatesTheReaddIsMirrored(TestDatabase db) throws Exception {
        Fixtures.newOnly(db, USERS);
        try (Connection c = connect(db)) {
            assertThat(Contract.run(c, "users.email", new Contract.Options(Duration.ZERO, false, Duration.ofSeconds(2), 20),
                    m -> { }).executed()).isTrue();
        }
        long late = USERS + 1;
        try (Connection rr = db.connect(); Statement s = rr.createStatement()) {
            rr.setAutoCommit(false);
            rr.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (ResultSet rs = s.executeQuery("SELECT phase FROM dualwrite.migration")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("CONTRACTED");
            }
            try (Connection c = connect(db)) {
                ReverseSync.Result r = ReverseSync.run(c, db::connect, "users.email", ReverseSync.Options.batches(5000), m -> { });
                assertThat(r.readd()).isNotNull();
                assertThat(r.parity().mismatches()).isZero();
            }
            s.execute("INSERT INTO users (id, name) VALUES (" + late + ", 'late')");
            s.execute("INSERT INTO email_address (user_id, address, is_primary) VALUES (" + late + ", 'late@example.com', true)");
            rr.commit();
        }
        assertThat(db.queryString("SELECT email FROM users WHERE id = " + late)).isEqualTo("late@example.com");
        assertThat(db.queryLong(Fixtures.PARITY)).isZero();
    }

    /**
     * A REPEATABLE READ writer whose snapshot still sees a primary row another transaction deleted since, and which then
     * inserts that key's primary row itself (the unique index lets it), sees two primary rows: the mirror fails it with
     * 40001, as PostgreSQL fails a stale snapshot, instead of 21000 (more than one row returned by a subquery).
     */
    @Test
    void aWriterWhoseSnapshotStillSeesADeletedPrimaryRowGets40001(TestDatabase db) throws Exception {
        Fixtures.newOnly(db, USERS);
        try (Connection c = connect(db)) {
            c.setAutoCommit(false);
            MirrorTrigger.install(c, ControlSchema.require(c, "users.email").spec());
            c.commit();
        }
        // stale by design in NEW_ONLY (as a reverse-sync batch writes it: the old-column write trigger leaves it), so the
        // mirror has something to write
        db.execute("BEGIN; SET LOCAL dualwrite.capture = off; UPDATE users SET email = NULL WHERE id = 1; COMMIT");
        try (Connection rr = db.connect(); Statement s = rr.createStatement()) {
            rr.setAutoCommit(false);
            rr.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            s.executeQuery("SELECT count(*) FROM email_address").close(); // the snapshot
            db.execute("DELETE FROM email_address WHERE user_id = 1 AND is_primary");
            assertThatThrownBy(() -> s.execute("INSERT INTO email_address (user_id, address, is_primary)"
                    + " VALUES (1, 'again@example.com', true)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("40001"));
            rr.rollback();
        }
    }

    /** The same with the application's own SQL through the driver in NEW_ONLY ({@code UPDATE users SET email = ?}, NULLs). */
    @Test
    void exactUnderTheDriversTranslatedWrites(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, USERS);
        Fixtures.expandAndDualWrite(db);
        try (Connection c = db.connect()) {
            Backfill.run(c, "users.email", new BackfillOptions(5000, 0, false), null);
        }
        String[] m = {"--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email"};
        try (Writers writers = new Writers(db, 4, USERS); Connection c = db.connect()) {
            // the writers' driver instance is in the fleet and writing before the phase moves
            awaitQuery(db, "SELECT count(*) > 0 FROM dualwrite.instance");
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); writers.ops.get() == 0; ) {
                assertThat(System.nanoTime()).as("the writers started").isLessThan(deadline);
                Thread.sleep(10);
            }
            assertThat(Fixtures.cli(concat(new String[] {"phase"}, m, new String[] {"READ_NEW"})).code()).isZero();
            assertThat(Fleet.await(c, "users.email", Set.of(Phase.READ_NEW), Duration.ofSeconds(30), 1)).isEmpty();
            Fixtures.Run newOnly = Fixtures.cli(concat(new String[] {"phase"}, m, new String[] {"NEW_ONLY", "--soak", "1h"}));
            assertThat(newOnly.code()).as(newOnly.toString()).isZero();
            assertThat(Fleet.await(c, "users.email", Set.of(Phase.NEW_ONLY), Duration.ofSeconds(30), 1)).isEmpty();
            long before = writers.ops.get();
            // the application writes in NEW_ONLY, and the driver no longer writes the old column
            awaitQuery(db, "(" + Fixtures.PARITY + ") > 0");
            assertThat(writers.ops.get()).as("the application writes in NEW_ONLY").isGreaterThan(before);
            String killedAt = killedMidway(db, 100);
            ReverseSync.Result r = resume(db, killedAt, 100);
            assertThat(r.parity().mismatches()).as("parity at the end of the run: %s", r.parity().samples()).isZero();
            Thread.sleep(300);
            System.out.println("reverse-sync under the driver's NEW_ONLY writes: resumed after key " + killedAt + ", "
                    + r.rowsUpdated() + " rows rewritten; " + writers.ops + " application updates");
        }
        inStepAfterwards(db);
    }

    private static String[] concat(String[]... parts) {
        return Arrays.stream(parts).flatMap(Arrays::stream).toArray(String[]::new);
    }
}
