package io.dualwrite.migrator.backfill;

import io.dualwrite.driver.control.ControlSchema;
import io.dualwrite.driver.control.MigrationState;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.fleet.Acknowledgements;
import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Copies the source column into the target table's primary rows, in keyset batches, resumably.
 *
 * <p>Each batch is one READ COMMITTED transaction that
 * <ol>
 *   <li>locks the batch's source rows ({@code SELECT … ORDER BY key LIMIT n FOR NO KEY UPDATE}),
 *       so no dual write of those keys can interleave with the copy: a writer that already holds a
 *       row makes the batch wait and the batch then copies the committed newest value; a writer that
 *       comes later waits for the batch, and its sync trigger (fresh snapshot per command) sees and
 *       overwrites or deletes the row the batch committed;</li>
 *   <li>upserts the primary target rows from the locked values ({@code ON CONFLICT … DO UPDATE …
 *       WHERE value IS DISTINCT FROM}: while the source row is locked its value is the truth, so a
 *       stale target row is corrected rather than kept) and deletes primary rows whose source value
 *       is NULL;</li>
 *   <li>advances {@code dualwrite.backfill_checkpoint} in the same transaction, so a killed run
 *       resumes exactly after the last committed batch and never repeats one.</li>
 * </ol>
 * The migration must already be in {@code DUAL_WRITE} (or {@code READ_NEW}), and every live driver
 * instance must have acknowledged such a phase ({@link Acknowledgements}): rows written after a
 * batch passed them are kept in sync only by the driver's dual writes.
 *
 * <p>One backfill per migration at a time (a session advisory lock; a second run is refused).
 */
public final class Backfill {

    private static final int MAX_RETRIES = 10;

    private final Connection c;
    private final String migration;
    private final BackfillOptions options;
    private final Consumer<BackfillProgress> progress;

    public Backfill(Connection c, String migration, BackfillOptions options, Consumer<BackfillProgress> progress) {
        this.c = c;
        this.migration = migration;
        this.options = options;
        this.progress = progress == null ? p -> { } : progress;
    }

    /** Runs the backfill on {@code c} (a plain PgJDBC connection, not the dualwrite driver). */
    public static BackfillResult run(Connection c, String migration, BackfillOptions options,
                                     Consumer<BackfillProgress> progress) throws SQLException {
        return new Backfill(c, migration, options, progress).run();
    }

    public BackfillResult run() throws SQLException {
        long t0 = System.nanoTime();
        boolean autoCommit = c.getAutoCommit();
        int isolation = c.getTransactionIsolation();
        if (!autoCommit) {
            c.commit();
            c.setAutoCommit(true);
        }
        MigrationState state = ControlSchema.require(c, migration);
        requireWritesNew(state.phase());
        MigrationSpec spec = state.spec();
        if (!tryLock()) {
            throw new RefusedException("another backfill of " + migration + " is running (it holds the advisory lock);"
                    + " wait for it to finish, or stop it — its checkpoint lets this one resume later");
        }
        try {
            if (options.restart()) {
                try (PreparedStatement p = c.prepareStatement("DELETE FROM dualwrite.backfill_checkpoint WHERE migration = ?")) {
                    p.setString(1, migration);
                    p.executeUpdate();
                }
            }
            Optional<BackfillCheckpoint> existing = BackfillCheckpoint.load(c, migration);
            if (existing.isPresent() && existing.get().complete()) {
                return new BackfillResult(BackfillResult.Outcome.ALREADY_COMPLETE, 0, 0, 0, 0, existing.get(),
                        seconds(t0));
            }
            List<String> lagging = Acknowledgements.await(c, migration, Set.of(Phase.DUAL_WRITE.name(), Phase.READ_NEW.name()),
                    options.ackTimeout());
            if (!lagging.isEmpty()) {
                throw new RefusedException(lagging.size() + " live application instance(s) do not dual-write " + migration
                        + " yet, so rows they change after a batch copied them would go stale: " + String.join("; ", lagging)
                        + ". Wait until they pick up the phase (drivers poll the control schema every second), restart or stop"
                        + " them, then run the backfill again.");
            }
            long total = totalEstimate(spec);
            try (PreparedStatement p = c.prepareStatement("""
                    INSERT INTO dualwrite.backfill_checkpoint (migration, total_rows) VALUES (?, ?)
                    ON CONFLICT (migration) DO UPDATE SET total_rows = EXCLUDED.total_rows""")) {
                p.setString(1, migration);
                p.setLong(2, total);
                p.executeUpdate();
            }
            BackfillCheckpoint cp = BackfillCheckpoint.load(c, migration).orElseThrow();
            String keyType = ControlSchema.columnType(c, spec.sourceSchema(), spec.sourceTable(), spec.keyColumn());
            Sql sql = new Sql(spec, keyType);
            long rowsBefore = cp.lastKey() == null ? 0 : countUpTo(sql, cp.lastKey());
            return loop(sql, cp, rowsBefore, total, t0);
        } finally {
            try {
                if (!c.isClosed()) {
                    if (!c.getAutoCommit()) {
                        c.rollback();
                        c.setAutoCommit(true);
                    }
                    unlock();
                    c.setTransactionIsolation(isolation);
                    c.setAutoCommit(autoCommit);
                }
            } catch (SQLException ignored) {
                // the connection is gone (e.g. terminated): the server released the lock with the session
            }
        }
    }

    private BackfillResult loop(Sql sql, BackfillCheckpoint cp, long rowsBefore, long total, long t0) throws SQLException {
        String lastKey = cp.lastKey();
        long rowsCopiedTotal = cp.rowsCopied();
        long batchesTotal = cp.batches();
        long batches = 0, scanned = 0, copied = 0, deleted = 0;
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        while (true) {
            if (options.maxBatches() > 0 && batches >= options.maxBatches()) {
                c.setAutoCommit(true);
                return new BackfillResult(BackfillResult.Outcome.PAUSED, batches, scanned, copied, deleted,
                        BackfillCheckpoint.load(c, migration).orElseThrow(), seconds(t0));
            }
            BatchOutcome b = batchWithRetry(sql, lastKey);
            if (b.rows == 0) {
                if (b.completed) {
                    c.setAutoCommit(true);
                    return new BackfillResult(BackfillResult.Outcome.COMPLETED, batches, scanned, copied, deleted,
                            BackfillCheckpoint.load(c, migration).orElseThrow(), seconds(t0));
                }
                continue; // rows beyond lastKey appeared meanwhile: take them in the next batch
            }
            lastKey = b.maxKey;
            batches++;
            batchesTotal++;
            scanned += b.rows;
            copied += b.copied;
            deleted += b.deleted;
            rowsCopiedTotal += b.copied;
            double secs = seconds(t0);
            progress.accept(new BackfillProgress(batchesTotal, rowsBefore + scanned, Math.max(total, rowsBefore + scanned),
                    rowsCopiedTotal, lastKey, secs <= 0 ? 0 : scanned / secs));
        }
    }

    private record BatchOutcome(long rows, String maxKey, long copied, long deleted, boolean completed) {
    }

    private BatchOutcome batchWithRetry(Sql sql, String lastKey) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                BatchOutcome b = batch(sql, lastKey);
                c.commit();
                return b;
            } catch (SQLException e) {
                safeRollback();
                String state = e.getSQLState();
                boolean transientFailure = "40001".equals(state) || "40P01".equals(state) || "55P03".equals(state);
                if (!transientFailure || attempt >= MAX_RETRIES) {
                    throw e;
                }
                try {
                    Thread.sleep(Math.min(1000, 10L << attempt));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private void safeRollback() {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the original failure is the one to report
        }
    }

    /** One batch, inside the caller's transaction. */
    private BatchOutcome batch(Sql sql, String lastKey) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT phase FROM dualwrite.migration WHERE name = ?")) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                requireWritesNew(Phase.valueOf(rs.getString(1)));
            }
        }
        long rows, copied, deleted;
        String maxKey;
        try (PreparedStatement p = c.prepareStatement(lastKey == null ? sql.firstBatch : sql.nextBatch)) {
            int i = 0;
            if (lastKey != null) {
                p.setString(++i, lastKey);
            }
            p.setInt(++i, options.batchSize());
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                maxKey = rs.getString(1);
                rows = rs.getLong(2);
                copied = rs.getLong(3);
                deleted = rs.getLong(4);
            }
        }
        if (rows == 0) {
            boolean more;
            if (lastKey == null) {
                more = false;
            } else {
                try (PreparedStatement p = c.prepareStatement(sql.moreAfter)) {
                    p.setString(1, lastKey);
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        more = rs.getBoolean(1);
                    }
                }
            }
            if (!more) {
                try (PreparedStatement p = c.prepareStatement("""
                        UPDATE dualwrite.backfill_checkpoint SET completed_at = now(), updated_at = now()
                        WHERE migration = ?""")) {
                    p.setString(1, migration);
                    p.executeUpdate();
                }
            }
            return new BatchOutcome(0, null, 0, 0, !more);
        }
        try (PreparedStatement p = c.prepareStatement("""
                UPDATE dualwrite.backfill_checkpoint
                SET last_key = ?, rows_copied = rows_copied + ?, batches = batches + 1, updated_at = now()
                WHERE migration = ?""")) {
            p.setString(1, maxKey);
            p.setLong(2, copied);
            p.setString(3, migration);
            if (p.executeUpdate() != 1) {
                throw new SQLException("backfill checkpoint of " + migration + " vanished (was it reset by --restart elsewhere?)");
            }
        }
        return new BatchOutcome(rows, maxKey, copied, deleted, false);
    }

    private void requireWritesNew(Phase phase) {
        if (phase == Phase.EXPANDED) {
            throw new RefusedException("migration " + migration + " is in phase EXPANDED: the application does not write the"
                    + " target table yet, so every row changed after a batch copied it would go stale. Switch to DUAL_WRITE"
                    + " first (dualwrite phase --migration " + migration + " DUAL_WRITE), make sure every application"
                    + " instance runs it, then run the backfill.");
        }
        if (phase == Phase.NEW_ONLY || phase == Phase.CONTRACTED) {
            throw new RefusedException("migration " + migration + " is in phase " + phase + ": the old column is no longer"
                    + " the source of truth, so there is nothing to backfill from it");
        }
    }

    private long totalEstimate(MigrationSpec spec) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(?)")) {
            p.setString(1, spec.qualifiedSource());
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next() && rs.getLong(1) > 0) {
                    return rs.getLong(1);
                }
            }
        }
        try (PreparedStatement p = c.prepareStatement("SELECT count(*) FROM " + spec.qualifiedSource());
             ResultSet rs = p.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long countUpTo(Sql sql, String lastKey) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql.countUpTo)) {
            p.setString(1, lastKey);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private boolean tryLock() throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT pg_try_advisory_lock(hashtextextended(?, 0))")) {
            p.setString(1, "dualwrite.backfill:" + migration);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private void unlock() throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT pg_advisory_unlock(hashtextextended(?, 0))")) {
            p.setString(1, "dualwrite.backfill:" + migration);
            p.execute();
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The statements of one migration, built once. */
    static final class Sql {
        final String firstBatch;
        final String nextBatch;
        final String moreAfter;
        final String countUpTo;

        Sql(MigrationSpec s, String keyType) {
            String src = s.qualifiedSource();
            String tgt = s.qualifiedTarget();
            String k = Identifiers.quote(s.keyColumn());
            String v = Identifiers.quote(s.sourceColumn());
            String tk = Identifiers.quote(s.targetKeyColumn());
            String tv = Identifiers.quote(s.targetValueColumn());
            String flag = Identifiers.quote(s.primaryFlagColumn());
            String tail = " ORDER BY " + k + " LIMIT ? FOR NO KEY UPDATE),\n"
                    + " ins AS (INSERT INTO " + tgt + " AS t (" + tk + ", " + tv + ", " + flag + ")"
                    + " SELECT k, v, true FROM b WHERE v IS NOT NULL"
                    + " ON CONFLICT (" + tk + ") WHERE " + flag + " DO UPDATE SET " + tv + " = EXCLUDED." + tv
                    + " WHERE t." + tv + " IS DISTINCT FROM EXCLUDED." + tv + " RETURNING 1),\n"
                    + " del AS (DELETE FROM " + tgt + " t USING b WHERE t." + tk + " = b.k AND t." + flag
                    + " AND b.v IS NULL RETURNING 1)\n"
                    + "SELECT (SELECT b.k FROM b ORDER BY b.k DESC LIMIT 1)::text, (SELECT count(*) FROM b),"
                    + " (SELECT count(*) FROM ins), (SELECT count(*) FROM del)";
            String head = "WITH b AS (SELECT " + k + " AS k, " + v + " AS v FROM " + src;
            this.firstBatch = head + tail;
            this.nextBatch = head + " WHERE " + k + " > ?::" + keyType + tail;
            this.moreAfter = "SELECT EXISTS (SELECT 1 FROM " + src + " WHERE " + k + " > ?::" + keyType + ")";
            this.countUpTo = "SELECT count(*) FROM " + src + " WHERE " + k + " <= ?::" + keyType;
        }
    }
}
