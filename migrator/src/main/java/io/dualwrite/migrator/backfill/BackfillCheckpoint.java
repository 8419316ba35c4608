package io.dualwrite.migrator.backfill;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * One row of {@code dualwrite.backfill_checkpoint} (the totals), with the sums of its page ranges in
 * {@code dualwrite.backfill_range}: source rows scanned, pages done and pages planned.
 */
public record BackfillCheckpoint(String migration, long rowsCopied, long batches, Long totalRows,
                                 OffsetDateTime startedAt, OffsetDateTime updatedAt, OffsetDateTime completedAt,
                                 long rowsScanned, long pagesDone, long pagesTotal) {

    public boolean complete() {
        return completedAt != null;
    }

    /** The checkpoint of a migration, if a backfill ever started. */
    public static Optional<BackfillCheckpoint> load(Connection c, String migration) throws SQLException {
        boolean ranges;
        try (PreparedStatement p = c.prepareStatement("SELECT to_regclass('dualwrite.backfill_range') IS NOT NULL");
             ResultSet rs = p.executeQuery()) {
            rs.next();
            ranges = rs.getBoolean(1); // created by the first backfill
        }
        try (PreparedStatement p = c.prepareStatement("""
                SELECT cp.migration, cp.rows_copied, cp.batches, cp.total_rows, cp.started_at, cp.updated_at, cp.completed_at,
                  coalesce(r.scanned, 0), coalesce(r.done, 0), coalesce(r.planned, 0)
                FROM dualwrite.backfill_checkpoint cp LEFT JOIN LATERAL (%s) r ON true
                WHERE cp.migration = ?""".formatted(ranges ? """
                SELECT sum(rows_scanned) AS scanned, sum(next_page - lo_page) AS done, sum(hi_page - lo_page) AS planned
                FROM dualwrite.backfill_range WHERE migration = cp.migration AND source_filenode IS NOT NULL"""
                : "SELECT NULL::bigint AS scanned, NULL::bigint AS done, NULL::bigint AS planned"))) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long total = rs.getLong(4);
                Long totalRows = rs.wasNull() ? null : total;
                return Optional.of(new BackfillCheckpoint(rs.getString(1), rs.getLong(2), rs.getLong(3),
                        totalRows, rs.getObject(5, OffsetDateTime.class), rs.getObject(6, OffsetDateTime.class),
                        rs.getObject(7, OffsetDateTime.class), rs.getLong(8), rs.getLong(9), rs.getLong(10)));
            }
        }
    }
}
