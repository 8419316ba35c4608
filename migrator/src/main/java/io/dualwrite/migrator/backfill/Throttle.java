package io.dualwrite.migrator.backfill;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Replica replay lag and a custom throttle query, checked at most once a second per worker. */
final class Throttle {
    private static final long CHECK_INTERVAL_NANOS = 1_000_000_000L;

    private final BackfillOptions o;
    private long checkedAt;
    private boolean last;

    Throttle(BackfillOptions o) {
        this.o = o;
    }

    /** Whether the worker should wait before its next batch; ends the transaction the check ran in. */
    boolean throttled(Connection wc) throws SQLException {
        if (o.maxReplicaLag() == null && o.throttleQuery() == null) {
            return false;
        }
        long now = System.nanoTime();
        if (checkedAt != 0 && now - checkedAt < CHECK_INTERVAL_NANOS) {
            return last;
        }
        checkedAt = now;
        boolean t = false;
        try (Statement s = wc.createStatement()) {
            if (o.maxReplicaLag() != null) {
                try (ResultSet rs = s.executeQuery(
                        "SELECT coalesce(max(extract(epoch FROM replay_lag)), 0) FROM pg_stat_replication")) {
                    rs.next();
                    t = rs.getDouble(1) * 1000 > o.maxReplicaLag().toMillis();
                }
            }
            if (!t && o.throttleQuery() != null) {
                try (ResultSet rs = s.executeQuery(o.throttleQuery())) {
                    t = rs.next() && rs.getBoolean(1);
                }
            }
        }
        wc.commit();
        last = t;
        return t;
    }
}
