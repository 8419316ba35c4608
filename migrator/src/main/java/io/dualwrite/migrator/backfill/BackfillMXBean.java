package io.dualwrite.migrator.backfill;

/** {@code io.dualwrite:type=Backfill,name=<migration>}, registered while a {@link Backfill} runs in this JVM. */
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
