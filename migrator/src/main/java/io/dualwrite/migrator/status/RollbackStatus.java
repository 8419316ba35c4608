package io.dualwrite.migrator.status;

import io.dualwrite.migrator.contract.MirrorTrigger;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * The latest reverse-sync of a migration ({@code dualwrite.reverse_sync}), whether its mirror is on the target, and,
 * when the old column was re-added after a contract, where it is now against the recorded order the driver keeps.
 *
 * @param livePosition     the column's position in the table now (null when it does not exist)
 * @param recordedPosition its position in {@code dualwrite.source_column} (null when not recorded)
 */
public record RollbackStatus(String lastKey, long batches, long rowsUpdated, boolean columnReadded, OffsetDateTime startedAt,
                             OffsetDateTime completedAt, boolean mirrorInstalled, Integer livePosition, Integer recordedPosition,
                             int liveColumns) {

    /** Empty when reverse-sync never ran for the migration. */
    static Optional<RollbackStatus> load(Connection c, MigrationSpec spec) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                SELECT r.last_key, r.batches, r.rows_updated, r.column_readded, r.started_at, r.completed_at,
                       (SELECT n FROM (SELECT a.attname, row_number() OVER (ORDER BY a.attnum)::int AS n FROM pg_attribute a
                                       WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped) x
                        WHERE attname = ?),
                       (SELECT position FROM dualwrite.source_column WHERE migration = r.migration AND name = ?),
                       (SELECT count(*)::int FROM pg_attribute a WHERE a.attrelid = to_regclass(?) AND a.attnum > 0
                          AND NOT a.attisdropped)
                FROM dualwrite.reverse_sync r WHERE r.migration = ?""")) {
            p.setString(1, spec.qualifiedSource());
            p.setString(2, spec.sourceColumn());
            p.setString(3, spec.sourceColumn());
            p.setString(4, spec.qualifiedSource());
            p.setString(5, spec.name());
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new RollbackStatus(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getBoolean(4),
                        rs.getObject(5, OffsetDateTime.class), rs.getObject(6, OffsetDateTime.class),
                        MirrorTrigger.installed(c, spec), (Integer) rs.getObject(7), (Integer) rs.getObject(8), rs.getInt(9)));
            }
        }
    }

    /** One line for {@code dualwrite status}. */
    public String describe(MigrationSpec spec) {
        String column = spec.sourceTable() + "." + spec.sourceColumn();
        StringBuilder b = new StringBuilder("reverse-sync: ");
        b.append(completedAt != null ? "complete at " + completedAt : lastKey == null ? "started at " + startedAt
                : "interrupted after key " + lastKey + " (run it again to resume)");
        b.append("; ").append(batches).append(" batches, ").append(rowsUpdated).append(" old values rewritten");
        b.append(mirrorInstalled ? "; mirror trigger on " + spec.targetTable() + " (acts in NEW_ONLY and READ_NEW)" : "");
        if (columnReadded) {
            b.append("; ").append(column).append(" was re-added after the contract");
        }
        if (livePosition != null && recordedPosition != null && !livePosition.equals(recordedPosition)) {
            b.append("; ").append(column).append(" is column ").append(livePosition).append(" of ").append(liveColumns)
                    .append(" for plain clients, column ").append(recordedPosition).append(" in the recorded order the driver"
                            + " keeps for SELECT * in NEW_ONLY and CONTRACTED");
        }
        return b.toString();
    }
}
