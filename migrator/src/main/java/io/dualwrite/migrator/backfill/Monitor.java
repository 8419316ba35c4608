package io.dualwrite.migrator.backfill;

import io.dualwrite.migrator.JmxView;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * How far a run is: the progress reports handed to the caller after every batch (rows, rate, ETA, state) and the
 * same figures as the MXBean {@code io.dualwrite:type=Backfill,name=<migration>} while the run lasts.
 */
final class Monitor implements BackfillMXBean {

    /**
     * What earlier runs did, read from the checkpoint when this run starts.
     *
     * @param total rows in the source table (estimate)
     */
    record Baseline(long rowsScanned, long rowsCopied, long batches, long total) {
    }

    private final String migration;
    private final RunCounters counters;
    private final Consumer<BackfillProgress> progress;
    private final long t0;
    private final Baseline before;
    private final int workers;
    private final Map<Integer, String> workerStates = new ConcurrentHashMap<>();
    private volatile String finalState;
    private final JmxView jmx = new JmxView(this);
    private CompletableFuture<Void> registration;

    /** @param t0 when the run started ({@link System#nanoTime()}): the rate counts from then */
    Monitor(String migration, RunCounters counters, Consumer<BackfillProgress> progress, long t0, Baseline before,
            int workers) {
        this.migration = migration;
        this.counters = counters;
        this.progress = progress;
        this.t0 = t0;
        this.before = before;
        this.workers = workers;
    }

    /**
     * Shows the run in JMX; never a reason to fail a backfill. In the background: the platform MBean server's first
     * use loads some 370 classes (~0.1 s in a fresh JVM, measured in the CLI), which the first batches need not wait for.
     */
    void register() {
        registration = CompletableFuture.runAsync(() -> jmx.register("Backfill", migration));
    }

    void unregister() {
        if (registration != null) {
            registration.join();
            jmx.unregister();
        }
    }

    /** RUNNING, PAUSED or THROTTLED, as worker {@code id} last said. */
    void workerState(int id, String state) {
        workerStates.put(id, state);
    }

    /** COMPLETED, STOPPED or FAILED: the run has ended. */
    void finish(String state) {
        finalState = state;
    }

    /** One progress report, from the worker that owns {@code r}. */
    synchronized void report(PageRange r, int batchSize) {
        long scanned = counters.scanned.get();
        double secs = seconds(t0);
        long done = before.rowsScanned() + scanned;
        long total = Math.max(before.total(), done);
        double rate = secs <= 0 ? 0 : scanned / secs;
        double eta = rate <= 0 ? -1 : (total - done) / rate;
        progress.accept(new BackfillProgress(before.batches() + counters.batches.get(), done, total,
                getRowsCopied(), r.position(), rate, batchSize, eta, getState()));
    }

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    @Override
    public String getMigration() {
        return migration;
    }

    @Override
    public String getState() {
        if (finalState != null) {
            return finalState;
        }
        if (workerStates.containsValue("RUNNING")) {
            return "RUNNING";
        }
        if (workerStates.containsValue("THROTTLED")) {
            return "THROTTLED";
        }
        if (workerStates.containsValue("PAUSED")) {
            return "PAUSED";
        }
        return "RUNNING";
    }

    @Override
    public long getRowsDone() {
        return before.rowsScanned() + counters.scanned.get();
    }

    @Override
    public long getTotalRows() {
        return Math.max(before.total(), getRowsDone());
    }

    @Override
    public long getRowsCopied() {
        return before.rowsCopied() + counters.copied.get();
    }

    @Override
    public double getRowsPerSecond() {
        double s = seconds(t0);
        return s <= 0 ? 0 : counters.scanned.get() / s;
    }

    @Override
    public double getEtaSeconds() {
        double r = getRowsPerSecond();
        return r <= 0 ? -1 : (getTotalRows() - getRowsDone()) / r;
    }

    @Override
    public int getBatchSize() {
        return counters.lastBatchSize;
    }

    @Override
    public int getWorkers() {
        return workers;
    }
}
