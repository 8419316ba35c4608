package io.dualwrite.driver.runtime;

import com.sun.management.ThreadMXBean;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the rewrite timer adds to each statement on a migration (StatementPipeline: two clock reads, two
 * LongAdder additions): measured and printed; only the absence of allocation is asserted, never a time.
 */
class StageTimeHotPathTest {

    @Test
    void timingAStepAllocatesNothing() {
        StageTime time = new StageTime();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 200_000; i++) {
            long start = System.nanoTime();
            time.record(System.nanoTime() - start);
        }
        int n = 2_000_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        long began = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            time.record(System.nanoTime() - start);
        }
        long nanos = System.nanoTime() - began;
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        System.out.printf("rewrite timer (2 clock reads, 2 LongAdder adds): %.1f ns and %.3f bytes per statement%n",
                (double) nanos / n, (double) allocated / n);
        long sink = 0;
        long clockOnly = System.nanoTime();
        for (int i = 0; i < n; i++) {
            sink += System.nanoTime();
        }
        clockOnly = System.nanoTime() - clockOnly;
        long addsOnly = System.nanoTime();
        for (int i = 0; i < n; i++) {
            time.record(i);
        }
        addsOnly = System.nanoTime() - addsOnly;
        System.out.printf("of which one clock read: %.1f ns, one record (2 adds): %.1f ns (%d)%n",
                (double) clockOnly / n, (double) addsOnly / n, sink & 1);
        assertThat(time.count()).isEqualTo(200_000L + 2L * n);
        assertThat(allocated).as("bytes allocated over " + n + " timed steps").isLessThan(4096);
    }
}
