package io.dualwrite.migrator.backfill;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;

/** One row of {@code dualwrite.backfill_checkpoint}. */
public record BackfillCheckpoint(String migration, String lastKey, long rowsCopied, long batches, Long totalRows,
                                 OffsetDateTime startedAt, OffsetDateTime updatedAt, OffsetDateTime completedAt) {

    public boolean complete() {
        return completedAt != null;
    }

    /** The checkpoint of a migration, if a backfill ever started. */
    public static Optional<BackfillCheckpoint> load(Connection c, String migration) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                SELECT migration, last_key, rows_copied, batches, total_rows, started_at, updated_at, completed_at
                FROM dualwrite.backfill_checkpoint WHERE migration = ?""")) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long total = rs.getLong(5);
                Long totalRows = rs.wasNull() ? null : total;
                return Optional.of(new BackfillCheckpoint(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                        totalRows, rs.getObject(6, OffsetDateTime.class), rs.getObject(7, OffsetDateTime.class),
                        rs.getObject(8, OffsetDateTime.class)));
            }
        }
    }
}
