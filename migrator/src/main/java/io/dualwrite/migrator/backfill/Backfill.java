package io.dualwrite.migrator.backfill;

import io.dualwrite.control.SyncTrigger;
import io.dualwrite.control.ControlTables;
import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.MigrationState;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.db.ConnectionFactory;
import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.migrator.db.ParallelWorkers;

import org.postgresql.PGConnection;
import org.postgresql.jdbc.AutoSave;
import org.postgresql.copy.CopyManager;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Copies the source column into the target table's primary rows: batches of heap pages ({@code ctid} ranges,
 * a TID Range Scan: no index, no sort) over one page range per worker, in parallel, resumably, with batch sizes
 * adapted to a target batch time.
 *
 * <p>Each batch is one READ COMMITTED transaction that
 * <ol>
 *   <li>reads the counter the sync trigger advances on every delete, then passes the sync lock barrier: when the
 *       migration's advisory sync lock can be taken (and is released at once), no delete that began before is
 *       still uncommitted;</li>
 *   <li>copies the batch's rows out ({@code COPY (SELECT key, value … WHERE ctid >= '(lo,0)' AND ctid < '(hi,0)')
 *       TO STDOUT}), without row locks, and the same bytes back in ({@code COPY target … FROM STDIN WHERE value IS
 *       NOT NULL}: multi-row inserts, one WAL record per page where {@code INSERT … SELECT} writes one per row;
 *       the rows are never decoded here). When a dual write already wrote one of the keys the
 *       COPY fails on the unique index and the batch is redone with {@code INSERT … ON CONFLICT DO NOTHING}: a
 *       target row a dual write committed is newer than this batch's snapshot;</li>
 *   <li>reads the counter again. If it moved, or the barrier was held, a delete (NULL value, deleted row) may
 *       have committed between this batch's snapshot and its insert of the same key, which then waited for it in
 *       the unique index (the trigger's delete or probe left an entry there): so the batch rechecks its own
 *       copies against the source with a fresh snapshot and deletes or corrects the stale ones;</li>
 *   <li>advances its range's row in {@code dualwrite.backfill_range} (and the totals in
 *       {@code dualwrite.backfill_checkpoint}): a killed run loses only the batch in flight.</li>
 * </ol>
 * A dual write that comes after the batch's insert waits in the unique index for the batch to commit, then
 * overwrites (upsert) or deletes (its probe waits, then a fresh snapshot deletes) the copy: see
 * {@code SyncTrigger.syncFunctionBody}. So application writes never wait on the source rows, and wait at
 * most one batch on a target key. For a target value type without a probe placeholder the batch locks its
 * source rows instead ({@code FOR NO KEY UPDATE}: exact, slower). Rows the application inserts after the
 * backfill started land in pages after the planned ranges; they are dual-written, so they need no copy. Rows an
 * UPDATE that is not a dual write moves out of the pages not read yet are copied by the final catch-up pass
 * ({@link #catchUp}).
 *
 * <p>Between batches each worker reads {@code dualwrite.backfill_control} (pause, resume, fixed batch size)
 * and the throttle (replica replay lag, a custom query). A table rewrite (VACUUM FULL, CLUSTER) during the
 * backfill moves rows to other pages: the batch notices the new file node and the run refuses to go on.
 *
 * <p>The migration must already be in {@code DUAL_WRITE} (or {@code READ_NEW}), and every live driver
 * instance must have acknowledged such a phase ({@link Acknowledgements}). One backfill per migration at
 * a time (a session advisory lock; a second run is refused).
 */
public final class Backfill {

    private static final int MAX_RETRIES = 10;
    /** Below PostgreSQL's default deadlock_timeout (1 s), so the batch, not the application, gives up first. */
    static final int LOCK_TIMEOUT_MILLIS = 200;
    /**
     * Under live writes most batches hold a key a dual write has written, and a COPY that meets one is wasted: after
     * such a batch this many batches take {@code INSERT … ON CONFLICT DO NOTHING} directly, then COPY is tried again.
     */
    private static final int INSERT_BATCHES_AFTER_REDO = 8;

    private final Connection c;
    private final ConnectionFactory factory;
    private final String migration;
    private final BackfillOptions options;
    private final Consumer<BackfillProgress> progress;

    // run state, shared by the workers
    private final AtomicLong batchTickets = new AtomicLong();
    private final AtomicLong batchesRun = new AtomicLong();
    private final AtomicLong scannedRun = new AtomicLong();
    private final AtomicLong copiedRun = new AtomicLong();
    private final AtomicLong correctedRun = new AtomicLong();
    private final AtomicLong caughtUpRun = new AtomicLong();
    private final AtomicLong redone = new AtomicLong();
    private final AtomicLong rechecked = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Map<Integer, String> state = new ConcurrentHashMap<>();
    private volatile int lastBatchSize;
    private long rowsBefore;
    private long copiedBefore;
    private long batchesBefore;
    private long total;
    private long t0;
    private int workersRunning = 1;
    private volatile String finalState;
    private boolean multiRange;
    /** The oldest transaction that could still write when the ranges were planned (32-bit xid, as text). */
    private String startXmin = "3";

    public Backfill(Connection c, String migration, BackfillOptions options, Consumer<BackfillProgress> progress) {
        this(c, null, migration, options, progress);
    }

    /**
     * @param c       the coordinating connection (advisory lock, setup); also the only worker's connection
     *                when {@code factory} is null or {@code options.workers()} is 1
     * @param factory opens one connection per parallel worker
     */
    public Backfill(Connection c, ConnectionFactory factory, String migration, BackfillOptions options,
                    Consumer<BackfillProgress> progress) {
        this.c = c;
        this.factory = factory;
        this.migration = migration;
        this.options = options;
        this.progress = progress == null ? p -> { } : progress;
        this.lastBatchSize = options.batchSize();
    }

    /** Runs the backfill on {@code c} (a plain PgJDBC connection, not the dualwrite driver), one worker. */
    public static BackfillResult run(Connection c, String migration, BackfillOptions options,
                                     Consumer<BackfillProgress> progress) throws SQLException {
        return new Backfill(c, migration, options, progress).run();
    }

    /** Runs the backfill with {@code options.workers()} workers, each on a connection from {@code factory}. */
    public static BackfillResult run(Connection c, ConnectionFactory factory, String migration, BackfillOptions options,
                                     Consumer<BackfillProgress> progress) throws SQLException {
        return new Backfill(c, factory, migration, options, progress).run();
    }

    public BackfillResult run() throws SQLException {
        t0 = System.nanoTime();
        boolean autoCommit = c.getAutoCommit();
        int isolation = c.getTransactionIsolation();
        if (!autoCommit) {
            c.commit();
            c.setAutoCommit(true);
        }
        MigrationState ms = ControlSchema.require(c, migration);
        requireWritesNew(ms.phase());
        MigrationSpec spec = ms.spec();
        ControlTables.install(c);
        if (!tryLock()) {
            throw new RefusedException("another backfill of " + migration + " is running (it holds the advisory lock);"
                    + " wait for it to finish, or stop it — its checkpoint lets this one resume later");
        }
        Monitor monitor = null;
        try {
            if (options.restart()) {
                exec(c, "DELETE FROM dualwrite.backfill_range WHERE migration = ?", migration);
                exec(c, "DELETE FROM dualwrite.backfill_checkpoint WHERE migration = ?", migration);
            }
            Optional<BackfillCheckpoint> existing = BackfillCheckpoint.load(c, migration);
            if (existing.isPresent()) {
                refuseIfExpandedSince(existing.get());
            }
            if (existing.isPresent() && existing.get().complete()) {
                return new BackfillResult(BackfillResult.Outcome.ALREADY_COMPLETE, 0, 0, 0, 0, 0, 0, 0, existing.get(),
                        seconds(t0));
            }
            List<String> lagging = Fleet.await(c, migration, Set.of(Phase.DUAL_WRITE, Phase.READ_NEW),
                    options.ackTimeout());
            if (!lagging.isEmpty()) {
                throw new RefusedException(lagging.size() + " live application instance(s) do not dual-write " + migration
                        + " yet, so rows they change after a batch copied them would go stale: " + String.join("; ", lagging)
                        + ". Wait until they pick up the phase (drivers poll the control schema every second), restart or stop"
                        + " them, then run the backfill again.");
            }
            awaitOlderStatements(spec);
            total = totalEstimate(spec);
            try (PreparedStatement p = c.prepareStatement("""
                    INSERT INTO dualwrite.backfill_checkpoint (migration, total_rows) VALUES (?, ?)
                    ON CONFLICT (migration) DO UPDATE SET total_rows = EXCLUDED.total_rows""")) {
                p.setString(1, migration);
                p.setLong(2, total);
                p.executeUpdate();
            }
            Sql sql = Sql.of(c, spec);
            int workers = factory == null ? 1 : options.workers();
            List<Range> ranges = loadOrPlanRanges(sql, workers);
            for (Range r : ranges) {
                rowsBefore += r.scanned;
            }
            multiRange = ranges.size() > 1;
            syncTotals();
            BackfillCheckpoint cp = BackfillCheckpoint.load(c, migration).orElseThrow();
            copiedBefore = cp.rowsCopied();
            batchesBefore = cp.batches();
            ConcurrentLinkedQueue<Range> todo = new ConcurrentLinkedQueue<>();
            for (Range r : ranges) {
                if (!r.complete) {
                    todo.add(r);
                }
            }
            boolean single = ranges.size() == 1;
            workersRunning = Math.max(1, Math.min(workers, todo.size()));
            monitor = Monitor.register(this);
            finalState = null;
            if (workersRunning == 1) {
                prepareWorker(c);
                try {
                    work(c, sql, todo, single, 0);
                } finally {
                    c.setAutoCommit(true);
                    exec(c, "RESET synchronous_commit");
                    exec(c, "RESET lock_timeout");
                }
            } else {
                runParallel(sql, todo, single);
            }
            syncTotals();
            boolean allDone = allRangesComplete();
            if (allDone) {
                catchUp(sql);
                exec(c, "UPDATE dualwrite.backfill_checkpoint SET completed_at = now(), updated_at = now() WHERE migration = ?",
                        migration);
            }
            finalState = allDone ? "COMPLETED" : "STOPPED";
            return new BackfillResult(allDone ? BackfillResult.Outcome.COMPLETED : BackfillResult.Outcome.PAUSED,
                    batchesRun.get(), scannedRun.get(), copiedRun.get(), caughtUpRun.get(), correctedRun.get(), redone.get(),
                    rechecked.get(),
                    BackfillCheckpoint.load(c, migration).orElseThrow(), seconds(t0));
        } catch (SQLException | RuntimeException e) {
            finalState = "FAILED";
            throw e;
        } finally {
            if (monitor != null) {
                monitor.unregister();
            }
            try {
                if (!c.isClosed() && c.getAutoCommit()) {
                    syncTotals(); // after a failed worker: the totals of what the ranges committed
                }
            } catch (SQLException ignored) {
                // best effort: the next run syncs them too
            }
            try {
                if (!c.isClosed()) {
                    if (!c.getAutoCommit()) {
                        c.rollback();
                        c.setAutoCommit(true);
                    }
                    unlock();
                    c.setTransactionIsolation(isolation);
                    c.setAutoCommit(autoCommit);
                }
            } catch (SQLException ignored) {
                // the connection is gone (e.g. terminated): the server released the lock with the session
            }
        }
    }

    /**
     * A switch back to EXPANDED after this backfill began stopped the dual writes for a while: rows changed then
     * went to the old column only, so the copies and the checkpoint no longer describe the table.
     */
    private void refuseIfExpandedSince(BackfillCheckpoint cp) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT max(changed_at) FROM dualwrite.phase_change"
                + " WHERE migration = ? AND to_phase = 'EXPANDED' AND changed_at > ?")) {
            p.setString(1, migration);
            p.setObject(2, cp.startedAt());
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next() && rs.getObject(1) != null) {
                    throw new RefusedException("the phase of " + migration + " went back to EXPANDED at " + rs.getObject(1)
                            + ", after this backfill began (" + cp.startedAt() + "): rows changed then were written to the old"
                            + " column only, so its copies may be stale. Empty the target table (nothing reads it before"
                            + " READ_NEW) and run dualwrite backfill --restart; or run it with --restart and then dualwrite"
                            + " parity --repair.");
                }
            }
        }
    }

    /**
     * Acknowledgements cover the JDBC transactions of every instance (they are pinned to their phase), not an
     * auto-commit statement that began before the switch and still runs: it writes the old column only. So wait,
     * up to the acknowledgement timeout, until no statement naming the source table that started before now runs.
     */
    private void awaitOlderStatements(MigrationSpec spec) throws SQLException {
        long deadline = System.nanoTime() + options.ackTimeout().toNanos();
        java.time.OffsetDateTime since;
        try (PreparedStatement p = c.prepareStatement("SELECT clock_timestamp()"); ResultSet rs = p.executeQuery()) {
            rs.next();
            since = rs.getObject(1, java.time.OffsetDateTime.class); // statements newer than this are dual writes
        }
        try (PreparedStatement p = c.prepareStatement("""
                SELECT pid, coalesce(application_name, ''), query_start, left(regexp_replace(query, '\\s+', ' ', 'g'), 80)
                FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'
                  AND pid <> pg_backend_pid() AND state = 'active' AND query_start < ? AND query ILIKE ?""")) {
            p.setObject(1, since);
            p.setString(2, "%" + spec.sourceTable().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            while (true) {
                List<String> running = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        running.add("pid " + rs.getInt(1) + " (" + rs.getString(2) + ", since " + rs.getObject(3) + "): " + rs.getString(4));
                    }
                }
                if (running.isEmpty()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new RefusedException(running.size() + " statement(s) naming " + spec.sourceTable() + " began before every"
                            + " instance applied DUAL_WRITE and still run; they may write the old column only: "
                            + String.join("; ", running) + ". Wait for them to finish (or end them), then run the backfill again.");
                }
                sleep(100);
            }
        }
    }

    private void runParallel(Sql sql, ConcurrentLinkedQueue<Range> todo, boolean single) throws SQLException {
        ParallelWorkers.run("dualwrite-backfill-" + migration, workersRunning, id -> {
            try (Connection wc = factory.open()) {
                prepareWorker(wc);
                work(wc, sql, todo, single, id);
            }
        }, () -> stop.set(true));
    }

    private static void prepareWorker(Connection wc) throws SQLException {
        // a batch lost with an un-flushed commit on a server crash is lost together with its checkpoint: redone on resume
        exec(wc, "SET synchronous_commit = off");
        // a batch that waits for an application transaction (an uncommitted target key) gives up first and is retried:
        // application writes queued behind the batch's own copies never wait long, and a deadlock picks the batch
        exec(wc, "SET lock_timeout = '" + LOCK_TIMEOUT_MILLIS + "ms'");
        // the recheck finds this transaction's copies by xmin: a savepoint (PgJDBC autosave) would give them another xid
        wc.unwrap(PGConnection.class).setAutosave(AutoSave.NEVER);
        wc.setAutoCommit(false);
        wc.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    }

    /** One worker: takes ranges from {@code todo} until none is left, or the run stops. */
    private void work(Connection wc, Sql sql, ConcurrentLinkedQueue<Range> todo, boolean single, int id) throws SQLException {
        Throttle throttle = new Throttle(options);
        int size = options.batchSize();
        int insertBatches = 0; // after a COPY met a dual write, the next batches start with the INSERT form
        Range r;
        while (!stop.get() && (r = todo.poll()) != null) {
            while (!stop.get() && !r.complete) {
                BackfillControl.State ctl = BackfillControl.read(wc, migration);
                wc.commit();
                if (ctl.paused()) {
                    state.put(id, "PAUSED");
                    report(r, size);
                    sleep(250);
                    continue;
                }
                if (throttle.throttled(wc)) {
                    state.put(id, "THROTTLED");
                    report(r, size);
                    sleep(250);
                    continue;
                }
                state.put(id, "RUNNING");
                if (options.maxBatches() > 0 && batchTickets.incrementAndGet() > options.maxBatches()) {
                    stop.set(true);
                    break;
                }
                int n = ctl.batchSize() != null ? ctl.batchSize() : size;
                long pages = Math.max(1, Math.min(r.hi - r.next, (long) Math.ceil(n / sql.rowsPerPage)));
                long bt = System.nanoTime();
                BatchOutcome b = batchWithRetry(wc, sql, r, pages, single, insertBatches == 0);
                insertBatches = b.redone ? INSERT_BATCHES_AFTER_REDO : Math.max(0, insertBatches - 1);
                long nanos = System.nanoTime() - bt;
                r.next += pages;
                r.complete = r.next >= r.hi;
                batchesRun.incrementAndGet();
                scannedRun.addAndGet(b.rows);
                copiedRun.addAndGet(b.copied);
                correctedRun.addAndGet(b.corrected);
                lastBatchSize = n;
                if (b.rows > 0) {
                    if (options.adaptive() && ctl.batchSize() == null) {
                        size = nextSize(size, b.rows, nanos);
                    }
                }
                report(r, n);
            }
        }
        state.put(id, "DONE");
    }

    /** pt-osc's chunk-time: aim at the target batch time, grow at most 4x, shrink at most 2x per batch, within [min, max]. */
    int nextSize(int size, long rows, long nanos) {
        double ms = Math.max(0.05, nanos / 1e6);
        double ideal = rows * options.targetBatchMillis() / ms;
        if (rows < size) {
            ideal = Math.min(ideal, size); // a short batch (range tail) says nothing about a bigger one
        }
        double next = Math.max(size / 2.0, Math.min(size * 4.0, 0.5 * size + 0.5 * ideal));
        return (int) Math.max(options.minBatch(), Math.min(options.maxBatch(), Math.round(next)));
    }

    private synchronized void report(Range r, int batchSize) {
        double secs = seconds(t0);
        long done = rowsBefore + scannedRun.get();
        double rate = secs <= 0 ? 0 : scannedRun.get() / secs;
        long tot = Math.max(total, done);
        double eta = rate <= 0 ? -1 : (tot - done) / rate;
        progress.accept(new BackfillProgress(batchesBefore + batchesRun.get(), done, tot, copiedBefore + copiedRun.get(),
                "range " + r.no + " at page " + r.next + " of " + r.lo + ".." + r.hi, rate, batchSize, eta, currentState()));
    }

    String currentState() {
        if (finalState != null) {
            return finalState;
        }
        if (state.containsValue("RUNNING")) {
            return "RUNNING";
        }
        if (state.containsValue("THROTTLED")) {
            return "THROTTLED";
        }
        if (state.containsValue("PAUSED")) {
            return "PAUSED";
        }
        return "RUNNING";
    }

    private record BatchOutcome(long rows, long copied, long corrected, boolean redone) {
    }

    private BatchOutcome batchWithRetry(Connection wc, Sql sql, Range r, long pages, boolean single, boolean copyFirst)
            throws SQLException {
        boolean copy = copyFirst;
        for (int attempt = 1; ; attempt++) {
            try {
                BatchOutcome b = batch(wc, sql, r, pages, single, copy);
                wc.commit();
                return copy == copyFirst ? b : new BatchOutcome(b.rows, b.copied, b.corrected, true);
            } catch (SQLException e) {
                try {
                    wc.rollback();
                } catch (SQLException ignored) {
                    // the original failure is the one to report
                }
                String st = e.getSQLState();
                if ("23505".equals(st) && copy) {
                    // a dual write already wrote one of the keys: redo with ON CONFLICT DO NOTHING
                    copy = false;
                    redone.incrementAndGet();
                    continue;
                }
                if ("55P03".equals(st)) {
                    // waiting for an application transaction: keep waiting, a batch at a time, as long as it lasts
                    if (stop.get()) {
                        throw e;
                    }
                    attempt = Math.min(attempt, 6);
                    sleep(Math.min(1000, 10L << attempt));
                    continue;
                }
                boolean transientFailure = "40001".equals(st) || "40P01".equals(st);
                if (!transientFailure || attempt >= MAX_RETRIES) {
                    throw e;
                }
                sleep(Math.min(1000, 10L << attempt));
            }
        }
    }

    /**
     * The last pass, once every page range is done. An UPDATE that does not set the column is not a dual write; when
     * it moved a row to another page (no room on its own, or an indexed column changed) from a page no batch had read
     * yet to one a batch had read, or past the planned pages, no batch saw the row. Such a row version was written
     * after the backfill began, and has no primary target row: one statement over the whole table, with one snapshot,
     * copies exactly those (the same barrier, counter and recheck as a batch).
     */
    private void catchUp(Sql sql) throws SQLException {
        prepareWorker(c);
        try {
            BatchOutcome b = batchWithRetry(c, sql, null, 0, false, true);
            caughtUpRun.addAndGet(b.copied);
            copiedRun.addAndGet(b.copied);
            correctedRun.addAndGet(b.corrected);
        } finally {
            c.setAutoCommit(true);
            exec(c, "RESET synchronous_commit");
            exec(c, "RESET lock_timeout");
        }
        if (caughtUpRun.get() > 0) {
            // counted in the first range, so the totals (the ranges' sums with several) include them
            exec(c, "UPDATE dualwrite.backfill_range SET rows_copied = rows_copied + " + caughtUpRun.get()
                    + ", updated_at = now() WHERE migration = ? AND range_no = 0", migration);
            if (multiRange) {
                syncTotals();
            } else {
                exec(c, "UPDATE dualwrite.backfill_checkpoint SET rows_copied = rows_copied + " + caughtUpRun.get()
                        + ", updated_at = now() WHERE migration = ?", migration);
            }
        }
    }

    /** One batch, pages [r.next, r.next + pages), or the catch-up pass when {@code r} is null, in the caller's transaction. */
    private BatchOutcome batch(Connection wc, Sql sql, Range r, long pages, boolean single, boolean copy) throws SQLException {
        String counterBefore = null;
        boolean barrierPassed = false;
        try (PreparedStatement p = wc.prepareStatement(sql.before)) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                requireWritesNew(Phase.valueOf(rs.getString(1)));
                if (rs.getLong(2) != sql.fileNode) {
                    throw new RefusedException("the source table " + sql.src + " was rewritten (VACUUM FULL, CLUSTER or an"
                            + " ALTER TABLE that rewrites it) while the backfill ran, so its rows moved to other pages and the"
                            + " page checkpoints no longer apply. Run the backfill again with --restart: copies are idempotent.");
                }
                counterBefore = rs.getString(3);
            }
        }
        if (!sql.locked) {
            try (PreparedStatement p = wc.prepareStatement(sql.barrier); ResultSet rs = p.executeQuery()) {
                rs.next();
                barrierPassed = rs.getBoolean(1);
            }
        }
        long from = r == null ? 0 : r.next, to = from + pages;
        if (sql.locked) {
            try (PreparedStatement p = wc.prepareStatement(r == null ? sql.catchUpLock(startXmin) : sql.lock)) {
                if (r != null) {
                    p.setString(1, "(" + from + ",0)");
                    p.setString(2, "(" + to + ",0)");
                }
                p.executeQuery().close();
            }
        }
        // the rows travel as COPY text both ways: no per-value decoding or encoding on this side
        CopyManager copyApi = wc.unwrap(PGConnection.class).getCopyAPI();
        CopyText rows = new CopyText();
        long copied = 0;
        try {
            rows.rowCount = copyApi.copyOut(r == null ? sql.catchUpOut(startXmin) : sql.copyOut(from, to), rows);
            if (rows.size() > 0) {
                if (copy) {
                    copied = copyApi.copyIn(sql.copyIn, rows.reader());
                } else {
                    CopyText.Columns cols = rows.columns();
                    try (PreparedStatement p = wc.prepareStatement(sql.insert)) {
                        p.setArray(1, wc.createArrayOf("text", cols.keys()));
                        p.setArray(2, wc.createArrayOf("text", cols.values()));
                        copied = p.executeUpdate();
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new SQLException("COPY of a backfill batch failed: " + e.getMessage(), "08006", e);
        }
        long corrected = 0;
        if (!sql.locked && copied > 0) {
            String counterAfter;
            try (PreparedStatement p = wc.prepareStatement(sql.counter); ResultSet rs = p.executeQuery()) {
                rs.next();
                counterAfter = rs.getString(1);
            }
            if (!barrierPassed || !counterAfter.equals(counterBefore)) {
                rechecked.incrementAndGet();
                try (PreparedStatement p = wc.prepareStatement(sql.recheck)) {
                    p.setArray(1, wc.createArrayOf("text", rows.columns().keys()));
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        corrected = rs.getLong(1) + rs.getLong(2);
                    }
                }
            }
        }
        if (r == null) {
            return new BatchOutcome(rows.rowCount, copied, corrected, false);
        }
        boolean last = r.next + pages >= r.hi;
        try (PreparedStatement p = wc.prepareStatement(sql.checkpoint)) {
            int i = 0;
            p.setLong(++i, r.next + pages);
            p.setLong(++i, rows.rowCount);
            p.setLong(++i, copied);
            p.setBoolean(++i, last);
            p.setString(++i, migration);
            p.setInt(++i, r.no);
            p.setLong(++i, copied);
            p.setString(++i, migration);
            p.setBoolean(++i, single);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                if (rs.getLong(1) != 1 || rs.getLong(2) != (single ? 1 : 0)) {
                    throw new SQLException("backfill checkpoint of " + migration + " vanished (was it reset by --restart elsewhere?)");
                }
            }
        }
        return new BatchOutcome(rows.rowCount, copied, corrected, false);
    }

    private void requireWritesNew(Phase phase) {
        if (phase == Phase.EXPANDED) {
            throw new RefusedException("migration " + migration + " is in phase EXPANDED: the application does not write the"
                    + " target table yet, so every row changed after a batch copied it would go stale. Switch to DUAL_WRITE"
                    + " first (dualwrite phase --migration " + migration + " DUAL_WRITE), make sure every application"
                    + " instance runs it, then run the backfill.");
        }
        if (phase == Phase.NEW_ONLY || phase == Phase.CONTRACTED) {
            throw new RefusedException("migration " + migration + " is in phase " + phase + ": the old column is no longer"
                    + " the source of truth, so there is nothing to backfill from it");
        }
    }

    /** A page range [lo, hi) of the source table; {@code next} is the first page not copied yet. */
    static final class Range {
        final int no;
        final long lo;
        final long hi;
        volatile long next;
        volatile boolean complete;
        final long scanned;

        Range(int no, long lo, long hi, long next, boolean complete, long scanned) {
            this.no = no;
            this.lo = lo;
            this.hi = hi;
            this.next = next;
            this.complete = complete || next >= hi;
            this.scanned = scanned;
        }
    }

    /**
     * The checkpointed ranges, or new ones: the table's pages at this moment split evenly between the workers.
     * Pages added later hold only rows the application wrote while dual-writing.
     */
    private List<Range> loadOrPlanRanges(Sql sql, int workers) throws SQLException {
        List<Range> out = loadRanges(sql);
        if (!out.isEmpty()) {
            return out;
        }
        exec(c, "DELETE FROM dualwrite.backfill_range WHERE migration = ?", migration); // rows of another table file
        // every row version written from now on may move behind the scan: the catch-up pass looks at those
        String xmin;
        try (PreparedStatement p = c.prepareStatement("SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint % 4294967296)::text");
             ResultSet rs = p.executeQuery()) {
            rs.next();
            xmin = rs.getString(1);
        }
        long pages = sql.pages(c);
        int n = (int) Math.max(1, Math.min(workers, pages));
        try (PreparedStatement p = c.prepareStatement("INSERT INTO dualwrite.backfill_range"
                + " (migration, range_no, lo_page, hi_page, next_page, source_filenode, start_xmin, completed_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, CASE WHEN ? THEN now() END)")) { // an empty table: nothing to do
            for (int i = 0; i < n; i++) {
                long lo = pages * i / n;
                p.setString(1, migration);
                p.setInt(2, i);
                p.setLong(3, lo);
                p.setLong(4, pages * (i + 1) / n);
                p.setLong(5, lo);
                p.setLong(6, sql.fileNode);
                p.setString(7, xmin);
                p.setBoolean(8, pages == 0);
                p.addBatch();
            }
            p.executeBatch();
        }
        return loadRanges(sql);
    }

    /** The ranges checkpointed for the source table's current file (a rewritten table starts over). */
    private List<Range> loadRanges(Sql sql) throws SQLException {
        List<Range> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("""
                SELECT range_no, lo_page, hi_page, next_page, completed_at IS NOT NULL, rows_scanned, start_xmin
                FROM dualwrite.backfill_range WHERE migration = ? AND source_filenode = ? ORDER BY range_no""")) {
            p.setString(1, migration);
            p.setLong(2, sql.fileNode);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new Range(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getBoolean(5), rs.getLong(6)));
                    String x = rs.getString(7);
                    startXmin = x != null && x.matches("[0-9]{1,10}") ? x : "3"; // unknown: every unfrozen row version
                }
            }
        }
        return out;
    }

    /**
     * With several ranges the per-batch statement advances only its range row (workers do not contend on one
     * row); the totals in {@code dualwrite.backfill_checkpoint} are the sums, written here.
     */
    private void syncTotals() throws SQLException {
        if (!multiRange) {
            return;
        }
        exec(c, "UPDATE dualwrite.backfill_checkpoint cp SET rows_copied = r.copied, batches = r.batches,"
                + " updated_at = now() FROM (SELECT coalesce(sum(rows_copied), 0) AS copied, coalesce(sum(batches), 0) AS batches"
                + " FROM dualwrite.backfill_range WHERE migration = ?) r WHERE cp.migration = ?", migration, migration);
    }

    private boolean allRangesComplete() throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT count(*) FILTER (WHERE completed_at IS NULL) FROM dualwrite.backfill_range WHERE migration = ?")) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1) == 0;
            }
        }
    }

    private long totalEstimate(MigrationSpec spec) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(?)")) {
            p.setString(1, spec.qualifiedSource());
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next() && rs.getLong(1) > 0) {
                    return rs.getLong(1);
                }
            }
        }
        try (PreparedStatement p = c.prepareStatement("SELECT count(*) FROM " + spec.qualifiedSource());
             ResultSet rs = p.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private boolean tryLock() throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT pg_try_advisory_lock(hashtextextended(?, 0))")) {
            p.setString(1, "dualwrite.backfill:" + migration);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private void unlock() throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT pg_advisory_unlock(hashtextextended(?, 0))")) {
            p.setString(1, "dualwrite.backfill:" + migration);
            p.execute();
        }
    }

    private static void exec(Connection conn, String sql, String... params) throws SQLException {
        try (PreparedStatement p = conn.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                p.setString(i + 1, params[i]);
            }
            p.execute();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Replica replay lag and a custom throttle query, checked at most once a second per worker. */
    static final class Throttle {
        private final BackfillOptions o;
        private long checkedAt;
        private boolean last;

        Throttle(BackfillOptions o) {
            this.o = o;
        }

        boolean throttled(Connection wc) throws SQLException {
            if (o.maxReplicaLag() == null && o.throttleQuery() == null) {
                return false;
            }
            long now = System.nanoTime();
            if (checkedAt != 0 && now - checkedAt < 1_000_000_000L) {
                return last;
            }
            checkedAt = now;
            boolean t = false;
            try (Statement s = wc.createStatement()) {
                if (o.maxReplicaLag() != null) {
                    try (ResultSet rs = s.executeQuery(
                            "SELECT coalesce(max(extract(epoch FROM replay_lag)), 0) FROM pg_stat_replication")) {
                        rs.next();
                        t = rs.getDouble(1) * 1000 > o.maxReplicaLag().toMillis();
                    }
                }
                if (!t && o.throttleQuery() != null) {
                    try (ResultSet rs = s.executeQuery(o.throttleQuery())) {
                        t = rs.next() && rs.getBoolean(1);
                    }
                }
            }
            wc.commit();
            last = t;
            return t;
        }
    }

    /** The JMX view of a running backfill. */
    static final class Monitor implements BackfillMXBean {
        private final Backfill b;
        private ObjectName name;

        private Monitor(Backfill b) {
            this.b = b;
        }

        static Monitor register(Backfill b) {
            Monitor m = new Monitor(b);
            try {
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                ObjectName n = objectName(b.migration);
                if (server.isRegistered(n)) {
                    server.unregisterMBean(n);
                }
                server.registerMBean(m, n);
                m.name = n;
            } catch (Exception | LinkageError e) {
                // JMX is a view; never fail a backfill over it
            }
            return m;
        }

        static ObjectName objectName(String migration) throws javax.management.MalformedObjectNameException {
            String v = migration.matches("[A-Za-z0-9_.\\-]+") ? migration : ObjectName.quote(migration);
            return new ObjectName("io.dualwrite:type=Backfill,name=" + v);
        }

        void unregister() {
            if (name != null) {
                try {
                    ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
                } catch (Exception ignored) {
                    // already gone
                }
            }
        }

        @Override
        public String getMigration() {
            return b.migration;
        }

        @Override
        public String getState() {
            return b.currentState();
        }

        @Override
        public long getRowsDone() {
            return b.rowsBefore + b.scannedRun.get();
        }

        @Override
        public long getTotalRows() {
            return Math.max(b.total, getRowsDone());
        }

        @Override
        public long getRowsCopied() {
            return b.copiedBefore + b.copiedRun.get();
        }

        @Override
        public double getRowsPerSecond() {
            double s = seconds(b.t0);
            return s <= 0 ? 0 : b.scannedRun.get() / s;
        }

        @Override
        public double getEtaSeconds() {
            double r = getRowsPerSecond();
            return r <= 0 ? -1 : (getTotalRows() - getRowsDone()) / r;
        }

        @Override
        public int getBatchSize() {
            return b.lastBatchSize;
        }

        @Override
        public int getWorkers() {
            return b.workersRunning;
        }
    }

    /** The statements of one migration, built once per run. */
    static final class Sql {
        final String src;
        private final String tgt, k, v, tk, flag;
        final long fileNode;
        final double rowsPerPage;
        /** The sync trigger has no probe (the value type has no placeholder, or the target constrains the column): lock. */
        final boolean locked;
        final String before, barrier, counter, lock, copyIn, insert, recheck, checkpoint;
        private final String copyOutPrefix;

        private Sql(MigrationSpec s, String keyType, String valueType, long lockKey, boolean locked, long fileNode,
                    double rowsPerPage) {
            this.src = s.qualifiedSource();
            this.fileNode = fileNode;
            this.rowsPerPage = rowsPerPage;
            this.locked = locked;
            this.tgt = s.qualifiedTarget();
            this.k = Identifiers.quote(s.keyColumn());
            this.v = Identifiers.quote(s.sourceColumn());
            this.tk = Identifiers.quote(s.targetKeyColumn());
            String tv = Identifiers.quote(s.targetValueColumn());
            this.flag = Identifiers.quote(s.primaryFlagColumn());
            String counterName = SyncTrigger.deleteCounterName(s);
            String counterValue = locked ? "''" : "(SELECT last_value || ':' || is_called FROM " + counterName + ")";
            this.before = "SELECT phase, pg_relation_filenode('" + src.replace("'", "''") + "')::bigint, " + counterValue
                    + " FROM dualwrite.migration WHERE name = ?";
            this.barrier = "SELECT CASE WHEN pg_try_advisory_lock(" + lockKey + ") THEN pg_advisory_unlock(" + lockKey + ")"
                    + " ELSE false END";
            this.counter = "SELECT " + counterValue;
            this.lock = "SELECT count(*) FROM (SELECT FROM " + src + " WHERE ctid >= ?::tid AND ctid < ?::tid FOR NO KEY UPDATE) l";
            this.copyOutPrefix = "COPY (SELECT " + k + ", " + v + ", true FROM " + src + " WHERE ctid >= '(";
            this.copyIn = "COPY " + tgt + " (" + tk + ", " + tv + ", " + flag + ") FROM STDIN WHERE " + tv + " IS NOT NULL";
            this.insert = "INSERT INTO " + tgt + " (" + tk + ", " + tv + ", " + flag + ") SELECT r.k::" + keyType + ", r.v::"
                    + valueType + ", true FROM unnest(?::text[], ?::text[]) AS r(k, v) ON CONFLICT (" + tk + ") WHERE " + flag
                    + " DO NOTHING";
            // only the rows this transaction inserted: a dual write cannot change them before it commits
            this.recheck = "WITH b AS (SELECT unnest(?::text[])::" + keyType + " AS k),\n"
                    + " c AS (SELECT e.ctid AS tid, e." + tv + " AS ev, u." + v + " AS uv FROM b JOIN " + tgt + " e ON e." + tk
                    + " = b.k AND e." + flag + " LEFT JOIN " + src + " u ON u." + k + " = b.k"
                    + " WHERE e.xmin::text = (pg_current_xact_id()::text::bigint % 4294967296)::text),\n"
                    + " d AS (DELETE FROM " + tgt + " e USING c WHERE e.ctid = c.tid AND c.uv IS NULL RETURNING 1),\n"
                    + " u AS (UPDATE " + tgt + " e SET " + tv + " = c.uv FROM c WHERE e.ctid = c.tid AND c.uv IS NOT NULL"
                    + " AND c.ev IS DISTINCT FROM c.uv RETURNING 1)\n"
                    + "SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM u)";
            this.checkpoint = "WITH r AS (UPDATE dualwrite.backfill_range SET next_page = ?, rows_scanned = rows_scanned + ?,"
                    + " rows_copied = rows_copied + ?, batches = batches + 1, updated_at = now(),"
                    + " completed_at = CASE WHEN ? THEN now() END WHERE migration = ? AND range_no = ? RETURNING 1),\n"
                    + " a AS (UPDATE dualwrite.backfill_checkpoint SET rows_copied = rows_copied + ?,"
                    + " batches = batches + 1, updated_at = now() WHERE migration = ? AND ? RETURNING 1)\n"
                    + "SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM a)";
        }

        static Sql of(Connection c, MigrationSpec spec) throws SQLException {
            // casts without the type modifier: an explicit cast to varchar(n) truncates, the column's own coercion raises
            String keyType = baseType(c, spec.qualifiedSource(), spec.keyColumn());
            String valueType = baseType(c, spec.qualifiedTarget(), spec.targetValueColumn());
            boolean locked = !SyncTrigger.hasDeleteProbe(c, spec);
            try (PreparedStatement p = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
                p.setString(1, SyncTrigger.deleteCounterName(spec));
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        throw new RefusedException("the sync trigger of " + spec.name() + " was installed by an older dualwrite"
                                + " that this backfill cannot run beside (it has no delete counter). Run dualwrite expand again"
                                + " (idempotent): it updates the trigger. Then run the backfill.");
                    }
                }
            }
            try (PreparedStatement p = c.prepareStatement("SELECT pg_relation_filenode(c.oid)::bigint,"
                    + " CASE WHEN c.relpages > 0 AND c.reltuples > 0 THEN c.reltuples / c.relpages ELSE 50 END, c.relkind"
                    + " FROM pg_class c WHERE c.oid = to_regclass(?)")) {
                p.setString(1, spec.qualifiedSource());
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    if (!"r".equals(rs.getString(3))) {
                        throw new RefusedException(spec.qualifiedSource() + " is not a plain table (relkind " + rs.getString(3)
                                + ", e.g. partitioned): the backfill copies one table's heap pages and would copy nothing."
                                + " Partitioned sources are not supported by this version.");
                    }
                    return new Sql(spec, keyType, valueType, SyncTrigger.syncLockKey(c, spec), locked, rs.getLong(1),
                            rs.getDouble(2));
                }
            }
        }

        /** The rows the catch-up pass copies: written since {@code startXmin}, non-NULL, without a primary target row. */
        String catchUpOut(String startXmin) {
            return "COPY (SELECT u." + k + ", u." + v + ", true" + catchUpFrom(startXmin) + ") TO STDOUT";
        }

        String catchUpLock(String startXmin) {
            return "SELECT count(*) FROM (SELECT" + catchUpFrom(startXmin) + " FOR NO KEY UPDATE OF u) l";
        }

        private String catchUpFrom(String startXmin) {
            return " FROM " + src + " u WHERE age(u.xmin) <= age('" + startXmin + "'::xid) AND u." + v + " IS NOT NULL"
                    + " AND NOT EXISTS (SELECT 1 FROM " + tgt + " e WHERE e." + tk + " = u." + k + " AND e." + flag + ")";
        }

        /** The batch's rows, key and value (NULL too: the caller counts them), in COPY text format. */
        String copyOut(long fromPage, long toPage) {
            return copyOutPrefix + fromPage + ",0)' AND ctid < '(" + toPage + ",0)') TO STDOUT";
        }

        private static String baseType(Connection c, String table, String column) throws SQLException {
            try (PreparedStatement p = c.prepareStatement("SELECT format_type(a.atttypid, NULL) FROM pg_attribute a"
                    + " WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND NOT a.attisdropped AND a.attnum > 0")) {
                p.setString(1, table);
                p.setString(2, column);
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("column " + table + "." + column + " does not exist", "42703");
                    }
                    return rs.getString(1);
                }
            }
        }

        /** The source table's size in pages now. */
        long pages(Connection c) throws SQLException {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT pg_relation_size(to_regclass(?)) / current_setting('block_size')::bigint")) {
                p.setString(1, src);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }
    }
}
