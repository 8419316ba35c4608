package io.dualwrite.driver.runtime;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential back-off with jitter for the follower's reconnects: quick after a blip, never
 * hammering a server that is restarting, and instances that lost the server together do not come back in
 * lock-step. Each delay is drawn from the upper half of the current step, so it is never zero.
 */
final class Backoff {

    private final long firstMillis;
    private final long maxMillis;
    private long step;

    Backoff(long firstMillis, long maxMillis) {
        this.firstMillis = firstMillis;
        this.maxMillis = maxMillis;
        this.step = firstMillis;
    }

    /** The pause before the next attempt; the step doubles up to the cap. */
    long next() {
        long current = step;
        step = Math.min(maxMillis, step * 2);
        return current / 2 + ThreadLocalRandom.current().nextLong(current / 2 + 1);
    }

    /** An attempt succeeded: the next failure starts from the first step again. */
    void reset() {
        step = firstMillis;
    }
}
