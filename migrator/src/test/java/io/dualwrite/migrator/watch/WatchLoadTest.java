package io.dualwrite.migrator.watch;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The watch under load: writers through the driver (change, NULL, delete, insert, two-row transactions) never
 * raise a false alarm, while a prober on the plain URL changes one key of its own range every 100 ms and every
 * one of those drifts is caught; and the price: the writers' throughput in alternating rounds without a slot and
 * with slot and watch (same run, same data), and the detection delay under load.
 */
class WatchLoadTest {

    private static final int USERS = 20_000;
    /** Writers through the driver touch keys below this; the prober owns the rest. */
    private static final int WRITER_KEYS = 15_000;
    private static final long PHASE_MILLIS = 4_000;
    /** Keys of inserted users, above every existing one, unique across writers and phases. */
    private static final AtomicLong NEXT_KEY = new AtomicLong(1_000_000);
    /** Writes done by the writers, over all rounds. */
    private static final AtomicLong OPS = new AtomicLong();
    /** The prober's next key: each probe a key never probed before, in every round. */
    private static final AtomicLong NEXT_PROBE = new AtomicLong(WRITER_KEYS);

    @Test
    void noFalseAlarmUnderDualWritesAndTheCost() throws Exception {
        try (WatchHarness h = new WatchHarness(USERS)) {
            workload(h, null); // warm-up: JIT, plan cache, connections
            workload(h, null);
            Set<String> probed = ConcurrentHashMap.newKeySet();
            CpuMeter cpu = CpuMeter.of(h);
            List<Double> without = new ArrayList<>();
            List<Double> with = new ArrayList<>();
            List<Double> cpuWithout = new ArrayList<>();
            List<Double> cpuWith = new ArrayList<>();
            List<Double> walsenderPerWrite = new ArrayList<>();
            List<Double> watchThreadPerWrite = new ArrayList<>();
            long keysChecked = 0, transactions = 0;
            double lagP50 = 0, lagMax = 0;
            // alternating rounds, so a change in the machine's load hits both sides alike; "without" has no slot at all
            for (int round = 0; round < 5; round++) {
                double cpu0 = cpu == null ? 0 : cpu.seconds();
                long ops0 = OPS.get();
                if (round % 2 == 0) {
                    without.add(workload(h, null));
                    cpuWithout.add(cpuPerWrite(cpu, cpu0, ops0));
                    continue;
                }
                h.start(false);
                with.add(workload(h, probed));
                Thread.sleep(1000); // the last changes reach the watch
                long writes = OPS.get() - ops0;
                walsenderPerWrite.add(CpuMeter.processSeconds(h.db.queryLong("SELECT active_pid FROM pg_replication_slots")) * 1e6 / writes);
                watchThreadPerWrite.add(h.watchThreadCpuSeconds() * 1e6 / writes);
                Watch.Result r = h.stopWatch();
                cpuWith.add(cpuPerWrite(cpu, cpu0, ops0)); // the watch's catching up included
                h.dropSlot();
                keysChecked += r.keysChecked();
                transactions += r.transactions();
                lagP50 = Math.max(lagP50, r.lagP50Millis());
                lagMax = Math.max(lagMax, r.lagMaxMillis());
            }

            List<String> falseAlarms = new ArrayList<>();
            List<Double> delays = new ArrayList<>();
            for (Drift d : h.drifts) {
                if (probed.contains(d.key())) {
                    delays.add(d.delayMillis());
                } else {
                    falseAlarms.add(d.toString());
                }
            }
            assertThat(falseAlarms).as("drift reported for keys only the driver wrote").isEmpty();
            assertThat(delays).as("every probe caught").hasSize(probed.size());
            // what the watch caught is exactly what is out of sync: nothing slipped past
            assertThat(h.parity()).isEqualTo(probed.size());
            assertThat(keysChecked).isGreaterThan(1000);
            delays.sort(null);
            double off = without.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double on = with.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double cpuOff = cpuWithout.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double cpuOn = cpuWith.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            System.out.printf(Locale.ROOT, "[watch] cost: CPU per write (JVM + PostgreSQL) without a slot %s µs (mean %.0f), with slot + watch"
                    + " %s µs (mean %.0f): +%.0f %%; of that the walsender (decoding) %s µs, the watch's thread %s µs%n",
                    rounded(cpuWithout), cpuOff, rounded(cpuWith), cpuOn, (cpuOn / cpuOff - 1) * 100, rounded(walsenderPerWrite),
                    rounded(watchThreadPerWrite));
            System.out.printf(Locale.ROOT, "[watch] cost: writes/s without a slot %s (mean %.0f), with slot + watch %s (mean %.0f): ratio %.3f;"
                            + " the watch checked %,d keys in %,d transactions, commit to check p50 %.0f ms, max %.0f ms (worst round);"
                            + " %d probes on the plain URL, detection p50 %.0f ms, max %.0f ms (grace 200 ms); 0 false alarms%n",
                    rounded(without), off, rounded(with), on, on / off, keysChecked, transactions, lagP50, lagMax, delays.size(),
                    delays.get(delays.size() / 2), delays.get(delays.size() - 1));
        }
    }

    /** CPU µs per write since {@code cpu0} / {@code ops0}; 0 without /proc. */
    private static double cpuPerWrite(CpuMeter cpu, double cpu0, long ops0) throws Exception {
        return cpu == null ? 0 : (cpu.seconds() - cpu0) * 1e6 / Math.max(1, OPS.get() - ops0);
    }

    private static List<Long> rounded(List<Double> rates) {
        return rates.stream().map(Math::round).toList();
    }

    /** Two writers through the driver for PHASE_MILLIS; with {@code probed} also the prober. Returns writes/s. */
    private static double workload(WatchHarness h, Set<String> probed) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ops = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int id = w;
            threads.add(new Thread(() -> {
                try {
                    write(h, id, stop, ops);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "writer-" + w));
        }
        if (probed != null) {
            threads.add(new Thread(() -> {
                try {
                    probe(h, stop, probed);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "prober"));
        }
        threads.forEach(Thread::start);
        long t0 = System.nanoTime();
        Thread.sleep(PHASE_MILLIS);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (failure.get() != null) {
            throw new AssertionError("a writer failed", failure.get());
        }
        OPS.addAndGet(ops.get());
        return ops.get() / seconds;
    }

    private static void write(WatchHarness h, int id, AtomicBoolean stop, AtomicLong ops) throws SQLException {
        Random rnd = new Random(31L * id + 7);
        try (Connection c = h.db.connectDualwrite();
             PreparedStatement set = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?");
             PreparedStatement del = c.prepareStatement("DELETE FROM users WHERE id = ?");
             PreparedStatement ins = c.prepareStatement("INSERT INTO users (id, name, email) VALUES (?, 'new', ?)")) {
            long seq = 0;
            while (!stop.get()) {
                int op = rnd.nextInt(20);
                long key = 1 + rnd.nextInt(WRITER_KEYS);
                if (op < 10) {
                    set.setString(1, "w" + id + "-" + (++seq) + "@example.com");
                    set.setLong(2, key);
                    set.executeUpdate();
                } else if (op < 13) {
                    set.setNull(1, Types.VARCHAR);
                    set.setLong(2, key);
                    set.executeUpdate();
                } else if (op < 15) {
                    del.setLong(1, key);
                    del.executeUpdate();
                } else if (op < 17) {
                    long k = NEXT_KEY.incrementAndGet();
                    ins.setLong(1, k);
                    ins.setString(2, "n" + k + "@example.com");
                    ins.executeUpdate();
                } else {
                    c.setAutoCommit(false);
                    set.setString(1, "t" + id + "-" + (++seq) + "@example.com");
                    set.setLong(2, key);
                    set.executeUpdate();
                    set.setString(1, "t" + id + "-" + (++seq) + "@example.com");
                    set.setLong(2, 1 + rnd.nextInt(WRITER_KEYS));
                    set.executeUpdate();
                    c.commit();
                    c.setAutoCommit(true);
                }
                ops.incrementAndGet();
            }
        }
    }

    /** Every 100 ms one key of the prober's own range changed on the plain URL: drift the watch must catch. */
    private static void probe(WatchHarness h, AtomicBoolean stop, Set<String> probed) throws Exception {
        try (Connection c = h.db.connect(); PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
            while (!stop.get()) {
                long key = NEXT_PROBE.incrementAndGet();
                p.setString(1, "probe" + key + "@example.com");
                p.setLong(2, key);
                p.executeUpdate();
                probed.add(Long.toString(key));
                Thread.sleep(100);
            }
        }
    }
}
