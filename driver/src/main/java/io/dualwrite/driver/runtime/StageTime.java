package io.dualwrite.driver.runtime;

import java.util.concurrent.atomic.LongAdder;

/**
 * How often a step of the statement path ran and how long it took in all: two LongAdders, so the
 * statement path takes no lock and allocates nothing. Metrics read it as a function timer
 * (count and total), never a second set of meters on the hot path.
 */
public final class StageTime {

    private final LongAdder count = new LongAdder();
    private final LongAdder nanos = new LongAdder();

    public void record(long elapsedNanos) {
        count.increment();
        nanos.add(elapsedNanos);
    }

    public long count() {
        return count.sum();
    }

    public long totalNanos() {
        return nanos.sum();
    }
}
