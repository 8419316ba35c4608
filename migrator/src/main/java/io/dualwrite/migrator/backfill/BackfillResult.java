package io.dualwrite.migrator.backfill;

/**
 * @param outcome          what this run did
 * @param batchesThisRun   batches committed by this run
 * @param rowsScannedThisRun source rows locked and processed by this run
 * @param rowsCopiedThisRun  target rows inserted or corrected by this run
 * @param rowsDeletedThisRun stale primary target rows removed because the source value was NULL
 * @param checkpoint       the checkpoint row after the run
 * @param seconds          wall time of this run
 */
public record BackfillResult(Outcome outcome, long batchesThisRun, long rowsScannedThisRun, long rowsCopiedThisRun,
                             long rowsDeletedThisRun, BackfillCheckpoint checkpoint, double seconds) {

    public enum Outcome {
        /** Reached the last key; completed_at is set. */
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
