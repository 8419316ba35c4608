package io.dualwrite.control.phase;

import io.dualwrite.rewriter.Phase;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The state machine as one table: every (from, to) pair and its verdict. A change to a rule changes a line here. */
class PhaseTransitionsTest {

    private static final String TABLE = """
            EXPANDED   -> EXPANDED   : stay
            EXPANDED   -> DUAL_WRITE : allowed after FLEET_ON_CURRENT_PHASE
            EXPANDED   -> READ_NEW   : refused
            EXPANDED   -> NEW_ONLY   : refused
            EXPANDED   -> CONTRACTED : refused
            DUAL_WRITE -> EXPANDED   : allowed after OLD_COLUMN_CONSTRAINTS_RESTORED
            DUAL_WRITE -> DUAL_WRITE : stay
            DUAL_WRITE -> READ_NEW   : allowed after BACKFILL_COMPLETE, PARITY_ZERO, FLEET_ON_CURRENT_PHASE, NEW_TABLE_HAS_COLUMN_TYPE
            DUAL_WRITE -> NEW_ONLY   : refused
            DUAL_WRITE -> CONTRACTED : refused
            READ_NEW   -> EXPANDED   : refused
            READ_NEW   -> DUAL_WRITE : allowed
            READ_NEW   -> READ_NEW   : stay
            READ_NEW   -> NEW_ONLY   : allowed after PARITY_ZERO, FLEET_ON_CURRENT_PHASE, NEW_TABLE_HAS_COLUMN_TYPE, STATEMENTS_TRANSLATABLE, OLD_COLUMN_MAY_STAY_UNSET, OLD_COLUMN_CONSTRAINTS_KEPT, DELETES_REACH_NEW_TABLE, ROW_SECURITY_READS_WHAT_IT_WRITES, NO_TRIGGER_USES_OLD_COLUMN, NO_OBJECT_READS_OLD_COLUMN
            READ_NEW   -> CONTRACTED : refused
            NEW_ONLY   -> EXPANDED   : refused
            NEW_ONLY   -> DUAL_WRITE : refused
            NEW_ONLY   -> READ_NEW   : allowed after PARITY_ZERO
            NEW_ONLY   -> NEW_ONLY   : stay
            NEW_ONLY   -> CONTRACTED : only by dualwrite contract after SOAK_PASSED, FLEET_ON_CURRENT_PHASE, STATEMENTS_TRANSLATABLE, OLD_COLUMN_CONSTRAINTS_KEPT, DELETES_REACH_NEW_TABLE, NO_TRIGGER_USES_OLD_COLUMN
            CONTRACTED -> EXPANDED   : refused
            CONTRACTED -> DUAL_WRITE : refused
            CONTRACTED -> READ_NEW   : refused
            CONTRACTED -> NEW_ONLY   : only by dualwrite reverse-sync
            CONTRACTED -> CONTRACTED : stay
            """;

    @Test
    void everyPairHasTheVerdictOfTheTable() {
        List<String> actual = new ArrayList<>();
        for (Phase from : Phase.values()) {
            for (Phase to : Phase.values()) {
                actual.add(String.format("%-10s -> %-10s : %s", from, to, PhaseTransitions.move(from, to).verdict()));
            }
        }
        assertThat(actual).containsExactlyElementsOf(TABLE.lines().toList());
    }

    @Test
    void refusalsSayWhatToDoInstead() {
        assertThat(PhaseTransitions.move(Phase.EXPANDED, Phase.READ_NEW).refusal())
                .contains("one step at a time", "go to DUAL_WRITE first");
        assertThat(PhaseTransitions.move(Phase.READ_NEW, Phase.EXPANDED).refusal()).contains("go to DUAL_WRITE first");
        assertThat(PhaseTransitions.move(Phase.CONTRACTED, Phase.READ_NEW).refusal()).contains("go to NEW_ONLY first");
    }

    @Test
    void operationsRunOnlyInTheirPhases() {
        assertThat(PhaseTransitions.Operation.BACKFILL.refusalIn(Phase.EXPANDED))
                .isEqualTo("backfill runs in DUAL_WRITE or READ_NEW; the migration is in EXPANDED");
        assertThat(PhaseTransitions.Operation.BACKFILL.refusalIn(Phase.READ_NEW)).isNull();
        assertThat(PhaseTransitions.Operation.CONTRACT.refusalIn(Phase.DUAL_WRITE))
                .isEqualTo("contract runs in NEW_ONLY; the migration is in DUAL_WRITE");
        assertThat(PhaseTransitions.readRollbackOf(Phase.READ_NEW)).isEqualTo(Phase.DUAL_WRITE);
        assertThat(PhaseTransitions.readRollbackOf(Phase.DUAL_WRITE)).isNull();
    }
}
