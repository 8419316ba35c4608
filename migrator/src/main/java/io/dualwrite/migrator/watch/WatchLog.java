package io.dualwrite.migrator.watch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;

/**
 * {@code dualwrite.watch_log}: one row per drift the watch found, for alerting and for the audit after the
 * fact. The dualwrite schema is not in the watch's publication, so writing here feeds nothing back.
 */
final class WatchLog {

    private WatchLog() {
    }

    static void install(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS dualwrite.watch_log (id bigserial PRIMARY KEY, migration text NOT NULL,"
                    + " key text NOT NULL, source_value text, target_value text, kind text NOT NULL, committed_at timestamptz,"
                    + " detected_at timestamptz NOT NULL DEFAULT clock_timestamp(), delay_ms double precision, commit_lsn pg_lsn,"
                    + " repaired boolean NOT NULL)");
        }
    }

    static void record(Connection c, String migration, Drift d) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO dualwrite.watch_log (migration, key, source_value, target_value,"
                + " kind, committed_at, delay_ms, commit_lsn, repaired) VALUES (?, ?, ?, ?, ?, ?, ?, ?::pg_lsn, ?)")) {
            p.setString(1, migration);
            p.setString(2, d.key());
            p.setString(3, d.sourceValue());
            p.setString(4, d.targetValue());
            p.setString(5, d.kind());
            p.setTimestamp(6, d.committedAt() == null ? null : Timestamp.from(d.committedAt()));
            p.setDouble(7, d.delayMillis());
            p.setString(8, d.commitLsn());
            p.setBoolean(9, d.repaired());
            p.executeUpdate();
        }
    }
}
