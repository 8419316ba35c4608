package io.dualwrite.migrator.backfill;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Queue;

/**
 * One worker of a run, on its own connection: takes page ranges from the shared queue until none is left or the run
 * stops, and copies each in batches. Between batches it reads the live control row (pause, fixed batch size) and
 * the throttle, and sizes the next batch.
 */
final class Worker {

    /**
     * Under live writes most batches hold a key a dual write has written, and a COPY that meets one is wasted: after
     * such a batch this many batches take {@code INSERT … ON CONFLICT DO NOTHING} directly, then COPY is tried again.
     */
    private static final int INSERT_BATCHES_AFTER_REDO = 8;
    private static final long IDLE_MILLIS = 250;

    private final int id;
    private final String migration;
    private final BackfillOptions options;
    private final BatchCopy copy;
    private final RunCounters counters;
    private final Monitor monitor;
    private final double rowsPerPage;

    Worker(int id, String migration, BackfillOptions options, BatchCopy copy, RunCounters counters, Monitor monitor,
           double rowsPerPage) {
        this.id = id;
        this.migration = migration;
        this.options = options;
        this.copy = copy;
        this.counters = counters;
        this.monitor = monitor;
        this.rowsPerPage = rowsPerPage;
    }

    /** @param single the run has one range (its batches advance the totals too) */
    void run(Connection wc, Queue<PageRange> todo, boolean single) throws SQLException {
        Throttle throttle = new Throttle(options);
        int size = options.batchSize();
        int insertBatches = 0; // after a COPY met a dual write, the next batches start with the INSERT form
        PageRange r;
        while (!counters.stop.get() && (r = todo.poll()) != null) {
            while (!counters.stop.get() && !r.complete) {
                BackfillControl.State ctl = BackfillControl.read(wc, migration);
                wc.commit();
                if (ctl.paused()) {
                    idle("PAUSED", r, size);
                    continue;
                }
                if (throttle.throttled(wc)) {
                    idle("THROTTLED", r, size);
                    continue;
                }
                monitor.workerState(id, "RUNNING");
                if (options.maxBatches() > 0 && counters.batchTickets.incrementAndGet() > options.maxBatches()) {
                    counters.stop.set(true);
                    break;
                }
                int n = ctl.batchSize() != null ? ctl.batchSize() : size;
                long pages = Math.max(1, Math.min(r.hi - r.next, (long) Math.ceil(n / rowsPerPage)));
                long bt = System.nanoTime();
                BatchCopy.Outcome b = copy.pages(wc, r, pages, single, insertBatches == 0);
                insertBatches = b.redone() ? INSERT_BATCHES_AFTER_REDO : Math.max(0, insertBatches - 1);
                long nanos = System.nanoTime() - bt;
                r.advance(pages);
                counters.batches.incrementAndGet();
                counters.scanned.addAndGet(b.rows());
                counters.copied.addAndGet(b.copied());
                counters.corrected.addAndGet(b.corrected());
                counters.lastBatchSize = n;
                if (b.rows() > 0 && options.adaptive() && ctl.batchSize() == null) {
                    size = nextSize(options, size, b.rows(), nanos);
                }
                monitor.report(r, n);
            }
        }
        monitor.workerState(id, "DONE");
    }

    private void idle(String state, PageRange r, int size) {
        monitor.workerState(id, state);
        monitor.report(r, size);
        Jdbc.sleep(IDLE_MILLIS);
    }

    /** pt-osc's chunk-time: aim at the target batch time, grow at most 4x, shrink at most 2x per batch, within [min, max]. */
    static int nextSize(BackfillOptions o, int size, long rows, long nanos) {
        double ms = Math.max(0.05, nanos / 1e6);
        double ideal = rows * o.targetBatchMillis() / ms;
        if (rows < size) {
            ideal = Math.min(ideal, size); // a short batch (range tail) says nothing about a bigger one
        }
        double next = Math.max(size / 2.0, Math.min(size * 4.0, 0.5 * size + 0.5 * ideal));
        return (int) Math.max(o.minBatch(), Math.min(o.maxBatch(), Math.round(next)));
    }
}
