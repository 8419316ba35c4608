package io.dualwrite.control.phase;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.ControlTables;
import io.dualwrite.control.PhaseLog;
import io.dualwrite.control.Transactions;
import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The one writer of phase changes: under a lock on the migration's row it asks
 * {@link PhaseTransitions} for the verdict, evaluates the gates, then writes the new phase, the audit
 * entry and the NOTIFY that wakes the fleet, all in one transaction. The CLI, JMX, the automatic
 * read rollback, contract and reverse sync all change phases through here and nowhere else.
 *
 * <p>{@link #change} needs the operator's privileges (it updates {@code dualwrite.migration}); the application's role
 * has only {@link #rollbackReads}, the one move without gates that the driver makes on its own.
 */
public final class PhaseWriter {

    /**
     * One request to move a migration.
     *
     * @param changedBy who asks, for the audit log ({@code cli@host}, {@code jmx@host/pid}, ...)
     * @param force     skip the gates (never the move's own refusal); recorded as FORCED in the audit log
     * @param command   the command making the move, for moves only it may make; null for {@code dualwrite phase} and JMX
     * @param soak      the soak time {@link Gate#SOAK_PASSED} requires, and the window {@link Gate#STATEMENTS_TRANSLATABLE}
     *                  looks back over
     */
    public record Request(String migration, Phase to, String changedBy, String reason, boolean force,
                          PhaseTransitions.Command command, Duration soak) {

        /** The soak of a request that names none (JMX): the statement evidence of the last day counts. */
        public static final Duration DEFAULT_SOAK = Duration.ofHours(24);

        public static Request of(String migration, Phase to, String changedBy, String reason) {
            return new Request(migration, to, changedBy, reason, false, null, DEFAULT_SOAK);
        }

        public Request forced(boolean force) {
            return new Request(migration, to, changedBy, reason, force, command, soak);
        }

        public Request by(PhaseTransitions.Command command, Duration soak) {
            return new Request(migration, to, changedBy, reason, force, command, soak);
        }
    }

    /** How long {@link #awaitFleet} waits by default: instances follow within a second, an open transaction ends. */
    public static final Duration FLEET_WAIT = Duration.ofSeconds(10);

    private PhaseWriter() {
    }

    /**
     * Before {@link #change}, outside its transaction: when {@code move} (from the migration's phase now) needs
     * {@link Gate#FLEET_ON_CURRENT_PHASE}, waits up to {@code wait} until every live instance applies the current phase
     * (each reads a change within its poll interval, and a transaction open since the phase before keeps that phase
     * until it ends). {@code waiting} hears the lagging instances once when it has to wait. Returns those still lagging,
     * which {@link #change} then refuses with; empty when none lags or the move does not need the fleet.
     */
    public static List<String> awaitFleet(Connection c, String migration, PhaseTransitions.Move move, Duration wait,
                                          Consumer<List<String>> waiting) throws SQLException {
        if (!move.allowed() || !move.gates().contains(Gate.FLEET_ON_CURRENT_PHASE)) {
            return List.of();
        }
        Set<Phase> current = Set.of(move.from());
        List<String> lagging = Fleet.lagging(c, migration, current);
        if (lagging.isEmpty() || wait.isZero()) {
            return lagging;
        }
        waiting.accept(lagging);
        return Fleet.await(c, migration, current, wait);
    }

    /**
     * Makes the move, or throws {@link PhaseRefusedException} and changes nothing. Runs in {@code c}'s open
     * transaction when auto-commit is off (contract drops the column in the same one), else in its own.
     *
     * @return the move made ({@link PhaseTransitions.Move#stays()} when the migration already was in the phase)
     */
    public static PhaseTransitions.Move change(Connection c, Request r) throws SQLException {
        return Transactions.inTransaction(c, () -> {
            Phase from = lockedPhase(c, r.migration());
            PhaseTransitions.Move move = PhaseTransitions.move(from, r.to());
            if (move.stays()) {
                return move;
            }
            if (!move.allowed()) {
                throw new PhaseRefusedException(r.migration() + ": " + from + " -> " + r.to() + " refused: " + move.refusal(),
                        List.of());
            }
            if (move.by() != r.command()) {
                throw new PhaseRefusedException(r.migration() + ": " + from + " -> " + r.to() + " is made by "
                        + (move.by() == null ? "dualwrite phase" : move.by().usage()) + ", not "
                        + (r.command() == null ? "dualwrite phase or JMX" : r.command().usage()), List.of());
            }
            String reason = r.reason();
            if (r.force() && !move.gates().isEmpty()) {
                reason = "FORCED (gates not checked: " + move.gates().stream().map(Enum::name).collect(Collectors.joining(", "))
                        + ")" + (reason == null ? "" : ": " + reason);
            } else {
                List<String> unmet = GateChecks.unmet(c, r.migration(), move, r.soak());
                if (!unmet.isEmpty()) {
                    throw new PhaseRefusedException(r.migration() + ": " + from + " -> " + r.to() + " refused, its gates do"
                            + " not hold: " + String.join("; ", unmet), unmet);
                }
            }
            String note = recordSourceColumns(c, r.migration(), move);
            write(c, r.migration(), move, r.changedBy(), note == null ? reason : reason == null ? note : reason + "; " + note);
            return move;
        });
    }

    /**
     * The automatic read rollback (READ_NEW -> DUAL_WRITE, {@link PhaseTransitions#readRollbackOf}) through
     * {@value ControlTables#ROLLBACK_READS}, which runs with the schema owner's privileges and can make no other move:
     * this is how a driver running as the application's role rolls reads back.
     *
     * @return the move made, or {@link PhaseTransitions.Move#stays()} when the migration was not in READ_NEW
     */
    public static PhaseTransitions.Move rollbackReads(Connection c, String migration, String changedBy, String reason)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT " + ControlTables.ROLLBACK_READS + "(?, ?, ?)")) {
            p.setString(1, migration);
            p.setString(2, changedBy);
            p.setString(3, reason);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getBoolean(1) ? PhaseTransitions.move(Phase.READ_NEW, Phase.DUAL_WRITE)
                        : PhaseTransitions.move(Phase.DUAL_WRITE, Phase.DUAL_WRITE);
            }
        }
    }

    /**
     * Entering READ_NEW or NEW_ONLY the old column still exists: its table's columns are recorded then (the last
     * record before the drop is the contract's). Entering NEW_ONLY the old column's NOT NULL at READ_NEW stays in the
     * record though the operator dropped it (its gate asks for that): the application keeps the constraint through the
     * translation. Returns a note for the audit entry then: a rollback to READ_NEW must restore it.
     */
    private static String recordSourceColumns(Connection c, String migration, PhaseTransitions.Move move) throws SQLException {
        if (move.isRollback() || (move.to() != Phase.READ_NEW && move.to() != Phase.NEW_ONLY)) {
            return null;
        }
        MigrationSpec spec = ControlSchema.require(c, migration).spec();
        if (!ControlSchema.recordSourceColumns(c, spec, move.to() == Phase.NEW_ONLY)) {
            return null;
        }
        return spec.qualifiedSource() + "." + Identifiers.quote(spec.sourceColumn()) + " was NOT NULL in READ_NEW and"
                + " is nullable now (the driver still refuses a NULL in it): after a rollback to READ_NEW and dualwrite"
                + " reverse-sync, restore it with ALTER TABLE " + spec.qualifiedSource() + " ALTER COLUMN "
                + Identifiers.quote(spec.sourceColumn()) + " SET NOT NULL";
    }

    private static Phase lockedPhase(Connection c, String migration) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT phase FROM dualwrite.migration WHERE name = ? FOR UPDATE")) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next()) {
                    return Phase.valueOf(rs.getString(1));
                }
            }
        }
        throw ControlSchema.noSuchMigration(c, migration);
    }

    private static void write(Connection c, String migration, PhaseTransitions.Move move, String by, String reason)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "UPDATE dualwrite.migration SET phase = ?, phase_changed_at = now() WHERE name = ?")) {
            p.setString(1, move.to().name());
            p.setString(2, migration);
            p.executeUpdate();
        }
        PhaseLog.append(c, migration, move.from(), move.to(), by, reason);
        PhaseLog.notifyFleet(c, migration);
    }
}
