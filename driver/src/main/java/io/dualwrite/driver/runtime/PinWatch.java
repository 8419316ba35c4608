package io.dualwrite.driver.runtime;

import io.dualwrite.rewriter.Phase;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bound on how long one connection can hold an instance's acknowledgement back. Each round of
 * the follower, for every open connection whose transaction is pinned to a phase other than the
 * live one, it asks PostgreSQL (pg_stat_activity, by backend pid) what that connection is doing:
 * <ul>
 *   <li>no transaction open (or the backend is gone): the transaction ended in a way the driver
 *       did not see (a COMMIT in a pass-through PreparedStatement, a procedure that commits, a
 *       connection dropped); its pins are released;</li>
 *   <li>idle in a transaction for longer than {@code dualwrite.pinIdleSeconds} (default
 *       {@value #DEFAULT_IDLE_SECONDS}; a pooled connection left in an open transaction, a leaked
 *       one): its backend is terminated ({@code pg_terminate_backend}, as PostgreSQL's own
 *       {@code idle_in_transaction_session_timeout} does), so the transaction rolls back and can
 *       never commit writes of the old phase; logged and counted ({@code HeldTransactionsEnded});</li>
 *   <li>otherwise (running a statement, or idle for a shorter time): it keeps holding the
 *       acknowledgement back, and is reported by name ({@code HeldBackBy} in JMX).</li>
 * </ul>
 * {@code dualwrite.pinIdleSeconds=0} never terminates (the connection then holds the acknowledgement
 * for as long as it stays idle in its transaction, and is reported).
 */
final class PinWatch {

    static final long DEFAULT_IDLE_SECONDS = 60;
    private static final System.Logger LOG = System.getLogger("io.dualwrite.driver");

    private PinWatch() {
    }

    /** One round: releases, terminates and reports the connections that hold the acknowledgement back. */
    static void check(Connection follower, DatabaseRuntime database) throws SQLException {
        Map<Integer, ConnectionPins> holders = new HashMap<>();
        Map<Integer, Long> activity = new HashMap<>();
        Map<Integer, String> held = new HashMap<>();
        Map<Integer, List<MigrationRuntime>> heldMigrations = new HashMap<>();
        for (MigrationRuntime m : database.migrations().runtimes()) {
            for (ConnectionPins c : database.openConnectionsPins()) {
                Phase pinned = c.pinnedPhase(m);
                if (pinned != null && pinned != m.phase()) {
                    holders.put(c.backendPid(), c);
                    activity.put(c.backendPid(), c.activity());
                    held.merge(c.backendPid(), m.spec().name() + " " + pinned, (a, b) -> a + ", " + b);
                    heldMigrations.computeIfAbsent(c.backendPid(), pid -> new ArrayList<>()).add(m);
                }
            }
        }
        List<String> report = new ArrayList<>();
        if (!holders.isEmpty()) {
            long idleSeconds = Long.getLong("dualwrite.pinIdleSeconds", DEFAULT_IDLE_SECONDS);
            Map<Integer, String[]> states = states(follower, holders.keySet());
            for (Map.Entry<Integer, ConnectionPins> e : holders.entrySet()) {
                int pid = e.getKey();
                ConnectionPins c = e.getValue();
                long before = activity.get(pid);
                String[] state = states.get(pid);
                boolean quiet = before % 2 == 0 && c.activity() == before;
                String who = "backend " + pid + (state == null ? "" : " (" + state[1] + ")") + " pinned to " + held.get(pid);
                if (quiet && (state == null || "idle".equals(state[0]))) {
                    c.release(before);
                } else if (quiet && idleSeconds > 0 && state[0].startsWith("idle in transaction")
                        && Long.parseLong(state[2]) >= idleSeconds) {
                    terminate(follower, pid);
                    heldMigrations.get(pid).forEach(MigrationRuntime::countHeldTransactionEnded);
                    LOG.log(System.Logger.Level.WARNING, "dualwrite: ended " + who + ", idle in its transaction for " + state[2]
                            + " s (more than dualwrite.pinIdleSeconds=" + idleSeconds + ") while the fleet moved on;"
                            + " the transaction rolled back");
                } else {
                    report.add(who + (state == null ? "" : ", " + state[0] + " for " + state[2] + " s"));
                }
            }
        }
        for (MigrationRuntime m : database.migrations().runtimes()) {
            m.heldBackBy(report);
        }
    }

    /** pid -> {state, application_name, seconds in that state} of the given backends. */
    private static Map<Integer, String[]> states(Connection c, Iterable<Integer> pids) throws SQLException {
        List<Integer> list = new ArrayList<>();
        pids.forEach(list::add);
        Map<Integer, String[]> out = new HashMap<>();
        Array array = c.createArrayOf("int4", list.toArray());
        try (PreparedStatement p = c.prepareStatement("""
                SELECT pid, state, application_name, floor(extract(epoch FROM now() - state_change))::bigint
                FROM pg_stat_activity WHERE pid = ANY (?)""")) {
            p.setArray(1, array);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getInt(1), new String[] {String.valueOf(rs.getString(2)), rs.getString(3), String.valueOf(rs.getLong(4))});
                }
            }
        }
        return out;
    }

    private static void terminate(Connection c, int pid) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
            p.setInt(1, pid);
            p.execute();
        }
    }
}
