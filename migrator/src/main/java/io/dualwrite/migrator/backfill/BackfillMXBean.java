package io.dualwrite.migrator.backfill;

/** {@code io.dualwrite:type=Backfill,name=<migration>}, registered while {@link Backfill#run()} runs in-process. */
public interface BackfillMXBean {
    String getMigration();

    /** RUNNING, PAUSED, THROTTLED, COMPLETED, STOPPED or FAILED. */
    String getState();

    long getRowsDone();

    long getTotalRows();

    long getRowsCopied();

    double getRowsPerSecond();

    /** Estimated seconds left, -1 when unknown. */
    double getEtaSeconds();

    int getBatchSize();

    int getWorkers();
}
