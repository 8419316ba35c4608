package io.dualwrite.migrator.backfill;

import java.time.Duration;

/**
 * @param batchSize       source rows per batch (one transaction each; turned into pages by the table's rows per
 *                        page); the starting size when {@code adaptive}
 * @param maxBatches      stop after this many batches in this run, over all workers (0 = no limit); the
 *                        checkpoint lets a later run resume
 * @param restart         forget the checkpoints and start from the first page
 * @param ackTimeout      how long to wait, before the first batch, for every live application instance to
 *                        acknowledge a phase that writes the target table (then refuse)
 * @param workers         parallel workers, each over its own page range with its own connection and checkpoint
 *                        row (only with a connection factory; a single connection means one worker)
 * @param adaptive        size batches to {@code targetBatchMillis} (pt-osc's chunk-time), within [minBatch, maxBatch]
 * @param targetBatchMillis the batch time the adaptive sizing aims at
 * @param minBatch        lower bound of the adaptive batch size
 * @param maxBatch        upper bound of the adaptive batch size
 * @param maxReplicaLag   pause between batches while a replica's {@code pg_stat_replication.replay_lag} exceeds
 *                        this (null = do not check)
 * @param throttleQuery   pause between batches while this query returns true (null = none)
 */
public record BackfillOptions(int batchSize, long maxBatches, boolean restart, Duration ackTimeout, int workers,
                              boolean adaptive, long targetBatchMillis, int minBatch, int maxBatch,
                              Duration maxReplicaLag, String throttleQuery) {

    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(30);
    public static final long DEFAULT_TARGET_BATCH_MILLIS = 200;
    public static final int DEFAULT_MIN_BATCH = 100;
    public static final int DEFAULT_MAX_BATCH = 200_000;

    /** A fixed batch size, one worker, the default acknowledgement timeout. */
    public BackfillOptions(int batchSize, long maxBatches, boolean restart) {
        this(batchSize, maxBatches, restart, DEFAULT_ACK_TIMEOUT);
    }

    /** A fixed batch size, one worker. */
    public BackfillOptions(int batchSize, long maxBatches, boolean restart, Duration ackTimeout) {
        this(batchSize, maxBatches, restart, ackTimeout, 1, false, DEFAULT_TARGET_BATCH_MILLIS, DEFAULT_MIN_BATCH,
                DEFAULT_MAX_BATCH, null, null);
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
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("workers must be between 1 and 64, got " + workers);
        }
        if (targetBatchMillis < 1) {
            throw new IllegalArgumentException("the target batch time must be at least 1 ms, got " + targetBatchMillis);
        }
        if (minBatch < 1 || maxBatch < minBatch) {
            throw new IllegalArgumentException("need 1 <= min batch <= max batch, got " + minBatch + " and " + maxBatch);
        }
    }
}
