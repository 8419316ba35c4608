package io.dualwrite.migrator.backfill;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** What one run has done so far, shared by its workers, the monitor and the result. */
final class RunCounters {
    /** Batches started, over all workers: what --max-batches counts. */
    final AtomicLong batchTickets = new AtomicLong();
    final AtomicLong batches = new AtomicLong();
    final AtomicLong scanned = new AtomicLong();
    final AtomicLong copied = new AtomicLong();
    final AtomicLong corrected = new AtomicLong();
    final AtomicLong caughtUp = new AtomicLong();
    final AtomicLong redone = new AtomicLong();
    final AtomicLong rechecked = new AtomicLong();
    /** Set by --max-batches or a failed worker: the other workers end after their current batch. */
    final AtomicBoolean stop = new AtomicBoolean();
    volatile int lastBatchSize;

    RunCounters(int batchSize) {
        this.lastBatchSize = batchSize;
    }
}
