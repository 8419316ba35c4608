package io.dualwrite.migrator.db;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** Runs the same work on N daemon threads (backfill ranges, parity chunks) and reports the first failure. */
public final class ParallelWorkers {

    /** One worker's share; {@code worker} is 0 … n-1. */
    @FunctionalInterface
    public interface Work {
        void run(int worker) throws Exception;
    }

    private ParallelWorkers() {
    }

    /**
     * Runs {@code work} on {@code n} threads named {@code name-<i>} and waits for all of them.
     * The first failure (or an interrupt of the caller) calls {@code stopOthers} so the other
     * workers can finish early, and is rethrown once all have ended.
     */
    public static void run(String name, int n, Work work, Runnable stopOthers) throws SQLException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>(n);
        for (int w = 0; w < n; w++) {
            int id = w;
            Thread t = new Thread(() -> {
                try {
                    work.run(id);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    stopOthers.run();
                }
            }, name + "-" + w);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                stopOthers.run();
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for the " + name + " workers", "57014", e);
            }
        }
        Throwable f = failure.get();
        if (f instanceof SQLException s) {
            throw s;
        }
        if (f instanceof RuntimeException r) {
            throw r;
        }
        if (f instanceof Error e) {
            throw e;
        }
        if (f != null) {
            throw new SQLException(name + " worker failed: " + f, f);
        }
    }
}
