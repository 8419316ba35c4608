package io.dualwrite.migrator.backfill;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.ControlTables;
import io.dualwrite.control.MigrationState;
import io.dualwrite.control.SyncTrigger;
import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.db.ConnectionFactory;
import io.dualwrite.migrator.db.MigrationNames;
import io.dualwrite.migrator.db.ParallelWorkers;
import io.dualwrite.migrator.db.Retry;
import io.dualwrite.migrator.db.TransientFaults;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Copies the source column into the target table's primary rows: batches of heap pages ({@code ctid} ranges,
 * a TID Range Scan: no index, no sort) over one page range per worker, in parallel, resumably, with batch sizes
 * adapted to a target batch time. A partitioned source is copied leaf partition by leaf partition (ranges planned
 * per leaf, workers in parallel across them); everything keyed (recheck, catch-up pass) reads the parent. This class runs it; the parts are
 * {@link Preflight} (the checks before the first batch), {@link RangePlanner} (the page ranges and their
 * checkpoints), {@link Worker} (one worker's loop: control, {@link Throttle}, batch size), {@link BatchCopy} (one
 * batch), {@link BackfillSql} (its statements) and {@link Monitor} (progress, ETA, JMX).
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
 * ({@link BatchCopy#catchUp}).
 *
 * <p>Between batches each worker reads {@code dualwrite.backfill_control} (pause, resume, fixed batch size)
 * and the throttle (replica replay lag, a custom query). A table rewrite (VACUUM FULL, CLUSTER) during the
 * backfill moves rows to other pages: the batch notices the new file node and the run refuses to go on.
 *
 * <p>The migration must already be in {@code DUAL_WRITE} (or {@code READ_NEW}), and every live driver
 * instance must have acknowledged such a phase ({@link Fleet}). One backfill per migration at
 * a time (a session advisory lock; a second run is refused).
 */
public final class Backfill {

    /** The coordinating connection of the current attempt. */
    private Connection c;
    private final ConnectionFactory factory;
    private final String migration;
    private final BackfillOptions options;
    private final Consumer<BackfillProgress> progress;
    private final RunCounters counters;
    /** Set by the first attempt: when the run started, and what earlier runs had done. */
    private long t0;
    private Monitor.Baseline baseline;

    private Backfill(Connection c, ConnectionFactory factory, String migration, BackfillOptions options,
                     Consumer<BackfillProgress> progress) {
        this.c = c;
        this.factory = factory;
        this.migration = migration;
        this.options = options;
        this.progress = progress == null ? p -> { } : progress;
        this.counters = new RunCounters(options.batchSize());
    }

    /** Runs the backfill on {@code c} (a plain PgJDBC connection, not the dualwrite driver), one worker. */
    public static BackfillResult run(Connection c, String migration, BackfillOptions options,
                                     Consumer<BackfillProgress> progress) throws SQLException {
        return new Backfill(c, null, migration, options, progress).run();
    }

    /**
     * Runs the backfill with {@code options.workers()} workers, each on a connection from {@code factory}.
     *
     * @param c the coordinating connection (advisory lock, setup, catch-up pass); also the only worker's connection
     *          when {@code factory} is null or one worker is left
     */
    public static BackfillResult run(Connection c, ConnectionFactory factory, String migration, BackfillOptions options,
                                     Consumer<BackfillProgress> progress) throws SQLException {
        return new Backfill(c, factory, migration, options, progress).run();
    }

    /**
     * Runs the backfill with {@code options.workers()} workers, each on a connection of its own, riding out transient
     * faults: after one, the run reconnects (coordinating connection and workers) and resumes from its page
     * checkpoints; the batches in flight are lost and redone, nothing else. The result counts every attempt.
     */
    public static BackfillResult run(ConnectionFactory factory, String migration, BackfillOptions options,
                                     Consumer<BackfillProgress> progress, Retry retry) throws SQLException {
        Backfill b = new Backfill(null, factory, migration, options, progress);
        return retry.run(factory, b::resumePoint, (c, retried) -> {
            b.c = c;
            return b.run(retried);
        });
    }

    /** Where a retry resumes, for the progress line. */
    private String resumePoint(Connection c) throws SQLException {
        return BackfillCheckpoint.load(c, migration).map(cp -> String.format(Locale.ROOT,
                "from the page checkpoints (%,d of %,d pages done, %,d rows scanned)", cp.pagesDone(), cp.pagesTotal(),
                cp.rowsScanned())).orElse("from the first page");
    }

    private BackfillResult run() throws SQLException {
        return run(false);
    }

    /** @param retried after a fault: the checkpoints are this run's own, so --restart must not forget them again */
    private BackfillResult run(boolean retried) throws SQLException {
        if (t0 == 0) {
            t0 = System.nanoTime();
        }
        counters.stop.set(false); // a failed worker of the last attempt stopped the others
        boolean autoCommit = c.getAutoCommit();
        int isolation = c.getTransactionIsolation();
        if (!autoCommit) {
            c.commit();
            c.setAutoCommit(true);
        }
        MigrationState ms = ControlSchema.require(c, migration);
        Preflight.requireWritesNew(migration, ms.phase());
        MigrationSpec spec = ms.spec();
        MigrationNames names = MigrationNames.of(spec);
        ControlTables.install(c);
        if (!Preflight.tryLock(c, migration)) {
            if (retried) {
                throw new TransientFaults.StillHeld("the advisory lock of " + migration + " is still held, most likely by the"
                        + " session of the interrupted attempt, which the server has not yet found gone");
            }
            throw new RefusedException("another backfill of " + migration + " is running (it holds the advisory lock);"
                    + " wait for it to finish, or stop it — its checkpoint lets this one resume later");
        }
        Monitor monitor = null;
        RangePlanner planner = null;
        try {
            if (options.restart() && !retried) {
                Jdbc.exec(c, "DELETE FROM dualwrite.backfill_range WHERE migration = ?", migration);
                Jdbc.exec(c, "DELETE FROM dualwrite.backfill_checkpoint WHERE migration = ?", migration);
            }
            Optional<BackfillCheckpoint> existing = BackfillCheckpoint.load(c, migration);
            if (existing.isPresent()) {
                Preflight.refuseIfExpandedSince(c, migration, existing.get());
            }
            if (existing.isPresent() && existing.get().complete()) {
                if (retried) {
                    // the fault came after the last attempt committed its completion
                    return result(BackfillResult.Outcome.COMPLETED, existing.get());
                }
                return new BackfillResult(BackfillResult.Outcome.ALREADY_COMPLETE, 0, 0, 0, 0, 0, 0, 0, existing.get(),
                        Monitor.seconds(t0));
            }
            Preflight.awaitAcknowledgements(c, migration, options.ackTimeout());
            Preflight.awaitOlderStatements(c, spec, options.ackTimeout());
            long total = totalEstimate(names);
            Jdbc.exec(c, """
                    INSERT INTO dualwrite.backfill_checkpoint (migration, total_rows) VALUES (?, ?)
                    ON CONFLICT (migration) DO UPDATE SET total_rows = EXCLUDED.total_rows""", migration, total);
            SourceTable table = SourceTable.inspect(c, spec, names);
            planner = new RangePlanner(c, migration, table);
            List<PageRange> ranges = planner.loadOrPlan(factory == null ? 1 : options.workers());
            planner.writeTotals();
            BackfillCheckpoint cp = BackfillCheckpoint.load(c, migration).orElseThrow();
            long scannedBefore = 0;
            Queue<PageRange> todo = new ConcurrentLinkedQueue<>();
            for (PageRange r : ranges) {
                scannedBefore += r.scannedBefore;
                if (!r.complete) {
                    todo.add(r);
                }
            }
            int workers = Math.max(1, Math.min(factory == null ? 1 : options.workers(), todo.size()));
            if (baseline == null) {
                // what earlier runs did; a retry's counters continue from this run's first attempt
                baseline = new Monitor.Baseline(scannedBefore, cp.rowsCopied(), cp.batches(), total);
            }
            monitor = new Monitor(migration, counters, progress, t0, baseline, workers);
            monitor.register();
            BatchCopy copy = new BatchCopy(migration, new BackfillSql(names, table), table, counters, planner.startXmin());
            work(copy, monitor, table, todo, ranges.size() == 1, workers);
            planner.writeTotals();
            boolean allDone = planner.allComplete();
            if (allDone && !table.sameLeaves(c)) {
                throw new RefusedException("partitions of " + table.name() + " were attached or detached while the backfill"
                        + " ran, so its page ranges no longer cover the table's rows. Run the backfill again: it plans the"
                        + " current partitions anew (copies are idempotent); after a detach, run parity --repair too (the"
                        + " detached rows left their target rows behind).");
            }
            if (allDone) {
                catchUp(copy, planner);
                Jdbc.exec(c, "UPDATE dualwrite.backfill_checkpoint SET completed_at = now(), updated_at = now()"
                        + " WHERE migration = ?", migration);
            }
            monitor.finish(allDone ? "COMPLETED" : "STOPPED");
            return result(allDone ? BackfillResult.Outcome.COMPLETED : BackfillResult.Outcome.PAUSED,
                    BackfillCheckpoint.load(c, migration).orElseThrow());
        } catch (SQLException | RuntimeException e) {
            if (monitor != null) {
                monitor.finish("FAILED");
            }
            throw e;
        } finally {
            if (monitor != null) {
                monitor.unregister();
            }
            restore(planner, autoCommit, isolation);
        }
    }

    private BackfillResult result(BackfillResult.Outcome outcome, BackfillCheckpoint cp) {
        return new BackfillResult(outcome, counters.batches.get(), counters.scanned.get(), counters.copied.get(),
                counters.caughtUp.get(), counters.corrected.get(), counters.redone.get(), counters.rechecked.get(), cp,
                Monitor.seconds(t0));
    }

    /** The workers over {@code todo}: on {@code c} when there is one, else each on a connection of its own. */
    private void work(BatchCopy copy, Monitor monitor, SourceTable table, Queue<PageRange> todo, boolean single,
                      int workers) throws SQLException {
        if (workers == 1) {
            BatchCopy.startSession(c);
            try {
                new Worker(0, migration, options, copy, counters, monitor, table.rowsPerPage()).run(c, todo, single);
            } finally {
                BatchCopy.endSession(c);
            }
            return;
        }
        ParallelWorkers.run("dualwrite-backfill-" + migration, workers, id -> {
            try (Connection wc = factory.open()) {
                BatchCopy.startSession(wc);
                new Worker(id, migration, options, copy, counters, monitor, table.rowsPerPage()).run(wc, todo, single);
            }
        }, () -> counters.stop.set(true));
    }

    /** The catch-up pass ({@link BatchCopy#catchUp}), its rows counted in the first range and the totals. */
    private void catchUp(BatchCopy copy, RangePlanner planner) throws SQLException {
        BatchCopy.startSession(c);
        try {
            BatchCopy.Outcome b = copy.catchUp(c);
            counters.caughtUp.addAndGet(b.copied());
            counters.copied.addAndGet(b.copied());
            counters.corrected.addAndGet(b.corrected());
        } finally {
            BatchCopy.endSession(c);
        }
        long caughtUp = counters.caughtUp.get();
        if (caughtUp > 0) {
            // counted in the first range, so the totals (the ranges' sums with several) include them
            Jdbc.exec(c, "UPDATE dualwrite.backfill_range SET rows_copied = rows_copied + ?, updated_at = now()"
                    + " WHERE migration = ? AND range_no = 0", caughtUp, migration);
            if (planner.several()) {
                planner.writeTotals();
            } else {
                Jdbc.exec(c, "UPDATE dualwrite.backfill_checkpoint SET rows_copied = rows_copied + ?, updated_at = now()"
                        + " WHERE migration = ?", caughtUp, migration);
            }
        }
    }

    /** Leaves {@code c} as the caller gave it, the advisory lock released and the totals written. */
    private void restore(RangePlanner planner, boolean autoCommit, int isolation) {
        try {
            if (planner != null && !c.isClosed() && c.getAutoCommit()) {
                planner.writeTotals(); // after a failed worker: the totals of what the ranges committed
            }
        } catch (SQLException ignored) {
            // best effort: the next run writes them too
        }
        try {
            if (!c.isClosed()) {
                if (!c.getAutoCommit()) {
                    c.rollback();
                    c.setAutoCommit(true);
                }
                Preflight.unlock(c, migration);
                c.setTransactionIsolation(isolation);
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException ignored) {
            // the connection is gone (e.g. terminated): the server released the lock with the session
        }
    }

    /**
     * Rows in the source table: pg_class.reltuples (of every leaf partition of a partitioned one), or count(*) when
     * it was never analysed.
     */
    private long totalEstimate(MigrationNames names) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT sum(l.tuples)::bigint FROM (" + SourceTable.LEAVES
                + ") l(name, kind, node, tuples, pages)")) {
            p.setString(1, names.source());
            p.setString(2, names.source());
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next() && rs.getLong(1) > 0) {
                    return rs.getLong(1);
                }
            }
        }
        try (PreparedStatement p = c.prepareStatement("SELECT count(*) FROM " + names.source());
             ResultSet rs = p.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
