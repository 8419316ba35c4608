package io.dualwrite.migrator.backfill;

import io.dualwrite.migrator.RefusedException;
import io.dualwrite.rewriter.Phase;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.jdbc.AutoSave;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One batch, in one READ COMMITTED transaction: the phase and file-node check, the barrier and delete counter, the
 * copy (COPY out and back in; {@code INSERT … ON CONFLICT DO NOTHING} when it met a dual write), the recheck when a
 * delete may have raced it, and the range's checkpoint. Retried on lock timeouts, deadlocks and serialization
 * failures. Also the catch-up pass, the same steps over the rows written since the ranges were planned.
 */
final class BatchCopy {

    private static final int MAX_RETRIES = 10;
    /** Below PostgreSQL's default deadlock_timeout (1 s), so the batch, not the application, gives up first. */
    private static final int LOCK_TIMEOUT_MILLIS = 200;

    /** @param redone the COPY met a key a dual write had written, and the batch was redone with INSERT */
    record Outcome(long rows, long copied, long corrected, boolean redone) {
    }

    private final String migration;
    private final BackfillSql sql;
    private final SourceTable table;
    private final RunCounters counters;
    private final String startXmin;

    /** @param startXmin where the catch-up pass starts ({@link RangePlanner#startXmin()}) */
    BatchCopy(String migration, BackfillSql sql, SourceTable table, RunCounters counters, String startXmin) {
        this.migration = migration;
        this.sql = sql;
        this.table = table;
        this.counters = counters;
        this.startXmin = startXmin;
    }

    /** Sets a worker's session up for batches; {@link #endSession} undoes it. */
    static void startSession(Connection wc) throws SQLException {
        // a batch lost with an un-flushed commit on a server crash is lost together with its checkpoint: redone on resume
        Jdbc.exec(wc, "SET synchronous_commit = off");
        // a batch that waits for an application transaction (an uncommitted target key) gives up first and is retried:
        // application writes queued behind the batch's own copies never wait long, and a deadlock picks the batch
        Jdbc.exec(wc, "SET lock_timeout = '" + LOCK_TIMEOUT_MILLIS + "ms'");
        // the recheck finds this transaction's copies by xmin: a savepoint (PgJDBC autosave) would give them another xid
        wc.unwrap(PGConnection.class).setAutosave(AutoSave.NEVER);
        wc.setAutoCommit(false);
        wc.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    }

    static void endSession(Connection wc) throws SQLException {
        if (wc.isClosed()) {
            return; // the connection was lost: the failure that ended the session is the one to report
        }
        wc.setAutoCommit(true);
        Jdbc.exec(wc, "RESET synchronous_commit");
        Jdbc.exec(wc, "RESET lock_timeout");
    }

    /**
     * Copies pages [r.next, r.next + pages) and advances {@code r}'s checkpoint row, committed.
     *
     * @param single    the run has one range: the batch advances the totals too
     * @param copyFirst try COPY first (else straight to the INSERT form)
     */
    Outcome pages(Connection wc, PageRange r, long pages, boolean single, boolean copyFirst) throws SQLException {
        return withRetry(wc, r, pages, single, copyFirst);
    }

    /**
     * The last pass, once every page range is done. An UPDATE that does not set the column is not a dual write; when
     * it moved a row to another page (no room on its own, or an indexed column changed) from a page no batch had read
     * yet to one a batch had read, or past the planned pages, no batch saw the row. Such a row version was written
     * after the backfill began, and has no primary target row: one statement over the whole table, with one snapshot,
     * copies exactly those (the same barrier, counter and recheck as a batch). Committed; no checkpoint.
     */
    Outcome catchUp(Connection wc) throws SQLException {
        return withRetry(wc, null, 0, false, true);
    }

    private Outcome withRetry(Connection wc, PageRange r, long pages, boolean single, boolean copyFirst) throws SQLException {
        boolean copy = copyFirst;
        for (int attempt = 1; ; attempt++) {
            try {
                Outcome b = once(wc, r, pages, single, copy);
                wc.commit();
                return copy == copyFirst ? b : new Outcome(b.rows, b.copied, b.corrected, true);
            } catch (SQLException e) {
                try {
                    wc.rollback();
                } catch (SQLException ignored) {
                    // the original failure is the one to report
                }
                String st = e.getSQLState();
                if ("23505".equals(st) && copy) {
                    // a dual write already wrote one of the keys: redo with ON CONFLICT DO NOTHING
                    copy = false;
                    counters.redone.incrementAndGet();
                    continue;
                }
                if ("55P03".equals(st)) {
                    // waiting for an application transaction: keep waiting, a batch at a time, as long as it lasts
                    if (counters.stop.get()) {
                        throw e;
                    }
                    attempt = Math.min(attempt, 6);
                    Jdbc.sleep(Math.min(1000, 10L << attempt));
                    continue;
                }
                boolean transientFailure = "40001".equals(st) || "40P01".equals(st);
                if (!transientFailure || attempt >= MAX_RETRIES) {
                    throw e;
                }
                Jdbc.sleep(Math.min(1000, 10L << attempt));
            }
        }
    }

    /** One attempt, pages [r.next, r.next + pages), or the catch-up pass when {@code r} is null, in the caller's transaction. */
    private Outcome once(Connection wc, PageRange r, long pages, boolean single, boolean copy) throws SQLException {
        String counterBefore;
        boolean barrierPassed = false;
        // the catch-up pass reads by key and xmin, not by pages: no file node to hold it to
        SourceTable.Leaf leaf = r == null ? null : r.leaf;
        try (PreparedStatement p = wc.prepareStatement(sql.before)) {
            p.setString(1, leaf == null ? null : leaf.name());
            p.setString(2, migration);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                Preflight.requireWritesNew(migration, Phase.valueOf(rs.getString(1)));
                if (leaf != null && rs.getLong(2) != leaf.fileNode()) {
                    throw new RefusedException((table.partitioned() ? "the partition " + leaf.name() + " of " : "")
                            + "the source table " + table.name() + " was rewritten (VACUUM FULL, CLUSTER or an"
                            + " ALTER TABLE that rewrites it), or dropped, while the backfill ran, so its rows moved to other"
                            + " pages and the page checkpoints no longer apply. Run the backfill again with --restart: copies"
                            + " are idempotent.");
                }
                counterBefore = rs.getString(3);
            }
        }
        if (!table.locked()) {
            try (PreparedStatement p = wc.prepareStatement(sql.barrier); ResultSet rs = p.executeQuery()) {
                rs.next();
                barrierPassed = rs.getBoolean(1);
            }
        }
        long from = r == null ? 0 : r.next, to = from + pages;
        if (table.locked()) {
            try (PreparedStatement p = wc.prepareStatement(r == null ? sql.catchUpLock(startXmin) : sql.lock(leaf.name()))) {
                if (r != null) {
                    p.setString(1, "(" + from + ",0)");
                    p.setString(2, "(" + to + ",0)");
                }
                p.executeQuery().close();
            }
        }
        CopyText rows = new CopyText();
        long copied = copy(wc, r == null ? sql.catchUpOut(startXmin) : sql.copyOut(leaf.name(), from, to), rows, copy);
        long corrected = 0;
        if (!table.locked() && copied > 0) {
            String counterAfter;
            try (PreparedStatement p = wc.prepareStatement(sql.counter); ResultSet rs = p.executeQuery()) {
                rs.next();
                counterAfter = rs.getString(1);
            }
            if (!barrierPassed || !counterAfter.equals(counterBefore)) {
                counters.rechecked.incrementAndGet();
                corrected = recheck(wc, rows);
            }
        }
        if (r != null) {
            checkpoint(wc, r, pages, single, rows.rowCount, copied);
        }
        return new Outcome(rows.rowCount, copied, corrected, false);
    }

    /** Copies the rows {@code copyOut} selects into {@code rows}, then into the target; returns the rows inserted. */
    private long copy(Connection wc, String copyOut, CopyText rows, boolean copy) throws SQLException {
        // the rows travel as COPY text both ways: no per-value decoding or encoding on this side
        CopyManager copyApi = wc.unwrap(PGConnection.class).getCopyAPI();
        try {
            rows.rowCount = copyApi.copyOut(copyOut, rows);
            if (rows.size() == 0) {
                return 0;
            }
            if (copy) {
                return copyApi.copyIn(sql.copyIn, rows.reader());
            }
            CopyText.Columns cols = rows.columns();
            try (PreparedStatement p = wc.prepareStatement(sql.insert)) {
                p.setArray(1, wc.createArrayOf("text", cols.keys()));
                p.setArray(2, wc.createArrayOf("text", cols.values()));
                return p.executeUpdate();
            }
        } catch (IOException e) {
            throw new SQLException("COPY of a backfill batch failed: " + e.getMessage(), "08006", e);
        }
    }

    /** Deletes or corrects this transaction's copies of {@code rows} a racing delete made stale; returns how many. */
    private long recheck(Connection wc, CopyText rows) throws SQLException {
        try (PreparedStatement p = wc.prepareStatement(sql.recheck)) {
            p.setArray(1, wc.createArrayOf("text", rows.columns().keys()));
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1) + rs.getLong(2);
            }
        }
    }

    private void checkpoint(Connection wc, PageRange r, long pages, boolean single, long scanned, long copied)
            throws SQLException {
        boolean last = r.next + pages >= r.hi;
        try (PreparedStatement p = wc.prepareStatement(sql.checkpoint)) {
            int i = 0;
            p.setLong(++i, r.next + pages);
            p.setLong(++i, scanned);
            p.setLong(++i, copied);
            p.setBoolean(++i, last);
            p.setString(++i, migration);
            p.setInt(++i, r.no);
            p.setLong(++i, copied);
            p.setString(++i, migration);
            p.setBoolean(++i, single);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                if (rs.getLong(1) != 1 || rs.getLong(2) != (single ? 1 : 0)) {
                    throw new SQLException("backfill checkpoint of " + migration + " vanished (was it reset by --restart elsewhere?)");
                }
            }
        }
    }
}
