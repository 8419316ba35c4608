package io.dualwrite.migrator.backfill;

import java.time.Duration;

/**
 * @param batchSize  source rows per batch (one transaction each)
 * @param maxBatches stop after this many batches in this run (0 = no limit); the checkpoint lets a later run resume
 * @param restart    forget the checkpoint and start from the first key
 * @param ackTimeout how long to wait, before the first batch, for every live application instance to
 *                   acknowledge a phase that writes the target table (then refuse)
 */
public record BackfillOptions(int batchSize, long maxBatches, boolean restart, Duration ackTimeout) {

    public static final int DEFAULT_BATCH_SIZE = 5000;
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(30);

    public BackfillOptions(int batchSize, long maxBatches, boolean restart) {
        this(batchSize, maxBatches, restart, DEFAULT_ACK_TIMEOUT);
    }

    public BackfillOptions {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (maxBatches < 0) {
            throw new IllegalArgumentException("max batches must be 0 (no limit) or more, got " + maxBatches);
        }
        if (ackTimeout == null || ackTimeout.isNegative()) {
            throw new IllegalArgumentException("the acknowledgement timeout must be 0 or more");
        }
    }

    public static BackfillOptions defaults() {
        return new BackfillOptions(DEFAULT_BATCH_SIZE, 0, false);
    }
}
