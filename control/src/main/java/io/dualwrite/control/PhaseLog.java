package io.dualwrite.control;

import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The audit log of phases ({@code dualwrite.phase_change}) and the channel that wakes the fleet. Only
 * appends: phases themselves change through {@link io.dualwrite.control.phase.PhaseWriter} alone.
 */
public final class PhaseLog {

    /** The channel every driver instance LISTENs on; the payload is the migration's name. */
    public static final String CHANNEL = "dualwrite_control";

    private PhaseLog() {
    }

    /** One audit entry; {@code from} is null for a migration's first phase. */
    public static void append(Connection c, String migration, Phase from, Phase to, String by, String reason)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO dualwrite.phase_change (migration, from_phase, to_phase, changed_by, reason) VALUES (?,?,?,?,?)")) {
            p.setString(1, migration);
            p.setString(2, from == null ? null : from.name());
            p.setString(3, to.name());
            p.setString(4, by);
            p.setString(5, reason);
            p.executeUpdate();
        }
    }

    /** Wakes every instance's follower at commit; polling covers a lost notification. */
    public static void notifyFleet(Connection c, String migration) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
            p.setString(1, migration);
            p.execute();
        }
    }
}
