package io.dualwrite.driver.runtime;

import java.util.concurrent.atomic.LongAdder;

/**
 * How often a step of the statement path ran and how long it took in all: two LongAdders, so the
 * statement path takes no lock and allocates nothing. Metrics read it as a function timer
 * (count and total), never a second set of meters on the hot path.
 *
 * <p>A step timed with {@link #start}/{@link #stop} reads the clock only once a meter registry reads
 * this time ({@link #readFromNowOn}): without Micrometer, or with no registry bound, nobody would ever
 * see the figure, and two clock reads and two additions per statement would be spent for nothing.
 */
public final class StageTime {

    /** What {@link #start} returns while nobody reads the time: {@link #stop} then records nothing. */
    private static final long UNTIMED = Long.MIN_VALUE;

    private final LongAdder count = new LongAdder();
    private final LongAdder nanos = new LongAdder();
    private volatile boolean read;

    /** A meter registry reads this time: steps are timed from now on (never switched off again). */
    public void readFromNowOn() {
        read = true;
    }

    /** The start of a timed step, to pass to {@link #stop}; the clock is read only when this time is read. */
    public long start() {
        return read ? System.nanoTime() : UNTIMED;
    }

    /** The end of the step {@link #start} began; records it when it was timed. */
    public void stop(long start) {
        if (start != UNTIMED) {
            record(System.nanoTime() - start);
        }
    }

    /** A step measured by the caller (the rewriter's own planning time, always measured). */
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
