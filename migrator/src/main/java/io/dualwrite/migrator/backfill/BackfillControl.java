package io.dualwrite.migrator.backfill;

import io.dualwrite.control.ControlTables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * Live control of a running backfill through {@code dualwrite.backfill_control}: every worker reads the
 * row between batches, so {@code dualwrite backfill --pause | --resume | --set-batch-size N} takes effect
 * within one batch, from any host.
 */
public final class BackfillControl {

    /** @param batchSize a fixed batch size overriding the adaptive one, or null */
    public record State(boolean paused, Integer batchSize) {
        static final State NONE = new State(false, null);
    }

    private BackfillControl() {
    }

    public static State read(Connection c, String migration) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT paused, batch_size FROM dualwrite.backfill_control WHERE migration = ?")) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return State.NONE;
                }
                // by its own NULL: wasNull() after getBoolean(1) would tell paused's
                return new State(rs.getBoolean(1), rs.getObject(2, Integer.class));
            }
        }
    }

    /**
     * Whether a backfill of {@code migration} runs now: a live one holds its session advisory lock, which the server
     * releases with the session of a process that was killed. Tried and released at once, so it never keeps one out.
     */
    public static boolean running(Connection c, String migration) throws SQLException {
        if (!Preflight.tryLock(c, migration)) {
            return true;
        }
        Preflight.unlock(c, migration);
        return false;
    }

    public static void setPaused(Connection c, String migration, boolean paused, String by) throws SQLException {
        upsert(c, migration, "paused", paused, by);
    }

    /** {@code size} null or 0 returns to the adaptive size. */
    public static void setBatchSize(Connection c, String migration, Integer size, String by) throws SQLException {
        upsert(c, migration, "batch_size", size == null || size == 0 ? null : size, by);
    }

    private static void upsert(Connection c, String migration, String column, Object value, String by) throws SQLException {
        ControlTables.install(c);
        try (PreparedStatement p = c.prepareStatement("INSERT INTO dualwrite.backfill_control AS b (migration, " + column
                + ", updated_by) VALUES (?, ?, ?) ON CONFLICT (migration) DO UPDATE SET " + column + " = EXCLUDED." + column
                + ", updated_by = EXCLUDED.updated_by, updated_at = now()")) {
            p.setString(1, migration);
            p.setObject(2, value, value instanceof Boolean ? Types.BOOLEAN : Types.INTEGER);
            p.setString(3, by);
            p.executeUpdate();
        }
        if (!c.getAutoCommit()) {
            c.commit();
        }
    }
}
