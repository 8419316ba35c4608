package io.dualwrite.control.phase;

import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Evaluates {@link Gate}s against what the control schema records; the only place that does. */
public final class GateChecks {

    private GateChecks() {
    }

    /**
     * The gates of {@code move} that do not hold now, each as a sentence that says what to do.
     *
     * @param soak the soak time {@link Gate#SOAK_PASSED} requires (ignored by the other gates)
     */
    public static List<String> unmet(Connection c, String migration, PhaseTransitions.Move move, Duration soak)
            throws SQLException {
        return unmet(c, migration, move.from(), move.gates(), soak);
    }

    /** The {@code gates} that do not hold now for a migration in phase {@code from}. */
    public static List<String> unmet(Connection c, String migration, Phase from, List<Gate> gates, Duration soak)
            throws SQLException {
        List<String> unmet = new ArrayList<>();
        if (gates.isEmpty()) {
            return unmet;
        }
        Recorded r = recorded(c, migration);
        for (Gate gate : gates) {
            // each gate's refusal, or null when it holds
            String refusal = switch (gate) {
                case BACKFILL_COMPLETE -> r.backfillComplete ? null : "the backfill has not completed: run dualwrite backfill";
                case PARITY_ZERO -> r.parityMismatches == null || !r.parityAfterChange
                        ? "no parity check since the phase last changed: run dualwrite parity"
                                + (from == Phase.NEW_ONLY ? " (after dualwrite reverse-sync)" : "")
                        : r.parityMismatches != 0 ? "the latest parity check found " + r.parityMismatches + " mismatches: "
                                + (from == Phase.NEW_ONLY ? "run dualwrite reverse-sync, which brings the old column in step"
                                        + " and checks parity" : "run dualwrite parity --repair, then dualwrite parity again")
                        : null;
                case FLEET_ON_CURRENT_PHASE -> {
                    List<String> lagging = Fleet.lagging(c, migration, Set.of(from));
                    yield lagging.isEmpty() ? null : "instances not yet on " + from + ": " + String.join("; ", lagging);
                }
                case STATEMENTS_TRANSLATABLE -> OldColumnGates.untranslatable(c, migration, soak);
                case NEW_TABLE_HAS_COLUMN_TYPE -> OldColumnGates.targetTypeDiffers(c, migration);
                case OLD_COLUMN_MAY_STAY_UNSET -> OldColumnGates.oldColumnNotNull(c, migration);
                case OLD_COLUMN_CONSTRAINTS_KEPT -> OldColumnGates.constraintsNotKept(c, migration);
                case DELETES_REACH_NEW_TABLE -> OldColumnGates.deletesNotFollowed(c, migration);
                case OLD_COLUMN_CONSTRAINTS_RESTORED -> OldColumnGates.constraintsNotRestored(c, migration);
                case ROW_SECURITY_READS_WHAT_IT_WRITES -> OldColumnGates.asymmetricRowSecurity(c, migration);
                case NO_TRIGGER_USES_OLD_COLUMN -> OldColumnGates.triggersUsingOldColumn(c, migration);
                case NO_OBJECT_READS_OLD_COLUMN -> OldColumnGates.objectsReadingOldColumn(c, migration);
                case SOAK_PASSED -> r.secondsInPhase >= soak.toSeconds() ? null : String.format(Locale.ROOT,
                        "the soak time has not passed: %s has been in %s for %s, the soak requires %s (%s left)", migration,
                        from, human(r.secondsInPhase), human(soak.toSeconds()), human(soak.toSeconds() - r.secondsInPhase));
            };
            if (refusal != null) {
                unmet.add(refusal);
            }
        }
        return unmet;
    }

    private record Recorded(boolean backfillComplete, Long parityMismatches, boolean parityAfterChange, double secondsInPhase) {
    }

    private static Recorded recorded(Connection c, String migration) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                SELECT b.completed_at IS NOT NULL, m.last_parity_mismatches, m.last_parity_at > m.phase_changed_at,
                       extract(epoch FROM now() - m.phase_changed_at)
                FROM dualwrite.migration m LEFT JOIN dualwrite.backfill_checkpoint b ON b.migration = m.name
                WHERE m.name = ?""")) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                long parity = rs.getLong(2);
                Long mismatches = rs.wasNull() ? null : parity;
                return new Recorded(rs.getBoolean(1), mismatches, rs.getBoolean(3), rs.getDouble(4));
            }
        }
    }

    /** 90 -> "1m30s", 3600 -> "1h00m". */
    public static String human(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600 ? (s / 3600) + "h" + String.format(Locale.ROOT, "%02dm", s % 3600 / 60)
                : s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
    }
}
