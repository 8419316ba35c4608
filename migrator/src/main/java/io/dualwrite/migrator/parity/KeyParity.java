package io.dualwrite.migrator.parity;

import io.dualwrite.migrator.db.MigrationNames;
import io.dualwrite.migrator.db.Rollback;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;

/**
 * Parity of single keys: the re-check under a row lock and the repair from the old column. The chunked
 * parity narrows chunks down to keys and hands them here; the watch ({@code dualwrite watch}) hands the
 * keys a change feed named. One implementation, so both report and repair exactly alike.
 */
public final class KeyParity {

    private final MigrationNames names;
    private final String keyType;

    /** @param keyType the source key's SQL type, e.g. {@code bigint} (keys travel as text and are cast) */
    public KeyParity(MigrationNames names, String keyType) {
        this.names = names;
        this.keyType = keyType;
    }

    /**
     * One key again, in a fresh transaction: lock the source row FOR SHARE (waits for an in-flight dual
     * write of it), then read both sides in one statement. Null when the key is consistent now.
     */
    public Mismatch recheck(Connection wc, String key) throws SQLException {
        String src = names.source(), tgt = names.target(), k = names.key(), v = names.value();
        wc.setAutoCommit(false);
        try {
            try (PreparedStatement p = wc.prepareStatement("SELECT 1 FROM " + src + " WHERE " + k + " = ?::" + keyType + " FOR SHARE")) {
                p.setString(1, key);
                p.executeQuery().close();
            }
            try (PreparedStatement p = wc.prepareStatement("SELECT s.present, s.v, (SELECT " + names.targetValue() + "::text FROM "
                    + tgt + " WHERE " + names.targetKey() + " = ?::" + keyType + " AND " + names.primaryFlag() + ")"
                    + " FROM (SELECT count(*) > 0 AS present, max(" + v + "::text) AS v FROM " + src + " WHERE " + k + " = ?::"
                    + keyType + ") s")) {
                p.setString(1, key);
                p.setString(2, key);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    boolean present = rs.getBoolean(1);
                    String sv = rs.getString(2), tv = rs.getString(3);
                    if (!present) {
                        return tv == null ? null : new Mismatch(key, null, tv, Mismatch.Kind.ORPHAN);
                    }
                    return Objects.equals(sv, tv) ? null : new Mismatch(key, sv, tv, Mismatch.Kind.MISMATCH);
                }
            }
        } finally {
            wc.commit();
            wc.setAutoCommit(true);
        }
    }

    /** Rewrites the keys from the old column under FOR NO KEY UPDATE of their source rows; deletes orphans. */
    public long repair(Connection wc, List<String> keys) throws SQLException {
        String src = names.source(), tgt = names.target(), k = names.key(), v = names.value();
        String tk = names.targetKey(), tv = names.targetValue(), flag = names.primaryFlag();
        String sql = "WITH b AS (SELECT " + k + " AS k, " + v + " AS v FROM " + src + " WHERE " + k + " = ANY(?::text[]::" + keyType
                + "[]) ORDER BY " + k + " FOR NO KEY UPDATE),"
                + " ins AS (INSERT INTO " + tgt + " AS t (" + tk + ", " + tv + ", " + flag + ") SELECT k, v, true FROM b WHERE v IS NOT NULL"
                + " ON CONFLICT (" + tk + ") WHERE " + flag + " DO UPDATE SET " + tv + " = EXCLUDED." + tv
                + " WHERE t." + tv + " IS DISTINCT FROM EXCLUDED." + tv + " RETURNING 1),"
                + " del AS (DELETE FROM " + tgt + " t USING b WHERE t." + tk + " = b.k AND t." + flag + " AND b.v IS NULL RETURNING 1),"
                + " orph AS (DELETE FROM " + tgt + " t WHERE t." + tk + " = ANY(?::text[]::" + keyType + "[]) AND t." + flag
                + " AND NOT EXISTS (SELECT 1 FROM " + src + " u WHERE u." + k + " = t." + tk + ") RETURNING 1)"
                + " SELECT (SELECT count(*) FROM ins) + (SELECT count(*) FROM del) + (SELECT count(*) FROM orph)";
        long n = 0;
        wc.setAutoCommit(false);
        try {
            for (int from = 0; from < keys.size(); from += 1000) {
                Object[] arr = keys.subList(from, Math.min(keys.size(), from + 1000)).toArray();
                for (int attempt = 1; ; attempt++) {
                    try (PreparedStatement p = wc.prepareStatement(sql)) {
                        p.setArray(1, wc.createArrayOf("text", arr));
                        p.setArray(2, wc.createArrayOf("text", arr));
                        try (ResultSet rs = p.executeQuery()) {
                            rs.next();
                            n += rs.getLong(1);
                        }
                        wc.commit();
                        break;
                    } catch (SQLException e) {
                        Rollback.after(wc, e);
                        String st = e.getSQLState();
                        if (!("40001".equals(st) || "40P01".equals(st)) || attempt >= 10) {
                            throw e;
                        }
                    }
                }
            }
        } finally {
            if (!wc.isClosed()) { // else the failure is the one to report
                wc.setAutoCommit(true);
            }
        }
        return n;
    }
}
