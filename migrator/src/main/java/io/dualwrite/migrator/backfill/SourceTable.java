package io.dualwrite.migrator.backfill;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.SyncTrigger;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.db.MigrationNames;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What the backfill needs to know about the source table and the installed sync trigger, read from the catalog
 * once per run.
 *
 * @param name        the source table, quoted ({@link MigrationNames#source()})
 * @param fileNode    the table's file node when the run started: a batch that sees another one refuses (the table
 *                    was rewritten, its rows moved to other pages)
 * @param rowsPerPage turns a batch size in rows into pages
 * @param locked      the sync trigger has no delete probe (the value type has no placeholder, or the target
 *                    constrains the column): batches lock their source rows instead of rechecking
 * @param keyType     the source key's type, without modifier (an explicit cast to varchar(n) truncates, the
 *                    column's own coercion raises)
 * @param valueType   the target value's type, without modifier
 * @param syncLockKey the advisory lock the sync trigger holds in shared mode while it deletes
 */
record SourceTable(String name, long fileNode, double rowsPerPage, boolean locked, String keyType, String valueType,
                   long syncLockKey) {

    static SourceTable inspect(Connection c, MigrationSpec spec, MigrationNames names) throws SQLException {
        String keyType = baseType(c, spec.qualifiedSource(), spec.keyColumn());
        String valueType = baseType(c, spec.qualifiedTarget(), spec.targetValueColumn());
        boolean locked = !SyncTrigger.hasDeleteProbe(c, spec);
        try (PreparedStatement p = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            p.setString(1, names.deleteCounter());
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new RefusedException("the sync trigger of " + spec.name() + " was installed by an older dualwrite"
                            + " that this backfill cannot run beside (it has no delete counter). Run dualwrite expand again"
                            + " (idempotent): it updates the trigger. Then run the backfill.");
                }
            }
        }
        try (PreparedStatement p = c.prepareStatement("SELECT pg_relation_filenode(c.oid)::bigint,"
                + " CASE WHEN c.relpages > 0 AND c.reltuples > 0 THEN c.reltuples / c.relpages ELSE 50 END, c.relkind"
                + " FROM pg_class c WHERE c.oid = to_regclass(?)")) {
            p.setString(1, names.source());
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                if (!"r".equals(rs.getString(3))) {
                    throw new RefusedException(spec.qualifiedSource() + " is not a plain table (relkind " + rs.getString(3)
                            + ", e.g. partitioned): the backfill copies one table's heap pages and would copy nothing."
                            + " Partitioned sources are not supported by this version.");
                }
                return new SourceTable(names.source(), rs.getLong(1), rs.getDouble(2), locked, keyType, valueType,
                        SyncTrigger.syncLockKey(c, spec));
            }
        }
    }

    private static String baseType(Connection c, String table, String column) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT format_type(a.atttypid, NULL) FROM pg_attribute a"
                + " WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND NOT a.attisdropped AND a.attnum > 0")) {
            p.setString(1, table);
            p.setString(2, column);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("column " + table + "." + column + " does not exist", "42703");
                }
                return rs.getString(1);
            }
        }
    }

    /** The table's size in pages now. */
    long pages(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT pg_relation_size(to_regclass(?)) / current_setting('block_size')::bigint")) {
            p.setString(1, name);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
