package io.dualwrite.driver.runtime;

import io.dualwrite.rewriter.Phase;

/**
 * What the runtime needs to know of an open application connection: the phase its transaction is
 * pinned to, and enough to ask PostgreSQL whether that transaction is still open
 * ({@link PinWatch}, on the follower's thread).
 */
public interface ConnectionPins {

    /** The phase an open transaction of this connection applies to the migration, or null when none is open. */
    Phase pinnedPhase(MigrationRuntime migration);

    /** The PostgreSQL backend process of the connection (pg_stat_activity.pid). */
    int backendPid();

    /**
     * Changes whenever the connection starts or finishes a statement through the driver, or pins;
     * odd while a statement runs. Two equal even readings mean nothing ran in between.
     */
    long activity();

    /**
     * PostgreSQL said that no transaction is open on this connection, and {@link #activity()} was
     * {@code activity} before and after it said so: the pins held then are over (their transaction
     * ended in a way the driver did not see, e.g. a COMMIT in a pass-through PreparedStatement).
     */
    void release(long activity);
}
