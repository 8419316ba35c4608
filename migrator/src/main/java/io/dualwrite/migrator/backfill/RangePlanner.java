package io.dualwrite.migrator.backfill;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The page ranges of a run in {@code dualwrite.backfill_range}: the checkpointed ones, or new ones, the table's pages
 * at planning time split evenly between the workers. Pages added later hold only rows the application wrote while
 * dual-writing. Also the oldest transaction that could still write at planning time, where the catch-up pass starts.
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
        long pages = table.pages(c);
        int n = (int) Math.max(1, Math.min(workers, pages));
        try (PreparedStatement p = c.prepareStatement("INSERT INTO dualwrite.backfill_range"
                + " (migration, range_no, lo_page, hi_page, next_page, source_filenode, start_xmin, completed_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, CASE WHEN ? THEN now() END)")) { // an empty table: nothing to do
            for (int i = 0; i < n; i++) {
                long lo = pages * i / n;
                p.setString(1, migration);
                p.setInt(2, i);
                p.setLong(3, lo);
                p.setLong(4, pages * (i + 1) / n);
                p.setLong(5, lo);
                p.setLong(6, table.fileNode());
                p.setString(7, xmin);
                p.setBoolean(8, pages == 0);
                p.addBatch();
            }
            p.executeBatch();
        }
    }

    /** The ranges checkpointed for the source table's current file (a rewritten table starts over). */
    private List<PageRange> load() throws SQLException {
        List<PageRange> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("""
                SELECT range_no, lo_page, hi_page, next_page, completed_at IS NOT NULL, rows_scanned, start_xmin
                FROM dualwrite.backfill_range WHERE migration = ? AND source_filenode = ? ORDER BY range_no""")) {
            p.setString(1, migration);
            p.setLong(2, table.fileNode());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new PageRange(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getBoolean(5),
                            rs.getLong(6)));
                    String x = rs.getString(7);
                    // spliced into the catch-up statement as an xid literal: digits only
                    startXmin = x != null && x.matches("[0-9]{1,10}") ? x : ANY_XMIN;
                }
            }
        }
        return out;
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
