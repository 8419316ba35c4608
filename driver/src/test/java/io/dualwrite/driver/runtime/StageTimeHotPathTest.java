package io.dualwrite.driver.runtime;

import com.sun.management.ThreadMXBean;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the rewrite timer adds to each statement on a migration (StatementPipeline: start and stop): while no
 * meter registry reads it, one volatile read and nothing recorded; once read, two clock reads and two LongAdder
 * additions. Measured and printed; only what is recorded and the absence of allocation are asserted, never a time.
 */
class StageTimeHotPathTest {

    private static final int WARMUP = 200_000;
    private static final int N = 2_000_000;

    /** Per step. */
    private record Measured(double nanos, double bytes) {
    }

    @Test
    void aTimeNobodyReadsIsNotTaken() {
        StageTime time = new StageTime();
        Measured m = run(time);
        System.out.printf("rewrite timer, no registry: %.1f ns and %.3f bytes per statement%n", m.nanos(), m.bytes());
        assertThat(time.count()).as("steps recorded while nobody reads them").isZero();
        assertThat(m.bytes() * N).as("bytes allocated over " + N + " untimed steps").isLessThan(4096);
    }

    @Test
    void timingAStepAllocatesNothing() {
        StageTime time = new StageTime();
        time.readFromNowOn();
        Measured m = run(time);
        System.out.printf("rewrite timer, read by a registry (2 clock reads, 2 LongAdder adds): %.1f ns and %.3f bytes"
                + " per statement%n", m.nanos(), m.bytes());
        assertThat(time.count()).isEqualTo(WARMUP + N);
        assertThat(time.totalNanos()).isPositive();
        assertThat(m.bytes() * N).as("bytes allocated over " + N + " timed steps").isLessThan(4096);
    }

    /** Warms up, then runs N steps. */
    private static Measured run(StageTime time) {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < WARMUP; i++) {
            time.stop(time.start());
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        long began = System.nanoTime();
        for (int i = 0; i < N; i++) {
            time.stop(time.start());
        }
        long nanos = System.nanoTime() - began;
        return new Measured((double) nanos / N, (double) (threads.getCurrentThreadAllocatedBytes() - before) / N);
    }
}
