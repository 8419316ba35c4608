package io.dualwrite.migrator.watch;

/** {@code io.dualwrite:type=Watch,name=<migration>}: the running watch's counters, for monitoring and alerts. */
public interface WatchMXBean {

    long getTransactions();

    long getKeysChecked();

    /** Keys out of sync after the grace period: the alarm. */
    long getDrifts();

    long getRepaired();

    /** Commit to check, in milliseconds, of the last checked batch. */
    double getLastLagMillis();

    /** WAL the slot keeps on the server, as of the last status read. */
    long getRetainedWalBytes();
}
