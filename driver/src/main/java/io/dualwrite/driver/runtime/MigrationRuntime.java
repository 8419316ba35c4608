package io.dualwrite.driver.runtime;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * The in-memory state of one migration in this JVM: the phase every connection applies right now,
 * and the counters JMX shows. Reading the phase is one volatile read; counting is a LongAdder,
 * so the statement path takes no lock.
 */
public final class MigrationRuntime {

    private final MigrationSpec spec;
    private volatile Phase phase;
    private volatile double shadowSampleRate;
    private volatile Long lastParityMismatches;
    private volatile PhaseListener listener;
    private volatile SourceColumns columns = new SourceColumns(List.of(), null);
    private volatile UniqueIndexes uniqueIndexes = new UniqueIndexes(List.of(), Map.of(), Set.of());
    private volatile boolean deletesFollowed;

    /** Told of every phase change this JVM applies, whatever its source (JMX notifications hang here). */
    public interface PhaseListener {
        void phaseChanged(MigrationRuntime migration, Phase from, Phase to);
    }

    final LongAdder statementsRewritten = new LongAdder();
    final LongAdder dualWrites = new LongAdder();
    final LongAdder readsRewritten = new LongAdder();
    final LongAdder rejectedStatements = new LongAdder();
    final LongAdder rewrittenExecutions = new LongAdder();
    final LongAdder rewrittenFailures = new LongAdder();
    final LongAdder shadowComparisons = new LongAdder();
    final LongAdder shadowMismatches = new LongAdder();
    final LongAdder heldTransactionsEnded = new LongAdder();
    final LongAdder unknownPhaseRefusals = new LongAdder();
    private volatile List<String> heldBackBy = List.of();
    private final ErrorRateWatch errors = new ErrorRateWatch();
    private final StageTime rewriteTime = new StageTime();
    private final StageTime planningTime = new StageTime();

    MigrationRuntime(MigrationSpec spec, Phase phase) {
        this.spec = spec;
        this.phase = phase;
    }

    public MigrationSpec spec() {
        return spec;
    }

    public Phase phase() {
        return phase;
    }

    /** The old column as recorded before the contract (else as in the catalog); null when neither has it. */
    public SourceColumns.Column oldColumn() {
        return columns.old();
    }

    /** The source table's columns as the application knows them ({@link SourceColumns}), as last read. */
    public SourceColumns columns() {
        return columns;
    }

    void columns(SourceColumns columns) {
        this.columns = columns;
    }

    /** The unique indexes that read the value, the old column's and the new table's ({@code ValueIndexes#valueUniqueIndexes}). */
    public List<String> valueUniqueIndexes() {
        return uniqueIndexes.names();
    }

    /** Each unique twin on the new table that does not bear its old index's name (NEW_ONLY), by name: that old name. */
    public Map<String, String> uniqueTwinSources() {
        return uniqueIndexes.twinSources();
    }

    /** The UNIQUE constraints of the old column alone that a twin stands for ({@code ValueIndexes#valueUniqueConstraints}). */
    public Set<String> valueUniqueConstraints() {
        return uniqueIndexes.constraints();
    }

    void uniqueIndexes(List<String> names, Map<String, String> twinSources, Set<String> constraints) {
        uniqueIndexes = new UniqueIndexes(List.copyOf(names), Map.copyOf(twinSources), Set.copyOf(constraints));
    }

    private record UniqueIndexes(List<String> names, Map<String, String> twinSources, Set<String> constraints) {
    }

    /**
     * The source has the statement triggers that delete the new table's primary rows of deleted keys (from NEW_ONLY on,
     * control's {@code DeletedKeysTrigger}): a DELETE that bypasses the driver leaves nothing behind.
     */
    public boolean deletesFollowed() {
        return deletesFollowed;
    }

    void deletesFollowed(boolean followed) {
        deletesFollowed = followed;
    }

    void phase(Phase phase) {
        Phase before = this.phase;
        this.phase = phase;
        PhaseListener l = listener;
        if (l != null && before != phase) {
            l.phaseChanged(this, before, phase);
        }
    }

    public void listener(PhaseListener listener) {
        this.listener = listener;
    }

    /** Share of reads shadowed in DUAL_WRITE (0 = off). */
    public double shadowSampleRate() {
        return shadowSampleRate;
    }

    void shadowSampleRate(double rate) {
        this.shadowSampleRate = rate;
    }

    /** Mismatches found by the latest parity run, or null if none ran. */
    public Long lastParityMismatches() {
        return lastParityMismatches;
    }

    void lastParityMismatches(Long mismatches) {
        this.lastParityMismatches = mismatches;
    }

    public void countDualWrite() {
        statementsRewritten.increment();
        dualWrites.increment();
    }

    public void countReadRewritten() {
        statementsRewritten.increment();
        readsRewritten.increment();
    }

    public void countRejected() {
        rejectedStatements.increment();
    }

    public long statementsRewritten() {
        return statementsRewritten.sum();
    }

    public long dualWrites() {
        return dualWrites.sum();
    }

    public long readsRewritten() {
        return readsRewritten.sum();
    }

    public long rejectedStatements() {
        return rejectedStatements.sum();
    }

    public long rewrittenFailures() {
        return rewrittenFailures.sum();
    }

    public long shadowComparisons() {
        return shadowComparisons.sum();
    }

    public long shadowMismatches() {
        return shadowMismatches.sum();
    }

    /** Time the statement path spent choosing the phase's SQL for a statement on this migration (after the plan lookup). */
    public StageTime rewriteTime() {
        return rewriteTime;
    }

    /** Time the rewriter spent planning texts on this migration, once per text (plan-cache misses). */
    public StageTime planningTime() {
        return planningTime;
    }

    /** A rewritten statement ran (successfully or not: call {@link #countFailure} too). */
    public void countExecution() {
        rewrittenExecutions.increment();
        errors.executed();
    }

    /** Executions of rewritten statements (a batch counts once), the denominator of {@link #rewrittenFailures}. */
    public long rewrittenExecutions() {
        return rewrittenExecutions.sum();
    }

    /**
     * A rewritten statement failed; when the rewrite caused it ({@link RewriteFailures}), it counts,
     * and in READ_NEW too many such failures roll the reads back, fleet-wide.
     *
     * @param applicationSql the application's text, null when unknown (a batch)
     * @param sentSql        what was sent in its place, null when unknown
     * @param original       the application's statement as PgJDBC would have sent it, null when unknown
     */
    public void countFailure(DatabaseRuntime database, SQLException e, String applicationSql, String sentSql,
                             OriginalStatementCheck.Sent original) {
        switch (RewriteFailures.causeOf(e, spec, applicationSql, sentSql)) {
            case REWRITE -> countRewriteFailure(database);
            // after the drop the statement as written fails on the column: no comparison to make
            case UNLESS_ORIGINAL_FAILS -> {
                if (phase == Phase.CONTRACTED) {
                    countRewriteFailure(database);
                } else {
                    database.originalStatementCheck().unlessFailsAsWritten(original != null ? original
                            : new OriginalStatementCheck.Sent(applicationSql), e, () -> countRewriteFailure(database));
                }
            }
            case REFUSED -> countRejected();
            case APPLICATION -> { }
        }
    }

    private void countRewriteFailure(DatabaseRuntime database) {
        rewrittenFailures.increment();
        if (errors.failed()) {
            errors.rollBackReads(database, this);
        }
    }

    /** Connections whose open transaction holds this instance's acknowledgement back, as the follower last saw them ({@link PinWatch}). */
    public List<String> heldBackBy() {
        return heldBackBy;
    }

    void heldBackBy(List<String> connections) {
        this.heldBackBy = List.copyOf(connections);
    }

    /** Transactions the follower ended because they stayed idle, pinned to an old phase, beyond the bound. */
    public long heldTransactionsEnded() {
        return heldTransactionsEnded.sum();
    }

    void countHeldTransactionEnded() {
        heldTransactionsEnded.increment();
    }

    /** Statements refused because this instance did not know the phase ({@link PhaseFreshness}). */
    public long unknownPhaseRefusals() {
        return unknownPhaseRefusals.sum();
    }

    void countUnknownPhaseRefusal() {
        unknownPhaseRefusals.increment();
    }

    public void countShadowComparison(boolean mismatch) {
        shadowComparisons.increment();
        if (mismatch) {
            shadowMismatches.increment();
        }
    }
}
