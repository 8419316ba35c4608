package io.dualwrite.migrator.backfill;

/**
 * @param batchSize  source rows per batch (one transaction each)
 * @param maxBatches stop after this many batches in this run (0 = no limit); the checkpoint lets a later run resume
 * @param restart    forget the checkpoint and start from the first key
 */
public record BackfillOptions(int batchSize, long maxBatches, boolean restart) {

    public static final int DEFAULT_BATCH_SIZE = 5000;

    public BackfillOptions {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (maxBatches < 0) {
            throw new IllegalArgumentException("max batches must be 0 (no limit) or more, got " + maxBatches);
        }
    }

    public static BackfillOptions defaults() {
        return new BackfillOptions(DEFAULT_BATCH_SIZE, 0, false);
    }
}
