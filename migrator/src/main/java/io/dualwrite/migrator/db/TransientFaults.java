package io.dualwrite.migrator.db;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Set;

/**
 * Which failures of a long-running command are transient: the same work, on a new connection, a moment later, can
 * succeed. Those are a lost connection ({@code 08xxx}, or an I/O error under the driver's exception), a server
 * shutting down or restarting ({@code 57P01}, {@code 57P02}, {@code 57P03}), and a serialization failure or deadlock
 * ({@code 40001}, {@code 40P01}), which the migrator only ever sees on its own statements, and what a lost session
 * still holds on the server ({@link StillHeld}). Everything else (a refused
 * gate, a missing table, a wrong password, a bug) is fatal: retrying would fail the same way.
 */
public final class TransientFaults {

    /**
     * A condition the work waits out like a fault: the server still holds what a lost session held (an advisory lock)
     * until it notices the session is gone, which after a network failure can take until its TCP keepalive.
     */
    public static final class StillHeld extends SQLException {
        public StillHeld(String message) {
            super(message, "55P03");
        }
    }

    private static final Set<String> STATES = Set.of("57P01", "57P02", "57P03", "40001", "40P01");

    private TransientFaults() {
    }

    /**
     * What makes {@code failure} transient, for the progress line ({@code "57P01 terminating connection due to
     * administrator command"}), or null when it is fatal. Looks through the causes: a failed connect is wrapped.
     */
    public static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StillHeld held) {
                return "55P03 " + firstLine(held.getMessage());
            }
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (state.startsWith("08") || STATES.contains(state)) {
                    return state + " " + firstLine(s.getMessage());
                }
            }
            if (t instanceof IOException io) {
                return "I/O error " + firstLine(String.valueOf(io.getMessage()));
            }
        }
        return null;
    }

    public static boolean isTransient(Throwable failure) {
        return describe(failure) != null;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
