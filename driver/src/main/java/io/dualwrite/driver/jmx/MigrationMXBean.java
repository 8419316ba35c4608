package io.dualwrite.driver.jmx;

/**
 * One migration as JMX shows it: {@code io.dualwrite:type=Migration,name=<table>.<column>}
 * (plus {@code ,instance=<name>} for a DataSource with the {@code dualwriteInstance} property).
 * Emits an {@code AttributeChangeNotification} for {@code Phase} whenever this JVM applies a new
 * phase, whoever changed it (CLI, JMX on any instance, automatic rollback).
 */
public interface MigrationMXBean {

    /** {@code table.column}, as in the ObjectName. */
    String getMigration();

    /** The PgJDBC URL of the database whose migration this is (a password in it is masked). */
    String getDatabase();

    /** The phase this JVM applies now. */
    String getPhase();

    /**
     * Whether this instance knows the phase: its follower read the control schema and acknowledged within
     * the bound ({@code dualwritePhaseStaleMillis}, 10 s). While not, writes to the migrated table are refused.
     */
    boolean isPhaseKnown();

    /**
     * KNOWN, STALE (writes and reads of the new table refused), LOST (no acknowledgement for 15 s: everything
     * on the migrated column refused) or UNKNOWN (never read), with since when and the follower's last error.
     */
    String getPhaseState();

    /** Statements refused because this instance did not know the phase. */
    long getUnknownPhaseRefusals();

    /**
     * The role phase changes through JMX run as ({@code dualwriteOperatorUser}), or a note that none is configured:
     * then {@link #setPhase}, {@link #changePhase}, {@link #flipReads}, {@link #rollbackReads} and
     * {@link #setShadowSampleRate} are refused (IllegalStateException saying how to configure one) and the attributes
     * stay readable. Never the password.
     */
    String getOperator();

    /**
     * Moves the migration to {@code phase} through the state machine, exactly as {@code dualwrite phase}
     * without {@code --force}: one step at a time, and only when the move's gates hold (a move that needs every
     * instance on the current phase waits up to 10 s for the fleet first, as the CLI does). Writes the control
     * schema with an audit entry, then applies at once in this JVM; the other instances follow within a
     * second. Runs as the operator ({@link #getOperator()}).
     *
     * @param phase a phase name (case-insensitive)
     * @throws IllegalArgumentException for an unknown phase
     * @throws IllegalStateException    when the move is refused, a gate does not hold, or no operator credential is
     *                                  configured (nothing changes)
     */
    void setPhase(String phase);

    /**
     * Like {@link #setPhase} but with the CLI's {@code --force} when {@code force} is true: the gates are
     * skipped (never the move's own rules), and the audit entry says FORCED with the reason.
     */
    void changePhase(String phase, boolean force, String reason);

    /** Where reads come from now: OLD, NEW, or SHADOW (old, with a sample also compared with new). */
    String getReadSource();

    /** Share of reads shadowed in DUAL_WRITE, 0 to 1; setting it writes the control schema (fleet-wide). */
    double getShadowSampleRate();

    void setShadowSampleRate(double rate);

    /** Mismatches found by the latest {@code dualwrite parity} run, or -1 if none ran. */
    long getLastParityMismatches();

    /** Statements that reached PostgreSQL in a rewritten form (writes and reads). */
    long getStatementsRewritten();

    /** Rewritten writes that went to both the old column and the target table. */
    long getDualWrites();

    /** Rewritten reads served from the target table. */
    long getReadsRewritten();

    /** Statements refused because they touch the migrated column and cannot be rewritten with certainty. */
    long getRejectedStatements();

    /** Rewritten statements that failed (counted for automatic rollback). */
    long getRewrittenFailures();

    /** Reads compared old-vs-new in SHADOW mode. */
    long getShadowComparisons();

    /** Shadow comparisons whose results differed. */
    long getShadowMismatches();

    /** Connections whose open transaction, pinned to an older phase, holds this instance's acknowledgement back (backend pid, application name, state). */
    String[] getHeldBackBy();

    /** Transactions ended (backend terminated) because they stayed idle, pinned to an older phase, beyond {@code dualwrite.pinIdleSeconds}. */
    long getHeldTransactionsEnded();

    /** DUAL_WRITE → READ_NEW, if the gates hold (backfill complete, parity 0, every instance on DUAL_WRITE). */
    void flipReads();

    /** READ_NEW → DUAL_WRITE: reads go back to the old column, fleet-wide, at once. */
    void rollbackReads();
}
