package io.dualwrite.migrator.contract;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The reverse-sync's row in {@code dualwrite.reverse_sync}: the last source key a committed batch reached, batches
 * and rows rewritten, whether the run re-added a dropped column, and when it completed. Each batch advances it in
 * the batch's own transaction, so a killed run resumes after the last committed batch.
 */
final class ReverseSyncCheckpoint {

    /**
     * Where a run starts.
     *
     * @param lastKey    resume after this key (text, cast to the key's type), or null to start at the first key
     * @param resumed    an earlier run of this NEW_ONLY period was interrupted and this one continues it
     * @param complete   an earlier run of this NEW_ONLY period completed: the mirror has kept the column in step since
     * @param readded    the column was re-added by the reverse-sync of this period
     */
    record Start(String lastKey, boolean resumed, boolean complete, boolean readded) {
    }

    private ReverseSyncCheckpoint() {
    }

    /**
     * Reads or resets the checkpoint. A checkpoint from before the migration last entered its phase belongs to an
     * earlier rollback (the mirror may have been dormant since), so it starts over, as it does with {@code restart}.
     */
    static Start begin(Connection c, String migration, boolean restart) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                SELECT r.last_key, r.completed_at IS NOT NULL, r.column_readded, r.started_at >= m.phase_changed_at
                FROM dualwrite.reverse_sync r JOIN dualwrite.migration m ON m.name = r.migration WHERE r.migration = ?""")) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next() && !restart && rs.getBoolean(4)) {
                    boolean complete = rs.getBoolean(2);
                    String last = rs.getString(1);
                    return new Start(last, !complete && last != null, complete, rs.getBoolean(3));
                }
            }
        }
        reset(c, migration, false);
        return new Start(null, false, false, false);
    }

    /** Starts the checkpoint over (in {@code c}'s transaction when one is open). */
    static void reset(Connection c, String migration, boolean columnReadded) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                INSERT INTO dualwrite.reverse_sync (migration, column_readded) VALUES (?, ?)
                ON CONFLICT (migration) DO UPDATE SET last_key = NULL, batches = 0, rows_updated = 0,
                  column_readded = EXCLUDED.column_readded, started_at = now(), updated_at = now(), completed_at = NULL""")) {
            p.setString(1, migration);
            p.setBoolean(2, columnReadded);
            p.executeUpdate();
        }
    }

    /** One committed batch: call inside the batch's transaction. */
    static void advance(Connection c, String migration, String lastKey, long rowsUpdated) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                UPDATE dualwrite.reverse_sync SET last_key = ?, batches = batches + 1, rows_updated = rows_updated + ?,
                  updated_at = now() WHERE migration = ?""")) {
            p.setString(1, lastKey);
            p.setLong(2, rowsUpdated);
            p.setString(3, migration);
            p.executeUpdate();
        }
    }

    static void complete(Connection c, String migration) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "UPDATE dualwrite.reverse_sync SET completed_at = now(), updated_at = now() WHERE migration = ?")) {
            p.setString(1, migration);
            p.executeUpdate();
        }
    }

    /** Where a retry resumes, for the progress line: after which key, or from the first. */
    static String resumePoint(Connection c, String migration) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT last_key, batches, completed_at IS NOT NULL FROM dualwrite.reverse_sync WHERE migration = ?")) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    return "from the first key";
                }
                return rs.getBoolean(3) ? "with the parity check (the batches are complete)"
                        : "after key " + rs.getString(1) + " (" + rs.getLong(2) + " batches committed)";
            }
        }
    }

    /** {batches, rows_updated} over every run of this checkpoint. */
    static long[] totals(Connection c, String migration) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT batches, rows_updated FROM dualwrite.reverse_sync WHERE migration = ?")) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? new long[] {rs.getLong(1), rs.getLong(2)} : new long[] {0, 0};
            }
        }
    }
}
