package io.dualwrite.driver.runtime;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.phase.PhaseTransitions;
import io.dualwrite.control.phase.PhaseWriter;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Phase changes made from inside the driver: JMX through the one {@link PhaseWriter} as the operator
 * ({@link OperatorCredential}), the automatic read rollback as the application's role through the one move that role
 * may make ({@link PhaseWriter#rollbackReads}); each on a connection of its own (the truth, which notifies the fleet),
 * then applied in this JVM at once instead of waiting for the notification.
 */
public final class PhaseChanges {

    /** SQLState of a change refused because no operator credential is configured (insufficient privilege). */
    public static final String NO_OPERATOR = "42501";

    private PhaseChanges() {
    }

    /**
     * Makes the move the request asks for as the operator, or throws (PhaseRefusedException when refused, SQLState
     * {@value #NO_OPERATOR} when no operator credential is configured) and changes nothing. Unless forced, it first
     * waits for the fleet where the move needs it ({@link PhaseWriter#awaitFleet}, {@link PhaseWriter#FLEET_WAIT}).
     */
    public static PhaseTransitions.Move request(DatabaseRuntime database, PhaseWriter.Request request) throws SQLException {
        PhaseTransitions.Move move;
        try (Connection c = operatorConnection(database, "change the phase of " + request.migration())) {
            if (!request.force()) {
                PhaseTransitions.Move planned = PhaseTransitions.move(ControlSchema.require(c, request.migration()).phase(),
                        request.to());
                PhaseWriter.awaitFleet(c, request.migration(), planned, PhaseWriter.FLEET_WAIT, lagging -> { });
            }
            move = PhaseWriter.change(c, request);
        }
        database.applyPhase(request.migration(), move.to());
        return move;
    }

    /** READ_NEW -> DUAL_WRITE as the application's own role; a migration no longer in READ_NEW stays as it is. */
    static PhaseTransitions.Move rollBackReads(DatabaseRuntime database, String migration, String changedBy, String reason)
            throws SQLException {
        PhaseTransitions.Move move;
        try (Connection c = controlConnection(database)) {
            move = PhaseWriter.rollbackReads(c, migration, changedBy, reason);
        }
        database.applyPhase(migration, move.to());
        return move;
    }

    /** A plain PgJDBC connection to the runtime's database as the application's role, outside its pool. */
    public static Connection controlConnection(DatabaseRuntime database) throws SQLException {
        return checked(PgConnect.connectWriting(database.pgUrl(), database.connectProperties()), database);
    }

    /**
     * A plain PgJDBC connection as the operator, for {@code what} (e.g. "change the phase of users.email"); refused with
     * a message saying how to configure one when the driver has none.
     */
    public static Connection operatorConnection(DatabaseRuntime database, String what) throws SQLException {
        OperatorCredential operator = database.operator();
        if (operator == null) {
            throw new SQLException("cannot " + what + " from this JVM: JMX is read-only here because no operator credential"
                    + " is configured (the application's own role may read the phase but not change it). Set the driver"
                    + " properties " + OperatorCredential.USER_PROPERTY + " and " + OperatorCredential.PASSWORD_PROPERTY
                    + " to a role with the operator's grants (dualwrite grant --operator-role), or run dualwrite phase as the"
                    + " operator", NO_OPERATOR);
        }
        return checked(operator.connect(database.pgUrl(), database.connectProperties()), database);
    }

    private static Connection checked(Connection c, DatabaseRuntime database) throws SQLException {
        if (c == null) {
            throw new SQLException("PgJDBC refused the URL " + database.displayUrl(), "08001");
        }
        return c;
    }

    /** {@code host/pid}: who changed a phase, for the audit log. */
    public static String instanceId() {
        return ManagementFactory.getRuntimeMXBean().getName();
    }
}
