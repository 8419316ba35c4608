package io.dualwrite.driver.runtime;

import io.dualwrite.control.phase.PhaseTransitions;
import io.dualwrite.rewriter.Phase;

import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Watches the failure rate of rewritten statements over a window and, while reads come from the
 * new table, sends them back to the old column for the whole fleet when it exceeds the threshold (DESIGN: automatic
 * rollback on an error-rate spike). Settings (system properties):
 * <ul>
 *   <li>{@code dualwrite.errorRate.threshold}: failure share that triggers, default 0.01 (1 %);</li>
 *   <li>{@code dualwrite.errorRate.windowSeconds}: window length, default 10;</li>
 *   <li>{@code dualwrite.errorRate.minStatements}: fewer executions than this in a window never trigger, default 100.</li>
 * </ul>
 * Only failures the rewrite caused are counted ({@link RewriteFailures}): the ones the application
 * would get from its own statement too (its NOWAIT, its triggers, its constraints) say nothing
 * about the rewrite.
 */
public final class ErrorRateWatch {

    static final double THRESHOLD = Double.parseDouble(System.getProperty("dualwrite.errorRate.threshold", "0.01"));
    static final long WINDOW_NANOS = Long.getLong("dualwrite.errorRate.windowSeconds", 10) * 1_000_000_000L;
    static final long MIN_STATEMENTS = Long.getLong("dualwrite.errorRate.minStatements", 100);

    private static final System.Logger LOG = System.getLogger("io.dualwrite.driver");

    private final AtomicLong windowStart = new AtomicLong(System.nanoTime());
    private final LongAdder executed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicBoolean rollingBack = new AtomicBoolean();

    /** Counts one execution of a rewritten statement (the hot path: two adds and a clock read). */
    void executed() {
        roll(System.nanoTime());
        executed.increment();
    }

    /** Counts a failure; returns true when it pushes the window over the threshold. */
    boolean failed() {
        failed.increment();
        long n = executed.sum();
        return n >= MIN_STATEMENTS && failed.sum() > THRESHOLD * n;
    }

    private void roll(long now) {
        long start = windowStart.get();
        if (now - start > WINDOW_NANOS && windowStart.compareAndSet(start, now)) {
            executed.reset();
            failed.reset();
        }
    }

    /** Reads back to the old column for the fleet, once, off the application's thread. */
    void rollBackReads(DatabaseRuntime database, MigrationRuntime migration) {
        Phase back = PhaseTransitions.readRollbackOf(migration.phase());
        if (back == null || !rollingBack.compareAndSet(false, true)) {
            return;
        }
        String reason = String.format("automatic rollback: %d of %d rewritten statements failed within %d s (threshold %.2f %%)",
                failed.sum(), executed.sum(), WINDOW_NANOS / 1_000_000_000L, THRESHOLD * 100);
        CompletableFuture.runAsync(() -> {
            try {
                PhaseChanges.rollBackReads(database, migration.spec().name(), "auto-rollback@" + PhaseChanges.instanceId(),
                        reason);
                LOG.log(System.Logger.Level.WARNING, "dualwrite: " + migration.spec().name() + " reads rolled back to the old column: " + reason);
            } catch (SQLException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "dualwrite: could not roll back the reads of " + migration.spec().name()
                        + " (" + reason + "): " + e + "; roll back by hand: dualwrite phase ... " + back);
            } finally {
                executed.reset();
                failed.reset();
                rollingBack.set(false);
            }
        });
    }
}
