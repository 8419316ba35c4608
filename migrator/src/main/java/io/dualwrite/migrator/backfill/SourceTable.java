package io.dualwrite.migrator.backfill;

import io.dualwrite.control.SyncTrigger;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.db.MigrationNames;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the backfill needs to know about the source table and the installed sync trigger, read from the catalog
 * once per run.
 *
 * @param name        the source table, quoted ({@link MigrationNames#source()})
 * @param partitioned the source is a partitioned table: its rows live in {@code leaves}
 * @param leaves      the relations whose heap pages hold the rows: the table itself, or every leaf partition (at
 *                    any depth of sub-partitioning), each with its file node when the run started
 * @param rowsPerPage turns a batch size in rows into pages (over all leaves)
 * @param locked      the sync trigger has no delete probe (the value type has no placeholder, or the target
 *                    constrains the column): batches lock their source rows instead of rechecking
 * @param keyType     the source key's type, without modifier (an explicit cast to varchar(n) truncates, the
 *                    column's own coercion raises)
 * @param valueType   the target value's type, without modifier
 * @param syncLockKey the advisory lock the sync trigger holds in shared mode while it deletes
 */
record SourceTable(String name, boolean partitioned, List<Leaf> leaves, double rowsPerPage, boolean locked,
                   String keyType, String valueType, long syncLockKey) {

    /**
     * A relation with heap pages: the source table or one of its leaf partitions.
     *
     * @param name     quoted and schema-qualified
     * @param fileNode its file node: a batch that sees another one refuses (the relation was rewritten, its rows
     *                 moved to other pages)
     */
    record Leaf(String name, long fileNode) {
    }

    /**
     * The relations with the rows of the table named by both parameters: itself when it is not partitioned, else its
     * leaf partitions at every level ({@code pg_partition_tree} lists no rows for a table that is not partitioned).
     * Columns: quoted qualified name, relkind, file node, reltuples, relpages.
     */
    static final String LEAVES = "SELECT format('%I.%I', n.nspname, r.relname), r.relkind, pg_relation_filenode(r.oid)::bigint,"
            + " greatest(r.reltuples, 0)::bigint, r.relpages FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace"
            + " WHERE r.oid IN (SELECT t.relid FROM pg_partition_tree(to_regclass(?)) t WHERE t.isleaf UNION SELECT to_regclass(?))"
            + " AND r.relkind <> 'p' ORDER BY r.relname";

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
        boolean partitioned = isPartitioned(c, names.source());
        List<Leaf> leaves = new ArrayList<>();
        long tuples = 0, pages = 0;
        try (PreparedStatement p = c.prepareStatement(LEAVES)) {
            p.setString(1, names.source());
            p.setString(2, names.source());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    String kind = rs.getString(2);
                    if (!"r".equals(kind)) {
                        throw new RefusedException(spec.qualifiedSource() + (partitioned ? " has the partition "
                                + rs.getString(1) + ", which" : "") + " is not a table with its own heap pages (relkind "
                                + kind + ": a foreign table or a view): the backfill copies heap pages and would copy"
                                + " nothing from it. Backfill a table, or a partitioned table whose partitions are all tables.");
                    }
                    leaves.add(new Leaf(rs.getString(1), rs.getLong(3)));
                    tuples += rs.getLong(4);
                    pages += rs.getLong(5);
                }
            }
        }
        double rowsPerPage = pages > 0 && tuples > 0 ? (double) tuples / pages : 50;
        return new SourceTable(names.source(), partitioned, List.copyOf(leaves), rowsPerPage, locked, keyType,
                valueType, SyncTrigger.syncLockKey(c, spec));
    }

    private static boolean isPartitioned(Connection c, String table) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass(?)")) {
            p.setString(1, table);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
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

    /**
     * Whether the source's leaves are still those of {@link #leaves()}: a partition attached during the run holds rows
     * no range planned (written without the driver while it was a table of its own); a detached one took its rows
     * out of the source without a dual write.
     */
    boolean sameLeaves(Connection c) throws SQLException {
        Set<String> now = new HashSet<>();
        try (PreparedStatement p = c.prepareStatement(LEAVES)) {
            p.setString(1, name);
            p.setString(2, name);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    now.add(rs.getString(1));
                }
            }
        }
        return now.equals(leaves.stream().map(Leaf::name).collect(Collectors.toSet()));
    }

    /** A leaf's size in pages now. */
    static long pages(Connection c, Leaf leaf) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT pg_relation_size(to_regclass(?)) / current_setting('block_size')::bigint")) {
            p.setString(1, leaf.name());
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
