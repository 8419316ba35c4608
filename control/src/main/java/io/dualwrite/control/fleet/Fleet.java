package io.dualwrite.control.fleet;

import io.dualwrite.control.Queries;
import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The fleet of application instances: their heartbeats, and which live ones do not apply a phase yet. Driver instances write a heartbeat
 * with the phase they apply per migration into {@code dualwrite.instance} (columns {@code id, host,
 * pid, heartbeat_at, applied jsonb {"users.email": "DUAL_WRITE", …}}); an instance whose heartbeat
 * is older than {@link #STALE_AFTER} is taken as gone. When the table does not exist (no driver
 * version that acknowledges has connected yet) nothing is known and the list is empty.
 *
 * <p>An instance heartbeats only once it knows a migration, so one that has not yet read a migration just registered
 * has no row to lag behind. Every instance with an open connection keeps one follower session, though
 * ({@value #FOLLOWER_APPLICATION_NAME} in {@code pg_stat_activity}), which runs a round of queries at least every poll
 * interval: more such sessions in this database, active within {@link #STALE_AFTER}, than live instances reporting the
 * migration means some have not read it yet. A session silent for longer (its client gone without closing the socket,
 * which the server may notice only hours later) counts as gone, like a heartbeat; a role that may not see other roles'
 * session state ({@code pg_read_all_stats}) sees no state and counts heartbeats alone, as before this count existed.
 */
public final class Fleet {

    /** Drivers heartbeat every second by default; 15 s of silence means the instance is gone. */
    public static final Duration STALE_AFTER = Duration.ofSeconds(15);

    /** The application name of each driver instance's follower session: one per instance with an open connection. */
    public static final String FOLLOWER_APPLICATION_NAME = "dualwrite-follower";

    private Fleet() {
    }

    /**
     * Records that a driver instance is alive and which phase it applies to each migration
     * ({@code appliedJson}: {"users.email": "DUAL_WRITE", …}); gates and the backfill read these.
     */
    public static void heartbeat(Connection c, String instanceId, String host, long pid, Instant startedAt,
                                 String appliedJson) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                INSERT INTO dualwrite.instance (id, host, pid, started_at, heartbeat_at, applied)
                VALUES (?, ?, ?, ?, now(), ?::jsonb)
                ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), applied = EXCLUDED.applied""")) {
            p.setString(1, instanceId);
            p.setString(2, host);
            p.setLong(3, pid);
            p.setObject(4, OffsetDateTime.ofInstant(startedAt, ZoneOffset.UTC));
            p.setString(5, appliedJson);
            p.executeUpdate();
        }
    }

    /** Live instances whose applied phase for {@code migration} is not one of {@code accepted}, described for a human. */
    public static List<String> lagging(Connection c, String migration, Set<Phase> accepted) throws SQLException {
        List<String> out = new ArrayList<>();
        if (!recorded(c)) {
            return out;
        }
        try (PreparedStatement p = c.prepareStatement("""
                SELECT id, host, pid, applied ->> ? FROM dualwrite.instance
                WHERE heartbeat_at > now() - make_interval(secs => ?)
                  AND NOT coalesce(applied ->> ? = ANY (?), false)
                ORDER BY host, pid, id""")) {
            p.setString(1, migration);
            p.setDouble(2, STALE_AFTER.toMillis() / 1000.0);
            p.setString(3, migration);
            p.setArray(4, c.createArrayOf("text", accepted.stream().map(Enum::name).toArray()));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(2) + " pid " + rs.getLong(3) + " (instance " + rs.getString(1) + ", applies "
                            + (rs.getString(4) == null ? "nothing for this migration" : rs.getString(4)) + ")");
                }
            }
        }
        long unreported = unreported(c, migration);
        if (unreported > 0) {
            out.add(unreported + " driver instance(s) connected to this database (sessions named " + FOLLOWER_APPLICATION_NAME
                    + ") that have not reported " + migration + " yet: an instance reads a newly registered migration within"
                    + " its poll interval (500 ms by default), and one that cannot read the control schema says why in its log");
        }
        return out;
    }

    /**
     * Follower sessions in this database active within {@link #STALE_AFTER} beyond the live instances that report
     * {@code migration} in any phase (null: any migration, i.e. instances connected that do not heartbeat at all); 0
     * without the control schema.
     */
    public static long unreported(Connection c, String migration) throws SQLException {
        if (!recorded(c)) {
            return 0;
        }
        try (PreparedStatement p = c.prepareStatement("""
                SELECT (SELECT count(*) FROM pg_catalog.pg_stat_activity
                        WHERE datname = current_database() AND application_name = ?
                          AND coalesce(state_change > now() - make_interval(secs => ?), false))
                     - (SELECT count(*) FROM dualwrite.instance
                        WHERE heartbeat_at > now() - make_interval(secs => ?) AND (?::text IS NULL OR applied ->> ? IS NOT NULL))""")) {
            double staleSeconds = STALE_AFTER.toMillis() / 1000.0;
            p.setString(1, FOLLOWER_APPLICATION_NAME);
            p.setDouble(2, staleSeconds);
            p.setDouble(3, staleSeconds);
            p.setString(4, migration);
            p.setString(5, migration);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return Math.max(0, rs.getLong(1));
            }
        }
    }

    /** Whether {@code dualwrite.instance} exists (no driver that acknowledges has connected to the schema yet if not). */
    private static boolean recorded(Connection c) throws SQLException {
        return Queries.isTrue(c, "SELECT to_regclass('dualwrite.instance') IS NOT NULL");
    }

    /** Live instances whose applied phase for {@code migration} is one of {@code accepted}. */
    private static int applying(Connection c, String migration, Set<Phase> accepted) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                SELECT count(*) FROM dualwrite.instance
                WHERE heartbeat_at > now() - make_interval(secs => ?) AND applied ->> ? = ANY (?)""")) {
            p.setDouble(1, STALE_AFTER.toMillis() / 1000.0);
            p.setString(2, migration);
            p.setArray(3, c.createArrayOf("text", accepted.stream().map(Enum::name).toArray()));
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * Polls until no live instance lags or {@code timeout} passes; returns the instances still lagging
     * (empty = all acknowledged).
     */
    public static List<String> await(Connection c, String migration, Set<Phase> accepted, Duration timeout)
            throws SQLException {
        return await(c, migration, accepted, timeout, 0);
    }

    /**
     * {@link #await}, and until at least {@code acknowledging} live instances apply an accepted phase: for a caller
     * that knows how many applications run. An instance that has not reported yet (one that finds the control schema
     * only on its next refresh after {@code expand}) lags nobody, so without this the wait can end before it starts.
     * When too few acknowledged in time, the returned list says so.
     */
    public static List<String> await(Connection c, String migration, Set<Phase> accepted, Duration timeout,
                                     int acknowledging) throws SQLException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> lagging = lagging(c, migration, accepted);
            // counted only once none lags: a lagging instance is reported by name
            int applying = lagging.isEmpty() && acknowledging > 0 ? applying(c, migration, accepted) : acknowledging;
            if (lagging.isEmpty() && applying >= acknowledging) {
                return lagging;
            }
            if (System.nanoTime() >= deadline) {
                return applying >= acknowledging ? lagging : List.of("only " + applying + " live instance(s) apply "
                        + accepted + " for " + migration + ", expected at least " + acknowledging);
            }
            try {
                Thread.sleep(Math.min(500, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return lagging;
            }
        }
    }
}
