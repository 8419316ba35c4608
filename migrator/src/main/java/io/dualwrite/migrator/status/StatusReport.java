package io.dualwrite.migrator.status;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.MigrationState;
import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.migrator.backfill.BackfillCheckpoint;
import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** Reads every migration's status from the control schema. */
public final class StatusReport {

    private StatusReport() {
    }

    /** Empty when the control schema is not installed (nothing expanded yet). */
    /** One application instance as it last reported in {@code dualwrite.instance}. */
    public record Instance(String id, String host, long pid, String startedAt, long heartbeatAgeSeconds, boolean live,
                           String applied) {
    }

    /** How long an instance that stopped heartbeating stays in {@code status} (all stay in {@code --history}). */
    public static final Duration GONE_SHOWN_FOR = Duration.ofHours(1);

    /**
     * Instances newest heartbeat first; live = heartbeat within the gates' stale limit. Without {@code history},
     * only those that heartbeated within {@link #GONE_SHOWN_FOR}: a fleet that restarts daily would otherwise bury
     * the live instances under the gone ones.
     */
    public static List<Instance> instances(Connection c, boolean history) throws SQLException {
        List<Instance> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT to_regclass('dualwrite.instance') IS NOT NULL");
             ResultSet rs = p.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return out;
            }
        }
        try (PreparedStatement p = c.prepareStatement("""
                SELECT id, host, pid, started_at::text, extract(epoch FROM now() - heartbeat_at)::bigint,
                       heartbeat_at > now() - make_interval(secs => ? / 1000.0), applied::text
                FROM dualwrite.instance WHERE ? OR heartbeat_at > now() - make_interval(secs => ?)
                ORDER BY heartbeat_at DESC""")) {
            p.setLong(1, Fleet.STALE_AFTER.toMillis());
            p.setBoolean(2, history);
            p.setLong(3, GONE_SHOWN_FOR.toSeconds());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new Instance(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getLong(5),
                            rs.getBoolean(6), rs.getString(7)));
                }
            }
        }
        return out;
    }

    public static List<MigrationStatus> load(Connection c, int changesPerMigration) throws SQLException {
        List<MigrationStatus> out = new ArrayList<>();
        for (MigrationState m : ControlSchema.load(c)) {
            String name = m.spec().name();
            OffsetDateTime since;
            try (PreparedStatement p = c.prepareStatement("SELECT phase_changed_at FROM dualwrite.migration WHERE name = ?")) {
                p.setString(1, name);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    since = rs.getObject(1, OffsetDateTime.class);
                }
            }
            List<MigrationStatus.PhaseChange> changes = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("""
                    SELECT from_phase, to_phase, changed_by, reason, changed_at FROM dualwrite.phase_change
                    WHERE migration = ? ORDER BY id DESC LIMIT ?""")) {
                p.setString(1, name);
                p.setInt(2, changesPerMigration);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        changes.add(new MigrationStatus.PhaseChange(
                                rs.getString(1) == null ? null : Phase.valueOf(rs.getString(1)),
                                Phase.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4),
                                rs.getObject(5, OffsetDateTime.class)));
                    }
                }
            }
            out.add(new MigrationStatus(m.spec(), m.phase(), since, BackfillCheckpoint.load(c, name).orElse(null),
                    List.copyOf(changes)));
        }
        return out;
    }
}
