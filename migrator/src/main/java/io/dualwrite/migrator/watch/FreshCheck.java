package io.dualwrite.migrator.watch;

import io.dualwrite.migrator.db.MigrationNames;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;

/**
 * The first look at a batch of changed keys: one statement, one snapshot, that compares each key's old
 * column with its primary target row and also says whether the snapshot sees every transaction of the
 * batch. Logical decoding can hand out a commit a moment before new snapshots see it (the commit record
 * is written before the backend leaves the proc array); a check in such a snapshot would see the state
 * before the change and miss it, so the statement is repeated until every transaction is visible.
 */
final class FreshCheck {

    private static final int MAX_ATTEMPTS = 1000;

    private final String sql;

    FreshCheck(MigrationNames n, String keyType) {
        // a 32-bit xid from the stream becomes the xid8 nearest the snapshot's xmax (wraparound-safe both ways)
        String full = "(xm + ((((x - (xm & 4294967295)) + 2147483648) % 4294967296 + 4294967296) % 4294967296 - 2147483648))";
        this.sql = "SELECT (SELECT coalesce(bool_and(pg_visible_in_snapshot(" + full + "::text::xid8, s)), true)"
                + " FROM pg_current_snapshot() s, LATERAL (SELECT pg_snapshot_xmax(s)::text::bigint AS xm) m, unnest(?::bigint[]) x),"
                + " ARRAY(SELECT k.k::text FROM unnest(?::text[]::" + keyType + "[]) k(k) WHERE"
                + " (SELECT max(u." + n.value() + "::text) FROM " + n.source() + " u WHERE u." + n.key() + " = k.k)"
                + " IS DISTINCT FROM (SELECT e." + n.targetValue() + "::text FROM " + n.target() + " e WHERE e." + n.targetKey()
                + " = k.k AND e." + n.primaryFlag() + "))";
    }

    /** The keys out of sync in a snapshot that sees every transaction in {@code xids}. */
    List<String> suspects(Connection c, Collection<String> keys, Collection<Long> xids) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setArray(1, c.createArrayOf("bigint", xids.toArray()));
            p.setArray(2, c.createArrayOf("text", keys.toArray()));
            for (int attempt = 1; ; attempt++) {
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        Array a = rs.getArray(2);
                        return List.of((String[]) a.getArray());
                    }
                }
                if (attempt >= MAX_ATTEMPTS) {
                    throw new SQLException("transactions " + xids + " stayed invisible to new snapshots for " + attempt
                            + " attempts after their commit was decoded");
                }
                Thread.onSpinWait();
            }
        }
    }
}
