package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.Phase;
import org.postgresql.core.QueryExecutor;
import org.postgresql.core.TransactionState;

import java.util.HashMap;
import java.util.Map;

/**
 * The phases one connection's open transaction is pinned to: a transaction runs all its statements
 * in the phase of its first statement on a migrated table, so that no transaction writes one side
 * only because the phase changed half-way, and the instance keeps acknowledging that phase until
 * the transaction ends (DatabaseRuntime#appliedPhase).
 *
 * <p>Whether a transaction is open is PgJDBC's own record of the server's answer to every
 * statement ({@link QueryExecutor#getTransactionState()}, a field read): exact whatever opened or
 * ended it — {@code setAutoCommit(false)}, {@code commit()}, SQL text ({@code BEGIN},
 * {@code START TRANSACTION}, {@code COMMIT}, {@code END}, {@code ROLLBACK}, {@code ABORT},
 * {@code PREPARE TRANSACTION}, also inside a string of several statements), or a procedure that
 * commits. Pins are written by the connection's thread; the follower only reads them and
 * {@link #release}s those PostgreSQL says are over.
 */
final class TransactionPins {

    private final QueryExecutor executor;
    private volatile MigrationRuntime pinnedMigration;
    private volatile Phase pinnedPhase;
    /** Pins of further migrations, replaced whole (rare: a transaction touching several migrations). */
    private volatile Map<MigrationRuntime, Phase> morePins = Map.of();
    private volatile long activity;
    private volatile long released = -1;

    TransactionPins(QueryExecutor executor) {
        this.executor = executor;
    }

    boolean inTransaction() {
        return executor.getTransactionState() != TransactionState.IDLE;
    }

    boolean failedTransaction() {
        return executor.getTransactionState() == TransactionState.FAILED;
    }

    /** A statement through the driver starts; pins the follower released are dropped. */
    void entering() {
        if (released == activity) {
            unpin();
        }
        activity++;
    }

    /** The statement finished (or failed): unpinned unless it left a transaction open (also one its text opened). */
    void left() {
        if (!inTransaction()) {
            unpin();
        }
        activity++;
    }

    /** After commit, rollback, setAutoCommit: unpinned when the server says no transaction is open. */
    void endedMaybe() {
        if (!inTransaction()) {
            unpin();
        }
    }

    /**
     * The phase to run a statement in: the one its transaction is pinned to, else the live one,
     * pinned now. Also a statement in auto-commit is pinned while it runs (its text may open a
     * transaction, {@code BEGIN; UPDATE …}, which then keeps the pin; {@link #left} drops it otherwise).
     */
    Phase phaseOf(MigrationRuntime migration) {
        if (!inTransaction()) {
            unpin(); // whatever was pinned belonged to a transaction that is over
        }
        Phase pinned = pinnedPhase(migration);
        return pinned != null ? pinned : pin(migration);
    }

    private Phase pin(MigrationRuntime migration) {
        Phase phase = migration.phase();
        if (pinnedMigration == null) {
            pinnedPhase = phase;
            pinnedMigration = migration;
            // the follower writes the phase, then reads the pins; this writes the pin, then reads the phase again
            // (all volatile): either the follower sees this pin, or this sees the new phase and runs in it
            Phase again = migration.phase();
            if (again != phase) {
                pinnedPhase = again;
                return again;
            }
            return phase;
        }
        Map<MigrationRuntime, Phase> more = new HashMap<>(morePins);
        more.put(migration, phase);
        morePins = Map.copyOf(more);
        return phase;
    }

    /** The pinned phase, or null when none is pinned or the follower released it. */
    Phase pinnedPhase(MigrationRuntime migration) {
        if (released == activity) {
            return null;
        }
        if (pinnedMigration == migration) {
            return pinnedPhase;
        }
        return morePins.get(migration);
    }

    long activity() {
        return activity;
    }

    void release(long at) {
        released = at;
    }

    private void unpin() {
        pinnedMigration = null;
        pinnedPhase = null;
        morePins = Map.of();
    }
}
