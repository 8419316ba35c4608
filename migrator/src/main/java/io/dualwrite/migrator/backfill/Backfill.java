package io.dualwrite.migrator.backfill;

import io.dualwrite.driver.control.ControlSchema;
import io.dualwrite.driver.control.MigrationState;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.db.ConnectionFactory;
import io.dualwrite.migrator.fleet.Acknowledgements;
import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.migrator.db.ParallelWorkers;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
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
 * Copies the source column into the target table's primary rows: keyset batches over one or more key
 * ranges, in parallel, resumably, with batch sizes adapted to a target batch time.
 *
 * <p>Each batch is one READ COMMITTED transaction whose single statement
 * <ol>
 *   <li>locks the batch's source rows ({@code SELECT … WHERE key > last AND key <= range_end ORDER BY key
 *       LIMIT n FOR NO KEY UPDATE}), so no dual write of those keys can interleave with the copy: a writer
 *       that already holds a row makes the batch wait and the batch then copies the committed newest value;
 *       a writer that comes later waits for the batch, and its sync trigger (fresh snapshot per command)
 *       sees and overwrites or deletes the row the batch committed;</li>
 *   <li>upserts the primary target rows from the locked values ({@code ON CONFLICT … DO UPDATE … WHERE
 *       value IS DISTINCT FROM}: while the source row is locked its value is the truth) and deletes primary
 *       rows whose source value is NULL;</li>
 *   <li>advances its range's row in {@code dualwrite.backfill_range} and the totals in
 *       {@code dualwrite.backfill_checkpoint}: a killed run loses only the batch in flight.</li>
 * </ol>
 * Application writes wait at most for one batch's row locks (a batch is sized to ~{@code targetBatchMillis}).
 * Between batches each worker reads {@code dualwrite.backfill_control} (pause, resume, fixed batch size)
 * and the throttle (replica replay lag, a custom query).
 *
 * <p>The migration must already be in {@code DUAL_WRITE} (or {@code READ_NEW}), and every live driver
 * instance must have acknowledged such a phase ({@link Acknowledgements}). One backfill per migration at
 * a time (a session advisory lock; a second run is refused).
 */
public final class Backfill {

    private static final int MAX_RETRIES = 10;

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
    private final AtomicLong deletedRun = new AtomicLong();
    private final AtomicLong fallbacks = new AtomicLong();
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
        BackfillTables.ensure(c);
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
            if (existing.isPresent() && existing.get().complete()) {
                return new BackfillResult(BackfillResult.Outcome.ALREADY_COMPLETE, 0, 0, 0, 0, existing.get(),
                        seconds(t0));
            }
            List<String> lagging = Acknowledgements.await(c, migration, Set.of(Phase.DUAL_WRITE.name(), Phase.READ_NEW.name()),
                    options.ackTimeout());
            if (!lagging.isEmpty()) {
                throw new RefusedException(lagging.size() + " live application instance(s) do not dual-write " + migration
                        + " yet, so rows they change after a batch copied them would go stale: " + String.join("; ", lagging)
                        + ". Wait until they pick up the phase (drivers poll the control schema every second), restart or stop"
                        + " them, then run the backfill again.");
            }
            total = totalEstimate(spec);
            try (PreparedStatement p = c.prepareStatement("""
                    INSERT INTO dualwrite.backfill_checkpoint (migration, total_rows) VALUES (?, ?)
                    ON CONFLICT (migration) DO UPDATE SET total_rows = EXCLUDED.total_rows""")) {
                p.setString(1, migration);
                p.setLong(2, total);
                p.executeUpdate();
            }
            String keyType = ControlSchema.columnType(c, spec.sourceSchema(), spec.sourceTable(), spec.keyColumn());
            Sql sql = new Sql(spec, keyType);
            int workers = factory == null ? 1 : options.workers();
            List<Range> ranges = loadOrPlanRanges(sql, spec, keyType, workers);
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
                }
            } else {
                runParallel(sql, todo, single);
            }
            syncTotals();
            boolean allDone = allRangesComplete();
            if (allDone) {
                exec(c, "UPDATE dualwrite.backfill_checkpoint SET completed_at = now(), updated_at = now() WHERE migration = ?",
                        migration);
            }
            finalState = allDone ? "COMPLETED" : "STOPPED";
            return new BackfillResult(allDone ? BackfillResult.Outcome.COMPLETED : BackfillResult.Outcome.PAUSED,
                    batchesRun.get(), scannedRun.get(), copiedRun.get(), deletedRun.get(),
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
        wc.setAutoCommit(false);
        wc.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    }

    /** One worker: takes ranges from {@code todo} until none is left, or the run stops. */
    private void work(Connection wc, Sql sql, ConcurrentLinkedQueue<Range> todo, boolean single, int id) throws SQLException {
        Throttle throttle = new Throttle(options);
        int size = options.batchSize();
        Range r;
        while (!stop.get() && (r = todo.poll()) != null) {
            while (!stop.get()) {
                BackfillControl.State ctl = BackfillControl.read(wc, migration);
                wc.commit();
                if (ctl.paused()) {
                    state.put(id, "PAUSED");
                    report(r.last, size);
                    sleep(250);
                    continue;
                }
                if (throttle.throttled(wc)) {
                    state.put(id, "THROTTLED");
                    report(r.last, size);
                    sleep(250);
                    continue;
                }
                state.put(id, "RUNNING");
                if (options.maxBatches() > 0 && batchTickets.incrementAndGet() > options.maxBatches()) {
                    stop.set(true);
                    break;
                }
                int n = ctl.batchSize() != null ? ctl.batchSize() : size;
                long bt = System.nanoTime();
                BatchOutcome b = batchWithRetry(wc, sql, r, n, single);
                long nanos = System.nanoTime() - bt;
                if (b.completed) {
                    r.complete = true;
                    break;
                }
                if (b.rows == 0) {
                    continue;
                }
                r.last = b.maxKey;
                batchesRun.incrementAndGet();
                scannedRun.addAndGet(b.rows);
                copiedRun.addAndGet(b.copied);
                deletedRun.addAndGet(b.deleted);
                lastBatchSize = n;
                if (options.adaptive() && ctl.batchSize() == null) {
                    size = nextSize(size, b.rows, nanos);
                }
                report(r.last, n);
            }
        }
        state.put(id, "DONE");
    }

    /** pt-osc's chunk-time: aim at the target batch time, change at most 2x per batch, within [min, max]. */
    int nextSize(int size, long rows, long nanos) {
        double ms = Math.max(0.05, nanos / 1e6);
        double ideal = rows * options.targetBatchMillis() / ms;
        if (rows < size) {
            ideal = Math.min(ideal, size); // a short batch (range tail) says nothing about a bigger one
        }
        double next = Math.max(size / 2.0, Math.min(size * 2.0, 0.5 * size + 0.5 * ideal));
        return (int) Math.max(options.minBatch(), Math.min(options.maxBatch(), Math.round(next)));
    }

    private synchronized void report(String lastKey, int batchSize) {
        double secs = seconds(t0);
        long done = rowsBefore + scannedRun.get();
        double rate = secs <= 0 ? 0 : scannedRun.get() / secs;
        long tot = Math.max(total, done);
        double eta = rate <= 0 ? -1 : (tot - done) / rate;
        progress.accept(new BackfillProgress(batchesBefore + batchesRun.get(), done, tot, copiedBefore + copiedRun.get(),
                lastKey, rate, batchSize, eta, currentState()));
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

    private record BatchOutcome(long rows, String maxKey, long copied, long deleted, boolean completed) {
    }

    private BatchOutcome batchWithRetry(Connection wc, Sql sql, Range r, int n, boolean single) throws SQLException {
        boolean force = false;
        for (int attempt = 1; ; attempt++) {
            try {
                BatchOutcome b = batch(wc, sql, r, n, single, force);
                wc.commit();
                return b;
            } catch (SQLException e) {
                try {
                    wc.rollback();
                } catch (SQLException ignored) {
                    // the original failure is the one to report
                }
                String st = e.getSQLState();
                if ("23505".equals(st) && !force) {
                    // a dual write committed a target row after the fast path's snapshot: redo with ON CONFLICT
                    force = true;
                    fallbacks.incrementAndGet();
                    continue;
                }
                boolean transientFailure = "40001".equals(st) || "40P01".equals(st) || "55P03".equals(st);
                if (!transientFailure || attempt >= MAX_RETRIES) {
                    throw e;
                }
                sleep(Math.min(1000, 10L << attempt));
            }
        }
    }

    /** One batch, inside the caller's transaction. */
    private BatchOutcome batch(Connection wc, Sql sql, Range r, int n, boolean single, boolean force) throws SQLException {
        try (PreparedStatement p = wc.prepareStatement("SELECT phase FROM dualwrite.migration WHERE name = ?")) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                requireWritesNew(Phase.valueOf(rs.getString(1)));
            }
        }
        long rows, copied, deleted, ranges, totals;
        String maxKey;
        try (PreparedStatement p = wc.prepareStatement(sql.batch(r.last != null, r.hi != null))) {
            int i = 0;
            if (r.last != null) {
                p.setString(++i, r.last);
            }
            if (r.hi != null) {
                p.setString(++i, r.hi);
            }
            p.setInt(++i, n);
            p.setBoolean(++i, force);
            p.setString(++i, migration);
            p.setInt(++i, r.no);
            p.setBoolean(++i, single);
            p.setString(++i, migration);
            p.setBoolean(++i, single);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                maxKey = rs.getString(1);
                rows = rs.getLong(2);
                copied = rs.getLong(3);
                deleted = rs.getLong(4);
                ranges = rs.getLong(5);
                totals = rs.getLong(6);
            }
        }
        if (rows == 0) {
            boolean more = false;
            if (r.last != null || r.hi != null) {
                try (PreparedStatement p = wc.prepareStatement(sql.moreAfter(r.last != null, r.hi != null))) {
                    int i = 0;
                    if (r.last != null) {
                        p.setString(++i, r.last);
                    }
                    if (r.hi != null) {
                        p.setString(++i, r.hi);
                    }
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        more = rs.getBoolean(1);
                    }
                }
            }
            if (!more) {
                exec(wc, "UPDATE dualwrite.backfill_range SET completed_at = now(), updated_at = now()"
                        + " WHERE migration = ? AND range_no = " + r.no, migration);
            }
            return new BatchOutcome(0, null, 0, 0, !more);
        }
        if (ranges != 1 || totals != (single ? 1 : 0)) {
            throw new SQLException("backfill checkpoint of " + migration + " vanished (was it reset by --restart elsewhere?)");
        }
        return new BatchOutcome(rows, maxKey, copied, deleted, false);
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

    /** A key range (lo, hi]: lo = null from the first key, hi = null to the last (open: takes rows inserted meanwhile). */
    static final class Range {
        final int no;
        final String hi;
        volatile String last;
        volatile boolean complete;
        final long scanned;

        Range(int no, String hi, String last, boolean complete, long scanned) {
            this.no = no;
            this.hi = hi;
            this.last = last;
            this.complete = complete;
            this.scanned = scanned;
        }
    }

    private List<Range> loadOrPlanRanges(Sql sql, MigrationSpec spec, String keyType, int workers) throws SQLException {
        List<Range> out = loadRanges();
        if (!out.isEmpty()) {
            return out;
        }
        List<String[]> bounds = new ArrayList<>(); // {lo, hi}
        BackfillCheckpoint cp = BackfillCheckpoint.load(c, migration).orElseThrow();
        if (cp.lastKey() != null) {
            bounds.add(new String[] {cp.lastKey(), null}); // a checkpoint of an earlier single-range version
        } else if (workers > 1 && Set.of("bigint", "integer", "smallint").contains(keyType)) {
            String lo = null, hi = null;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.minMax)) {
                if (rs.next()) {
                    lo = rs.getString(1);
                    hi = rs.getString(2);
                }
            }
            if (lo == null) {
                bounds.add(new String[] {null, null});
            } else {
                BigInteger min = new BigInteger(lo).subtract(BigInteger.ONE);
                BigInteger span = new BigInteger(hi).subtract(min);
                int n = (int) Math.max(1, Math.min(workers, span.longValue()));
                String prev = null;
                for (int i = 1; i <= n; i++) {
                    String b = i == n ? null : min.add(span.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(n))).toString();
                    bounds.add(new String[] {prev, b});
                    prev = b;
                }
            }
        } else {
            bounds.add(new String[] {null, null});
        }
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO dualwrite.backfill_range (migration, range_no, lo_key, hi_key, last_key) VALUES (?, ?, ?, ?, ?)")) {
            for (int i = 0; i < bounds.size(); i++) {
                p.setString(1, migration);
                p.setInt(2, i);
                p.setString(3, bounds.get(i)[0]);
                p.setString(4, bounds.get(i)[1]);
                p.setString(5, bounds.get(i)[0]);
                p.addBatch();
            }
            p.executeBatch();
        }
        return loadRanges();
    }

    private List<Range> loadRanges() throws SQLException {
        List<Range> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("""
                SELECT range_no, hi_key, last_key, completed_at IS NOT NULL, rows_scanned
                FROM dualwrite.backfill_range WHERE migration = ? ORDER BY range_no""")) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new Range(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getLong(5)));
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
        exec(c, "UPDATE dualwrite.backfill_checkpoint cp SET rows_copied = r.copied, batches = r.batches, last_key = NULL,"
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

    /** The statements of one migration, built once. */
    static final class Sql {
        private final String src, k, v, keyType, tail;
        final String minMax;

        Sql(MigrationSpec s, String keyType) {
            this.src = s.qualifiedSource();
            String tgt = s.qualifiedTarget();
            this.k = Identifiers.quote(s.keyColumn());
            this.v = Identifiers.quote(s.sourceColumn());
            this.keyType = keyType;
            String tk = Identifiers.quote(s.targetKeyColumn());
            String tv = Identifiers.quote(s.targetValueColumn());
            String flag = Identifiers.quote(s.primaryFlagColumn());
            boolean integral = Set.of("bigint", "integer", "smallint").contains(keyType);
            String maxK = integral ? "(SELECT max(b.k) FROM b)" : "(SELECT b.k FROM b ORDER BY b.k DESC LIMIT 1)";
            String minK = integral ? "(SELECT min(b.k) FROM b)" : "(SELECT b.k FROM b ORDER BY b.k LIMIT 1)";
            // Fast path: when no primary target row exists in the batch's key span (one probe of the partial unique
            // index), a plain INSERT (no speculative insertion: measured 1.6x faster than ON CONFLICT DO UPDATE).
            // A target row committed by a dual write after this statement's snapshot makes the plain INSERT fail with
            // 23505 instead of being missed; the batch is then redone with the ON CONFLICT form (force = true).
            this.tail = " ORDER BY " + k + " LIMIT ? FOR NO KEY UPDATE),\n"
                    + (integral ? " s AS (SELECT max(k) AS mk, min(k) AS lk, count(*) AS n FROM b),\n" // one pass over b
                    : " s AS (SELECT " + maxK + " AS mk, " + minK + " AS lk, (SELECT count(*) FROM b) AS n),\n")
                    + " hit AS (SELECT ?::boolean OR EXISTS (SELECT 1 FROM " + tgt + " e WHERE e." + tk + " >= (SELECT lk FROM s)"
                    + " AND e." + tk + " <= (SELECT mk FROM s) AND e." + flag + ") AS x),\n"
                    + " fast AS (INSERT INTO " + tgt + " (" + tk + ", " + tv + ", " + flag + ")"
                    + " SELECT k, v, true FROM b WHERE v IS NOT NULL AND NOT (SELECT x FROM hit) RETURNING 1),\n"
                    + " ins AS (INSERT INTO " + tgt + " AS t (" + tk + ", " + tv + ", " + flag + ")"
                    + " SELECT k, v, true FROM b WHERE v IS NOT NULL AND (SELECT x FROM hit)"
                    + " ON CONFLICT (" + tk + ") WHERE " + flag + " DO UPDATE SET " + tv + " = EXCLUDED." + tv
                    + " WHERE t." + tv + " IS DISTINCT FROM EXCLUDED." + tv + " RETURNING 1),\n"
                    + " del AS (DELETE FROM " + tgt + " t USING b WHERE t." + tk + " = b.k AND t." + flag
                    + " AND b.v IS NULL AND (SELECT x FROM hit) RETURNING 1),\n"
                    + " cnt AS (SELECT (SELECT count(*) FROM fast) + (SELECT count(*) FROM ins) AS copied,"
                    + " (SELECT count(*) FROM del) AS deleted),\n"
                    + " r AS (UPDATE dualwrite.backfill_range SET last_key = s.mk::text, rows_scanned = rows_scanned + s.n,"
                    + " rows_copied = rows_copied + cnt.copied, batches = batches + 1, updated_at = now() FROM s, cnt"
                    + " WHERE migration = ? AND range_no = ? AND s.n > 0 RETURNING 1),\n"
                    + " a AS (UPDATE dualwrite.backfill_checkpoint SET last_key = CASE WHEN ? THEN s.mk::text END,"
                    + " rows_copied = rows_copied + cnt.copied, batches = batches + 1, updated_at = now() FROM s, cnt"
                    + " WHERE migration = ? AND s.n > 0 AND ? RETURNING 1)\n"
                    + "SELECT s.mk::text, s.n, cnt.copied, cnt.deleted, (SELECT count(*) FROM r), (SELECT count(*) FROM a),"
                    + " (SELECT x FROM hit) FROM s, cnt";
            this.minMax = "SELECT min(" + k + ")::text, max(" + k + ")::text FROM " + src;
        }

        private String where(boolean lo, boolean hi) {
            if (!lo && !hi) {
                return "";
            }
            return " WHERE " + (lo ? k + " > ?::" + keyType : "") + (lo && hi ? " AND " : "") + (hi ? k + " <= ?::" + keyType : "");
        }

        String batch(boolean lo, boolean hi) {
            return "WITH b AS (SELECT " + k + " AS k, " + v + " AS v FROM " + src + where(lo, hi) + tail;
        }

        String moreAfter(boolean lo, boolean hi) {
            return "SELECT EXISTS (SELECT 1 FROM " + src + where(lo, hi) + ")";
        }
    }
}
