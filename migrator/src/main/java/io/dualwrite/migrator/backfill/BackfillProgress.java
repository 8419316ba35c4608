package io.dualwrite.migrator.backfill;

/**
 * One progress report, after a committed batch.
 *
 * @param rowsDone      source rows processed up to the checkpoints, over all runs
 * @param totalEstimate rows in the source table (pg_class.reltuples, or count(*) when never analysed)
 * @param rowsCopied    target rows written (inserted or corrected) by all runs so far
 * @param position      where the worker that reported stands: its range and next page
 * @param rowsPerSecond source rows per second in this run
 * @param batchSize     the batch size the last batch used
 * @param etaSeconds    estimated seconds left (-1 when unknown)
 * @param state         RUNNING, PAUSED (by backfill --pause) or THROTTLED
 */
public record BackfillProgress(long batches, long rowsDone, long totalEstimate, long rowsCopied, String position,
                               double rowsPerSecond, int batchSize, double etaSeconds, String state) {
}
