package io.dualwrite.control.phase;

import io.dualwrite.rewriter.Phase;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.dualwrite.control.phase.Gate.BACKFILL_COMPLETE;
import static io.dualwrite.control.phase.Gate.FLEET_ON_CURRENT_PHASE;
import static io.dualwrite.control.phase.Gate.NEW_TABLE_HAS_COLUMN_TYPE;
import static io.dualwrite.control.phase.Gate.NO_OBJECT_READS_OLD_COLUMN;
import static io.dualwrite.control.phase.Gate.DELETES_REACH_NEW_TABLE;
import static io.dualwrite.control.phase.Gate.NO_TRIGGER_USES_OLD_COLUMN;
import static io.dualwrite.control.phase.Gate.OLD_COLUMN_MAY_STAY_UNSET;
import static io.dualwrite.control.phase.Gate.OLD_COLUMN_CONSTRAINTS_KEPT;
import static io.dualwrite.control.phase.Gate.OLD_COLUMN_CONSTRAINTS_RESTORED;
import static io.dualwrite.control.phase.Gate.ROW_SECURITY_READS_WHAT_IT_WRITES;
import static io.dualwrite.control.phase.Gate.PARITY_ZERO;
import static io.dualwrite.control.phase.Gate.SOAK_PASSED;
import static io.dualwrite.control.phase.Gate.STATEMENTS_TRANSLATABLE;
import static io.dualwrite.rewriter.Phase.CONTRACTED;
import static io.dualwrite.rewriter.Phase.DUAL_WRITE;
import static io.dualwrite.rewriter.Phase.EXPANDED;
import static io.dualwrite.rewriter.Phase.NEW_ONLY;
import static io.dualwrite.rewriter.Phase.READ_NEW;

/**
 * The phase state machine: every move between two phases, whether it is allowed, which gates it
 * needs, and which command alone may make it. The CLI, JMX, the automatic read rollback, contract
 * and reverse sync all ask this class (through {@link PhaseWriter}); nothing else decides.
 *
 * <p>Phases move one step at a time, forward or back: during a move every instance applies either
 * the old or the new phase, and only neighbours are safe together (an instance still reading the
 * new table must never meet one that no longer writes it).
 */
public final class PhaseTransitions {

    /** A command that makes a move itself because the move is more than a new phase row. */
    public enum Command {
        /** {@code dualwrite contract}: drops the old column in the same transaction. */
        CONTRACT("dualwrite contract"),
        /** {@code dualwrite reverse-sync}: re-adds and refills the dropped column first. */
        REVERSE_SYNC("dualwrite reverse-sync");

        private final String usage;

        Command(String usage) {
            this.usage = usage;
        }

        public String usage() {
            return usage;
        }
    }

    /**
     * One (from, to) pair and its verdict.
     *
     * @param gates   what must hold before the move (empty: nothing); {@code --force} skips these, nothing else
     * @param by      the only command that may make the move, or null when {@code dualwrite phase} and JMX may
     * @param refusal why nobody may make it, or null when it is allowed
     */
    public record Move(Phase from, Phase to, List<Gate> gates, Command by, String refusal) {

        public boolean stays() {
            return from == to;
        }

        public boolean allowed() {
            return refusal == null;
        }

        public boolean isRollback() {
            return to.ordinal() < from.ordinal();
        }

        /** The verdict in words, one line: what the state machine test table lists. */
        public String verdict() {
            if (stays()) {
                return "stay";
            }
            if (!allowed()) {
                return "refused";
            }
            return (by == null ? "allowed" : "only by " + by.usage())
                    + (gates.isEmpty() ? "" : " after " + gates.stream().map(Enum::name).collect(Collectors.joining(", ")));
        }
    }

    /** Which phases each long-running operation may run in (the migrator asks before it starts). */
    public enum Operation {
        /** Copies old values into the new table: dual writes must keep both in step meanwhile. */
        BACKFILL("backfill", DUAL_WRITE, READ_NEW),
        /** Rewrites new-table rows from the old column: the old column must still be the truth. */
        PARITY_REPAIR("parity --repair", DUAL_WRITE, READ_NEW),
        /** Shadow reads compare the old column (served) with the new table (sampled). */
        SHADOW_READS("shadow reads", DUAL_WRITE),
        /** Rewrites old values from the new table: the new table must be the truth. */
        REVERSE_SYNC("reverse-sync", NEW_ONLY),
        /** Drops the old column. */
        CONTRACT("contract", NEW_ONLY);

        private final String label;
        private final Set<Phase> phases;

        Operation(String label, Phase first, Phase... more) {
            this.label = label;
            this.phases = EnumSet.of(first, more);
        }

        /** The phases it runs in, in runbook order. */
        public Set<Phase> phases() {
            return Collections.unmodifiableSet(phases);
        }

        public boolean runsIn(Phase phase) {
            return phases.contains(phase);
        }

        /** Why the operation does not run in {@code phase}, or null when it does. */
        public String refusalIn(Phase phase) {
            if (runsIn(phase)) {
                return null;
            }
            return label + " runs in " + phases.stream().map(Enum::name).collect(Collectors.joining(" or "))
                    + "; the migration is in " + phase;
        }
    }

    private static final Map<Phase, Map<Phase, Move>> MOVES = new EnumMap<>(Phase.class);

    static {
        // forward, one step each
        // the fleet knows the migration first: an instance that learnt of it and of DUAL_WRITE in one read would refuse
        // (StalePreparedStatements) a statement it had prepared just before, when nothing told it to plan for the column
        declare(EXPANDED, DUAL_WRITE, null, FLEET_ON_CURRENT_PHASE);
        declare(DUAL_WRITE, READ_NEW, null, BACKFILL_COMPLETE, PARITY_ZERO, FLEET_ON_CURRENT_PHASE, NEW_TABLE_HAS_COLUMN_TYPE);
        declare(READ_NEW, NEW_ONLY, null, PARITY_ZERO, FLEET_ON_CURRENT_PHASE, NEW_TABLE_HAS_COLUMN_TYPE, STATEMENTS_TRANSLATABLE,
                OLD_COLUMN_MAY_STAY_UNSET,
                OLD_COLUMN_CONSTRAINTS_KEPT, DELETES_REACH_NEW_TABLE, ROW_SECURITY_READS_WHAT_IT_WRITES, NO_TRIGGER_USES_OLD_COLUMN,
                NO_OBJECT_READS_OLD_COLUMN);
        // contract checks what NO_OBJECT_READS_OLD_COLUMN does itself, and lists what goes with the column (Contract)
        // no parity: in NEW_ONLY the new table is the truth and the old column is stale by design (its values were
        // proven equal on the way in); a check would only send the operator through a pointless reverse-sync
        declare(NEW_ONLY, CONTRACTED, Command.CONTRACT, SOAK_PASSED, FLEET_ON_CURRENT_PHASE, STATEMENTS_TRANSLATABLE,
                OLD_COLUMN_CONSTRAINTS_KEPT, DELETES_REACH_NEW_TABLE, NO_TRIGGER_USES_OLD_COLUMN);
        // rollbacks, one step each
        declare(DUAL_WRITE, EXPANDED, null, OLD_COLUMN_CONSTRAINTS_RESTORED); // after a rollback past the contract
        declare(READ_NEW, DUAL_WRITE, null);
        declare(NEW_ONLY, READ_NEW, null, PARITY_ZERO); // parity after reverse-sync: the old column is back in step
        declare(CONTRACTED, NEW_ONLY, Command.REVERSE_SYNC); // it re-adds and refills the column first
    }

    private PhaseTransitions() {
    }

    private static void declare(Phase from, Phase to, Command by, Gate... gates) {
        MOVES.computeIfAbsent(from, f -> new EnumMap<>(Phase.class)).put(to, new Move(from, to, List.of(gates), by, null));
    }

    /** The verdict for moving a migration from {@code from} to {@code to}. */
    public static Move move(Phase from, Phase to) {
        if (from == to) {
            return new Move(from, to, List.of(), null, null);
        }
        Move declared = MOVES.getOrDefault(from, Map.of()).get(to);
        if (declared != null) {
            return declared;
        }
        Phase step = Phase.values()[from.ordinal() + Integer.signum(to.ordinal() - from.ordinal())];
        return new Move(from, to, List.of(), null, "phases move one step at a time, forward or back: from " + from
                + " go to " + step + " first");
    }

    /** Where reads go back to when they are rolled back from {@code phase}, or null when reads are not on the new table. */
    public static Phase readRollbackOf(Phase phase) {
        return phase == READ_NEW ? DUAL_WRITE : null;
    }
}
