package io.dualwrite.migrator.watch;

import io.dualwrite.migrator.JmxView;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/** The watch's counters, shown as {@link WatchMXBean} while it runs; lags kept as samples for percentiles. */
final class WatchStats implements WatchMXBean {

    private static final int SAMPLES = 1 << 16;

    final AtomicLong transactions = new AtomicLong();
    final AtomicLong changes = new AtomicLong();
    final AtomicLong keysChecked = new AtomicLong();
    final AtomicLong drifts = new AtomicLong();
    final AtomicLong repaired = new AtomicLong();
    final AtomicLong truncates = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    private volatile double lastLagMillis;
    private volatile long retainedWalBytes;
    /** The last SAMPLES commit-to-check lags, one per transaction (a ring). */
    private final double[] lags = new double[SAMPLES];
    private long lagCount;
    private final JmxView jmx = new JmxView(this);

    synchronized void lag(double millis) {
        lags[(int) (lagCount++ % SAMPLES)] = millis;
        lastLagMillis = millis;
    }

    /** The q-quantile (0..1) of the recorded commit-to-check lags; 0 without samples. */
    synchronized double lagQuantile(double q) {
        int n = (int) Math.min(lagCount, SAMPLES);
        if (n == 0) {
            return 0;
        }
        double[] sorted = Arrays.copyOf(lags, n);
        Arrays.sort(sorted);
        return sorted[Math.min(n - 1, (int) Math.floor(q * (n - 1) + 0.5))];
    }

    void retainedWalBytes(long bytes) {
        retainedWalBytes = bytes;
    }

    void register(String migration) {
        jmx.register("Watch", migration);
    }

    void unregister() {
        jmx.unregister();
    }

    @Override
    public long getTransactions() {
        return transactions.get();
    }

    @Override
    public long getKeysChecked() {
        return keysChecked.get();
    }

    @Override
    public long getDrifts() {
        return drifts.get();
    }

    @Override
    public long getRepaired() {
        return repaired.get();
    }

    @Override
    public double getLastLagMillis() {
        return lastLagMillis;
    }

    @Override
    public long getRetainedWalBytes() {
        return retainedWalBytes;
    }
}
