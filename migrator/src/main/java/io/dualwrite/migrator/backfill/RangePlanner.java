package io.dualwrite.migrator.backfill;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The page ranges of a run in {@code dualwrite.backfill_range}: the checkpointed ones, or new ones, planned per leaf
 * (the table itself, or each leaf partition of a partitioned source): the pages at planning time, each leaf cut into
 * ranges of about (all pages / workers), at least one range per leaf, so workers take whole partitions in parallel
 * and a large leaf is shared. Pages added later hold only rows the application wrote while dual-writing. Also the
 * oldest transaction that could still write at planning time, where the catch-up pass starts.
 */
final class RangePlanner {

    /** When the planning xmin is unknown: every unfrozen row version. */
    private static final String ANY_XMIN = "3";

    private final Connection c;
    private final String migration;
    private final SourceTable table;
    private String startXmin = ANY_XMIN;
    private boolean several;

    RangePlanner(Connection c, String migration, SourceTable table) {
        this.c = c;
        this.migration = migration;
        this.table = table;
    }

    /** The checkpointed ranges of the table's current file, or, when there are none, {@code workers} new ones. */
    List<PageRange> loadOrPlan(int workers) throws SQLException {
        List<PageRange> out = load();
        if (out.isEmpty()) {
            plan(workers);
            out = load();
        }
        several = out.size() > 1;
        return out;
    }

    private void plan(int workers) throws SQLException {
        Jdbc.exec(c, "DELETE FROM dualwrite.backfill_range WHERE migration = ?", migration); // rows of another table file
        // every row version written from now on may move behind the scan: the catch-up pass looks at those
        String xmin;
        try (PreparedStatement p = c.prepareStatement(
                "SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint % 4294967296)::text");
             ResultSet rs = p.executeQuery()) {
            rs.next();
            xmin = rs.getString(1);
        }
        long[] pages = new long[table.leaves().size()];
        long total = 0;
        for (int i = 0; i < pages.length; i++) {
            pages[i] = SourceTable.pages(c, table.leaves().get(i));
            total += pages[i];
        }
        long share = Math.max(1, (total + workers - 1) / workers);
        try (PreparedStatement p = c.prepareStatement("INSERT INTO dualwrite.backfill_range (migration, range_no,"
                + " source_relation, lo_page, hi_page, next_page, source_filenode, start_xmin, completed_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, CASE WHEN ? THEN now() END)")) { // an empty leaf: nothing to do
            int no = 0;
            for (int l = 0; l < pages.length; l++) {
                SourceTable.Leaf leaf = table.leaves().get(l);
                // an empty leaf keeps one (complete) range: the plan names every leaf, see #load
                long n = Math.max(1, Math.min(pages[l], (pages[l] + share - 1) / share));
                for (long i = 0; i < n; i++) {
                    long lo = pages[l] * i / n;
                    p.setString(1, migration);
                    p.setInt(2, no++);
                    p.setString(3, leaf.name());
                    p.setLong(4, lo);
                    p.setLong(5, pages[l] * (i + 1) / n);
                    p.setLong(6, lo);
                    p.setLong(7, leaf.fileNode());
                    p.setString(8, xmin);
                    p.setBoolean(9, pages[l] == 0);
                    p.addBatch();
                }
            }
            p.executeBatch();
        }
    }

    /**
     * The ranges checkpointed for the source's current leaves and their files; none when a leaf was rewritten
     * (VACUUM FULL, CLUSTER), attached or detached since they were planned: the run then starts over.
     */
    private List<PageRange> load() throws SQLException {
        List<PageRange> out = new ArrayList<>();
        Map<String, SourceTable.Leaf> leaves = new HashMap<>();
        for (SourceTable.Leaf leaf : table.leaves()) {
            leaves.put(leaf.name(), leaf);
        }
        Set<String> planned = new HashSet<>();
        try (PreparedStatement p = c.prepareStatement("""
                SELECT range_no, coalesce(source_relation, ?), source_filenode, lo_page, hi_page, next_page,
                  completed_at IS NOT NULL, rows_scanned, start_xmin
                FROM dualwrite.backfill_range WHERE migration = ? AND source_filenode IS NOT NULL ORDER BY range_no""")) {
            // ranges from before version 4 of the control schema scanned the (unpartitioned) table itself
            p.setString(1, table.leaves().size() == 1 ? table.leaves().get(0).name() : table.name());
            p.setString(2, migration);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    SourceTable.Leaf leaf = leaves.get(rs.getString(2));
                    if (leaf == null || leaf.fileNode() != rs.getLong(3)) {
                        return List.of();
                    }
                    planned.add(leaf.name());
                    out.add(new PageRange(rs.getInt(1), leaf, rs.getLong(4), rs.getLong(5), rs.getLong(6),
                            rs.getBoolean(7), rs.getLong(8)));
                    String x = rs.getString(9);
                    // spliced into the catch-up statement as an xid literal: digits only
                    startXmin = x != null && x.matches("[0-9]{1,10}") ? x : ANY_XMIN;
                }
            }
        }
        return planned.equals(leaves.keySet()) ? out : List.of();
    }

    /** The oldest transaction that could still write when the ranges were planned (32-bit xid, as text). */
    String startXmin() {
        return startXmin;
    }

    /** Whether the run has more than one range (then the totals are the ranges' sums, see {@link #writeTotals}). */
    boolean several() {
        return several;
    }

    boolean allComplete() throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT count(*) FILTER (WHERE completed_at IS NULL) FROM dualwrite.backfill_range WHERE migration = ?")) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1) == 0;
            }
        }
    }

    /**
     * With several ranges the per-batch statement advances only its range row (workers do not contend on one
     * row); the totals in {@code dualwrite.backfill_checkpoint} are the sums, written here.
     */
    void writeTotals() throws SQLException {
        if (!several) {
            return;
        }
        Jdbc.exec(c, "UPDATE dualwrite.backfill_checkpoint cp SET rows_copied = r.copied, batches = r.batches,"
                + " updated_at = now() FROM (SELECT coalesce(sum(rows_copied), 0) AS copied, coalesce(sum(batches), 0) AS batches"
                + " FROM dualwrite.backfill_range WHERE migration = ?) r WHERE cp.migration = ?", migration, migration);
    }
}
