package io.dualwrite.migrator.parity;

import io.dualwrite.migrator.db.MigrationNames;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How parity cuts the key space into chunks {@code (lo, hi]} (null: unbounded). An integer key is cut
 * arithmetically ({@code chunkKeys} key values per chunk, no scan). Any other ordered key (uuid, text,
 * numeric, ...) is cut at every {@code chunkKeys}-th source key in the key's order: one scan of its index.
 *
 * <p>A text key is ordered, and its bounds compared, by the key columns' collation: expand gives the target's key
 * column the source key's type and collation (or refuses a target whose key differs), so a key falls in the same
 * chunk on both sides.
 */
final class KeyRanges {

    private static final Set<String> INTEGERS = Set.of("bigint", "integer", "smallint");

    private KeyRanges() {
    }

    /** The chunks' bounds in key order; at least one chunk, the first open below and the last open above. */
    static List<String[]> plan(Connection c, MigrationNames names, String keyType, long chunkKeys)
            throws SQLException {
        List<String> cuts = INTEGERS.contains(keyType) ? integerCuts(c, names, chunkKeys) : orderedCuts(c, names, chunkKeys);
        List<String[]> bounds = new ArrayList<>();
        String prev = null;
        for (String cut : cuts) {
            bounds.add(new String[] {prev, cut});
            prev = cut;
        }
        bounds.add(new String[] {prev, null});
        return bounds;
    }

    private static List<String> integerCuts(Connection c, MigrationNames names, long chunkKeys) throws SQLException {
        String lo = null, hi = null;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT min(k)::text, max(k)::text FROM ("
                + "(SELECT min(" + names.key() + ") AS k FROM " + names.source() + ") UNION ALL"
                + " (SELECT max(" + names.key() + ") FROM " + names.source() + ") UNION ALL"
                + " (SELECT min(" + names.targetKey() + ") FROM " + names.target() + ") UNION ALL"
                + " (SELECT max(" + names.targetKey() + ") FROM " + names.target() + ")) x")) {
            if (rs.next()) {
                lo = rs.getString(1);
                hi = rs.getString(2);
            }
        }
        List<String> cuts = new ArrayList<>();
        if (lo != null) {
            BigInteger max = new BigInteger(hi);
            for (BigInteger next = new BigInteger(lo).subtract(BigInteger.ONE).add(BigInteger.valueOf(chunkKeys));
                 next.compareTo(max) < 0; next = next.add(BigInteger.valueOf(chunkKeys))) {
                cuts.add(next.toString());
            }
        }
        return cuts;
    }

    private static List<String> orderedCuts(Connection c, MigrationNames names, long chunkKeys) throws SQLException {
        List<String> cuts = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT k::text FROM (SELECT " + names.key() + " AS k, row_number() OVER"
                + " (ORDER BY " + names.key() + ") AS n FROM " + names.source() + ") x WHERE n % ? = 0 ORDER BY n")) {
            p.setLong(1, chunkKeys);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    cuts.add(rs.getString(1));
                }
            }
        }
        return cuts;
    }
}
