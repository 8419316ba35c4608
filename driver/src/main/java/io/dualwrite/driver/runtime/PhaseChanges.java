package io.dualwrite.driver.runtime;

import io.dualwrite.control.phase.PhaseTransitions;
import io.dualwrite.control.phase.PhaseWriter;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Phase changes made from inside the driver (JMX, automatic read rollback): through the one
 * {@link PhaseWriter} on a connection of its own (the truth, which notifies the fleet), then applied
 * in this JVM at once instead of waiting for the notification.
 */
public final class PhaseChanges {

    private PhaseChanges() {
    }

    /** Makes the move the request asks for, or throws (PhaseRefusedException when refused) and changes nothing. */
    public static PhaseTransitions.Move request(DatabaseRuntime database, PhaseWriter.Request request) throws SQLException {
        PhaseTransitions.Move move;
        try (Connection c = controlConnection(database)) {
            move = PhaseWriter.change(c, request);
        }
        database.applyPhase(request.migration(), move.to());
        return move;
    }

    /** A plain PgJDBC connection to the runtime's database, for control-schema work outside the application's connections. */
    public static Connection controlConnection(DatabaseRuntime database) throws SQLException {
        Connection c = new org.postgresql.Driver().connect(database.pgUrl(), database.connectProperties());
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
