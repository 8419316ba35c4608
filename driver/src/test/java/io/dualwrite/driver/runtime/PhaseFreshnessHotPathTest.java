package io.dualwrite.driver.runtime;

import com.sun.management.ThreadMXBean;
import io.dualwrite.testing.Await;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** The statement path's check that the phase is known: one volatile read, no allocation (its cost printed); the states in time. */
class PhaseFreshnessHotPathTest {

    @Test
    void checkingTheKnownPhaseAllocatesNothing() {
        PhaseFreshness freshness = new PhaseFreshness("jdbc:postgresql://test/db", 10_000, () -> true);
        freshness.followed(System.nanoTime());
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        int known = 0;
        for (int i = 0; i < 200_000; i++) {
            known += freshness.known() ? 1 : 0;
        }
        int n = 5_000_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            known += freshness.known() ? 1 : 0;
        }
        long nanos = System.nanoTime() - start;
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        System.out.printf("phase known check: %.1f ns and %.3f bytes per statement%n", (double) nanos / n, (double) allocated / n);
        assertThat(known).isEqualTo(200_000 + n);
        assertThat(allocated).as("bytes allocated over " + n + " checks").isLessThan(4096);
    }

    @Test
    void statesFollowTheBoundFromTheStartOfTheLastRound() throws InterruptedException {
        PhaseFreshness freshness = new PhaseFreshness("jdbc:postgresql://test/db", 10_000, () -> true);
        assertThat(freshness.state()).isEqualTo(PhaseFreshness.State.UNKNOWN);
        assertThat(freshness.describe()).startsWith("UNKNOWN: the control schema of jdbc:postgresql://test/db was never read");

        freshness.followed(System.nanoTime());
        assertThat(freshness.known()).isTrue();
        assertThat(freshness.state()).isEqualTo(PhaseFreshness.State.KNOWN);

        freshness.followed(System.nanoTime() - 11_000_000_000L); // a round that started 11 s ago: beyond the bound
        freshness.failed(new IllegalStateException("the server is restarting"));
        Await.within(5_000, () -> !freshness.known(), "the timer ends the knowledge");
        assertThat(freshness.state()).isEqualTo(PhaseFreshness.State.STALE);
        assertThat(freshness.describe()).contains("not read and acknowledged for 11.", "the bound is 10000 ms", "the server is restarting");

        freshness.followed(System.nanoTime() - 16_000_000_000L); // beyond the 15 s after which gates stop waiting
        assertThat(freshness.state()).isEqualTo(PhaseFreshness.State.LOST);
    }
}
