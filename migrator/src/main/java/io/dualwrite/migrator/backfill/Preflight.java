package io.dualwrite.migrator.backfill;

import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.ShellCommand;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static io.dualwrite.control.phase.PhaseTransitions.Operation.BACKFILL;

/** The conditions a backfill checks before its first batch; each refuses with a message that says what to do. */
final class Preflight {

    private Preflight() {
    }

    /** The phase must write the target table: a row copied while the application writes only the old one goes stale. */
    static void requireWritesNew(String migration, Phase phase) {
        if (BACKFILL.runsIn(phase)) {
            return;
        }
        if (!phase.writesNew()) {
            Phase first = BACKFILL.phases().iterator().next();
            throw new RefusedException("migration " + migration + " is in phase " + phase + ": the application does not write"
                    + " the target table yet, so every row changed after a batch copied it would go stale. Switch to " + first
                    + " first (" + ShellCommand.dualwrite("phase", "--migration", migration, first.name()) + "), make sure every application"
                    + " instance runs it, then run the backfill.");
        }
        throw new RefusedException("migration " + migration + ": " + BACKFILL.refusalIn(phase) + "; the old column is no"
                + " longer the source of truth, so there is nothing to backfill from it");
    }

    /** One backfill per migration at a time: a session advisory lock on {@code c}. */
    static boolean tryLock(Connection c, String migration) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT pg_try_advisory_lock(hashtextextended(?, 0))")) {
            p.setString(1, lockName(migration));
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    static void unlock(Connection c, String migration) throws SQLException {
        Jdbc.exec(c, "SELECT pg_advisory_unlock(hashtextextended(?, 0))", lockName(migration));
    }

    private static String lockName(String migration) {
        return "dualwrite.backfill:" + migration;
    }

    /**
     * A switch back to EXPANDED after this backfill began stopped the dual writes for a while: rows changed then
     * went to the old column only, so the copies and the checkpoint no longer describe the table.
     */
    static void refuseIfExpandedSince(Connection c, String migration, BackfillCheckpoint cp) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT max(changed_at) FROM dualwrite.phase_change"
                + " WHERE migration = ? AND to_phase = 'EXPANDED' AND changed_at > ?")) {
            p.setString(1, migration);
            p.setObject(2, cp.startedAt());
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next() && rs.getObject(1) != null) {
                    throw new RefusedException("the phase of " + migration + " went back to EXPANDED at " + rs.getObject(1)
                            + ", after this backfill began (" + cp.startedAt() + "): rows changed then were written to the old"
                            + " column only, so its copies may be stale. Empty the target table (nothing reads it before"
                            + " READ_NEW) and run dualwrite backfill --restart; or run it with --restart and then dualwrite"
                            + " parity --repair.");
                }
            }
        }
    }

    /** Every live application instance dual-writes: waits up to {@code timeout} for their acknowledgements. */
    static void awaitAcknowledgements(Connection c, String migration, Duration timeout) throws SQLException {
        List<String> lagging = Fleet.await(c, migration, BACKFILL.phases(),
                timeout);
        if (!lagging.isEmpty()) {
            throw new RefusedException(lagging.size() + " live application instance(s) do not dual-write " + migration
                    + " yet, so rows they change after a batch copied them would go stale: " + String.join("; ", lagging)
                    + ". Wait until they pick up the phase (drivers poll the control schema every second), restart or stop"
                    + " them, then run the backfill again.");
        }
    }

    /**
     * Acknowledgements cover the JDBC transactions of every instance (they are pinned to their phase), not an
     * auto-commit statement that began before the switch and still runs: it writes the old column only. So wait,
     * up to {@code timeout}, until no statement naming the source table that started before now runs.
     */
    static void awaitOlderStatements(Connection c, MigrationSpec spec, Duration timeout) throws SQLException {
        long deadline = System.nanoTime() + timeout.toNanos();
        OffsetDateTime since;
        try (PreparedStatement p = c.prepareStatement("SELECT clock_timestamp()"); ResultSet rs = p.executeQuery()) {
            rs.next();
            since = rs.getObject(1, OffsetDateTime.class); // statements newer than this are dual writes
        }
        try (PreparedStatement p = c.prepareStatement("""
                SELECT pid, coalesce(application_name, ''), query_start, left(regexp_replace(query, '\\s+', ' ', 'g'), 80)
                FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'
                  AND pid <> pg_backend_pid() AND state = 'active' AND query_start < ? AND query ILIKE ?""")) {
            p.setObject(1, since);
            p.setString(2, "%" + spec.sourceTable().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            while (true) {
                List<String> running = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        running.add("pid " + rs.getInt(1) + " (" + rs.getString(2) + ", since " + rs.getObject(3) + "): "
                                + rs.getString(4));
                    }
                }
                if (running.isEmpty()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new RefusedException(running.size() + " statement(s) naming " + spec.sourceTable() + " began before"
                            + " every instance applied DUAL_WRITE and still run; they may write the old column only: "
                            + String.join("; ", running) + ". Wait for them to finish (or end them), then run the backfill again.");
                }
                Jdbc.sleep(100);
            }
        }
    }
}
