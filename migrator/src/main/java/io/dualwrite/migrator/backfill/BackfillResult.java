package io.dualwrite.migrator.backfill;

/**
 * @param outcome          what this run did
 * @param batchesThisRun   batches committed by this run
 * @param rowsScannedThisRun source rows processed by this run's acknowledged batches (a batch whose commit landed while
 *                   the connection was lost is in the checkpoints, not here: it is not redone)
 * @param rowsCopiedThisRun  target rows inserted by this run
 * @param rowsCaughtUpThisRun rows of those copied by the final catch-up pass: moved behind the page scan by an UPDATE
 *                         that does not set the column (see {@link Backfill})
 * @param rowsCorrectedThisRun copies a batch deleted or corrected again because a delete raced it (see {@link Backfill})
 * @param batchesRedone    batches whose COPY met a key a dual write had written, redone with ON CONFLICT DO NOTHING
 * @param batchesRechecked batches that rechecked their copies because a delete may have raced them
 * @param checkpoint       the checkpoint row after the run
 * @param seconds          wall time of this run
 */
public record BackfillResult(Outcome outcome, long batchesThisRun, long rowsScannedThisRun, long rowsCopiedThisRun, long rowsCaughtUpThisRun,
                             long rowsCorrectedThisRun, long batchesRedone, long batchesRechecked, BackfillCheckpoint checkpoint, double seconds) {

    public enum Outcome {
        /** Every page range and the catch-up pass are done; completed_at is set. */
        COMPLETED,
        /** Stopped at --max-batches; run again to resume. */
        PAUSED,
        /** Was already complete before this run: nothing done. */
        ALREADY_COMPLETE
    }

    public double rowsPerSecond() {
        return seconds <= 0 ? 0 : rowsScannedThisRun / seconds;
    }
}
