package io.dualwrite.testing;

import java.util.function.BooleanSupplier;

/** Waiting for something another thread or process does (a follower, a notification), with a deadline. */
public final class Await {

    private Await() {
    }

    /** Polls {@code condition} every 10 ms; fails with {@code what} if it does not hold within {@code millis}. */
    public static void within(long millis, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + millis + " ms: " + what);
            }
            Thread.sleep(10);
        }
    }
}
