package io.dualwrite.migrator.expand;

import io.dualwrite.migrator.UsageException;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * What expand requires of {@code --key}: one column that identifies one source row. The target table, the sync
 * trigger, the backfill's conflict target, parity and reverse sync all address a source row by that one column
 * (dualwrite has no composite keys), and a NULL key could not be mirrored at all. {@code expand} and {@code plan}
 * both check it.
 */
public final class KeyChecks {

    private KeyChecks() {
    }

    /**
     * Refuses a key that does not identify one source row. Returns the partition key columns that a partitioned
     * table's unique index adds to the key (PostgreSQL's unique indexes on a partitioned table must include them):
     * then the key is unique alone only by the application's doing; an empty list when the key is unique alone.
     */
    public static List<String> requireSingleColumnKey(Connection c, String qualifiedTable, String table, String key)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                SELECT EXISTS (
                         SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                         WHERE i.indrelid = to_regclass(?) AND i.indisunique AND i.indisvalid AND i.indpred IS NULL
                           AND i.indexprs IS NULL AND i.indnkeyatts = 1 AND a.attname = ?),
                       (SELECT a.attnotnull FROM pg_attribute a WHERE a.attrelid = to_regclass(?) AND a.attname = ?),
                       (SELECT array_agg(a.attname::text ORDER BY k.n) FROM pg_index i
                          CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
                          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                        WHERE i.indrelid = to_regclass(?) AND i.indisprimary)""")) {
            p.setString(1, qualifiedTable);
            p.setString(2, key);
            p.setString(3, qualifiedTable);
            p.setString(4, key);
            p.setString(5, qualifiedTable);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                boolean unique = rs.getBoolean(1);
                boolean notNull = rs.getBoolean(2);
                List<String> primaryKey = columns(rs.getArray(3));
                List<String> partitionColumns = unique ? List.of() : uniqueWithPartitionKey(c, qualifiedTable, key);
                if (partitionColumns == null && primaryKey.size() > 1) {
                    String pk = String.join(", ", primaryKey);
                    throw new UsageException(table + " has a composite primary key (" + pk + "); dualwrite supports single-column"
                            + " keys only (the target table references one source row by one column). Pass --key a NOT NULL column with"
                            + " a unique index of its own (CREATE UNIQUE INDEX CONCURRENTLY ... ON " + table + " (column)),"
                            + " adding one first if the table has none.");
                }
                if (partitionColumns == null) {
                    throw new UsageException("key column " + table + "." + key + " is not unique: it needs a primary key"
                            + " or a unique, non-partial index on exactly that column, because the target table references one"
                            + " source row per key. Pass the primary key with --key, or create such an index first. (A"
                            + " partitioned table: a unique index on that column and the partition key columns.)");
                }
                if (!notNull) {
                    throw new UsageException("key column " + table + "." + key + " is unique but nullable: a row whose key is"
                            + " NULL cannot be mirrored to the target table, and a write to it would fail. Make it NOT NULL"
                            + " (ALTER TABLE " + table + " ALTER COLUMN " + key + " SET NOT NULL) or pass the primary key with --key.");
                }
                return partitionColumns;
            }
        }
    }

    /**
     * For a partitioned table, whose unique indexes must include its partition key columns (at every level): the
     * other columns of a unique index on {@code column} and partition key columns only, or null when there is none.
     */
    private static List<String> uniqueWithPartitionKey(Connection c, String qualifiedTable, String column)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                WITH pk AS (
                  SELECT DISTINCT a.attname FROM pg_partition_tree(to_regclass(?)) t
                  JOIN pg_partitioned_table pt ON pt.partrelid = t.relid
                  CROSS JOIN LATERAL unnest(pt.partattrs::int2[]) AS k(attnum)
                  JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = k.attnum),
                idx AS (
                  SELECT i.indexrelid, array_agg(a.attname::text ORDER BY a.attname) AS cols
                  FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                  WHERE i.indrelid = to_regclass(?) AND i.indisunique AND i.indisvalid AND i.indpred IS NULL
                    AND i.indexprs IS NULL AND k.ord <= i.indnkeyatts
                  GROUP BY i.indexrelid)
                SELECT array_remove(cols, ?::text) FROM idx
                WHERE ? = ANY (cols) AND array_remove(cols, ?::text) <@ ARRAY(SELECT attname::text FROM pk)
                ORDER BY cardinality(cols) LIMIT 1""")) {
            p.setString(1, qualifiedTable);
            p.setString(2, qualifiedTable);
            p.setString(3, column);
            p.setString(4, column);
            p.setString(5, column);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? List.of((String[]) rs.getArray(1).getArray()) : null;
            }
        }
    }

    private static List<String> columns(Array a) throws SQLException {
        return a == null ? List.of() : List.of((String[]) a.getArray());
    }
}
