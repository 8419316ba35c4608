package io.dualwrite.migrator.backfill;

/**
 * One progress report, after a committed batch.
 *
 * @param rowsDone      source rows up to the checkpoint (estimate when resumed: counted once at start)
 * @param totalEstimate rows in the source table (pg_class.reltuples, or count(*) when never analysed)
 * @param rowsCopied    target rows written (inserted or corrected) by all runs so far
 * @param rowsPerSecond source rows per second in this run
 */
public record BackfillProgress(long batches, long rowsDone, long totalEstimate, long rowsCopied, String lastKey,
                               double rowsPerSecond) {
}
