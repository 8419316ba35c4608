package io.dualwrite.migrator.contract;

import io.dualwrite.control.CaptureTrigger;
import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.MigrationState;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.db.ConnectionFactory;
import io.dualwrite.migrator.db.MigrationNames;
import io.dualwrite.migrator.db.Retry;
import io.dualwrite.migrator.db.Rollback;
import io.dualwrite.migrator.parity.ChunkedParity;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.Consumer;

import static io.dualwrite.control.phase.PhaseTransitions.Operation.REVERSE_SYNC;

/**
 * Rolling back from NEW_ONLY (or, after the drop, from CONTRACTED): brings the old column back in step with the
 * new table, exactly, while the application keeps writing only the new table.
 * <ol>
 *   <li>In CONTRACTED, {@link ColumnReadd} re-adds the column and moves the phase to NEW_ONLY in one transaction.</li>
 *   <li>{@link MirrorTrigger} is installed on the target: from its commit on, every write of a primary target row
 *       also sets the old column, in the writer's transaction.</li>
 *   <li>Keyset batches over the source key copy the rows written before that, each one READ COMMITTED transaction:
 *       lock the batch's source rows ({@code FOR NO KEY UPDATE}), then, in a later command and so a later snapshot,
 *       set the old column from the primary target rows where it differs, and advance {@code dualwrite.reverse_sync}.
 *       A killed run resumes after the last committed batch; a completed one is not repeated in the same phase
 *       period ({@code restart} starts over).</li>
 *   <li>The chunked parity runs and is recorded: the move back to READ_NEW is gated on it.</li>
 * </ol>
 */
public final class ReverseSync {

    /** @param lockTimeout and {@code attempts}: for the DDL (mirror install, column re-add) */
    public record Options(int batchSize, boolean restart, Duration lockTimeout, int attempts) {

        public static Options batches(int batchSize) {
            return new Options(batchSize, false, Duration.ofSeconds(2), 10);
        }
    }

    /**
     * @param readd        what re-adding the dropped column changed, or null when it was not dropped
     * @param resumedAfter the key an interrupted run had reached, or null when this run started at the first key
     * @param batches      batches of this run; {@code rowsScanned} and {@code rowsUpdated} likewise
     */
    public record Result(ColumnReadd.Outcome readd, String resumedAfter, boolean alreadyComplete, long batches,
                         long rowsScanned, long rowsUpdated, ChunkedParity.Result parity, double seconds) {
    }

    private ReverseSync() {
    }

    public static Result run(Connection c, ConnectionFactory factory, String migration, Options o, Consumer<String> log)
            throws SQLException {
        return new Run(factory, migration, o, log, Retry.never()).attempt(c, false);
    }

    /**
     * The same, riding out transient faults: after one, the run reconnects and resumes after its last committed batch
     * (a re-added column and the mirror are committed, so a retry finds them in place); the parity check rides out its
     * own faults the same way. The result counts the batches of every attempt.
     */
    public static Result run(ConnectionFactory factory, String migration, Options o, Consumer<String> log, Retry retry)
            throws SQLException {
        Run run = new Run(factory, migration, o, log, retry);
        return retry.run(factory, c -> ReverseSyncCheckpoint.resumePoint(c, migration), run::attempt);
    }

    /** One run and what its attempts share: what the first one found and did, and the batches of all of them. */
    private static final class Run {
        private final ConnectionFactory factory;
        private final String migration;
        private final Options o;
        private final Consumer<String> log;
        private final Retry retry;
        private long t0;
        private ColumnReadd.Outcome readd;
        private ReverseSyncCheckpoint.Start first;
        /** {batches, rows scanned, rows updated} committed by every attempt. */
        private final long[] done = new long[3];

        Run(ConnectionFactory factory, String migration, Options o, Consumer<String> log, Retry retry) {
            this.factory = factory;
            this.migration = migration;
            this.o = o;
            this.log = log;
            this.retry = retry;
        }

        Result attempt(Connection c, boolean retried) throws SQLException {
            if (t0 == 0) {
                t0 = System.nanoTime();
            }
            if (!c.getAutoCommit()) {
                c.commit();
                c.setAutoCommit(true);
            }
            MigrationState ms = ControlSchema.require(c, migration);
            boolean readdNow = ms.phase() == Phase.CONTRACTED;
            if (readdNow) {
                readd = ColumnReadd.run(c, ms.spec(), o, log);
                ms = ControlSchema.require(c, migration);
            }
            String notHere = REVERSE_SYNC.refusalIn(ms.phase());
            if (notHere != null) {
                throw new RefusedException("reverse-sync copies the new table back into the old column to roll back from the"
                        + " phases that no longer write it: " + notHere);
            }
            MigrationSpec spec = ms.spec();
            if (!readdNow) { // the re-add installed it in its transaction
                LockedDdl.run(c, o.lockTimeout(), o.attempts(), "the lock on " + spec.qualifiedTarget() + " (to install the mirror)",
                        log, tx -> MirrorTrigger.install(tx, spec));
            }
            // a retry resumes the checkpoint this run started: --restart applies to the first attempt only
            ReverseSyncCheckpoint.Start start = ReverseSyncCheckpoint.begin(c, migration, o.restart() && !retried);
            if (first == null) {
                first = start;
            }
            if (!start.complete()) {
                batches(c, spec, migration, start.lastKey(), o.batchSize(), done);
            }
            ChunkedParity.Result parity = ChunkedParity.run(factory, migration,
                    new ChunkedParity.Options(2, ChunkedParity.DEFAULT_CHUNK_KEYS, false, false, 10), retry);
            // recorded: the way back to READ_NEW is gated on a parity check since the phase last changed
            ControlSchema.recordParity(c, migration, parity.mismatches());
            return new Result(readd, first.resumed() ? first.lastKey() : null, first.complete(), done[0], done[1], done[2],
                    parity, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** The batches from {@code after} to the last key; each committed one adds to {batches, rows scanned, rows updated}. */
    private static void batches(Connection c, MigrationSpec spec, String migration, String after, int batchSize, long[] done)
            throws SQLException {
        String keyType = ControlSchema.columnType(c, spec.sourceSchema(), spec.sourceTable(), spec.keyColumn());
        MigrationNames names = MigrationNames.of(spec);
        // Every row committed from here on that needs the column set gets it from the mirror (installed before): the
        // batches stop at today's last key instead of chasing the keys the application keeps inserting above it.
        String upTo = maxKey(c, names);
        String last = after;
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        try {
            for (int retries = 0; ; ) {
                try {
                    Batch b = upTo == null ? null : batch(c, names, keyType, last, upTo, batchSize);
                    if (b == null) {
                        ReverseSyncCheckpoint.complete(c, migration);
                        c.commit();
                        return;
                    }
                    ReverseSyncCheckpoint.advance(c, migration, b.lastKey(), b.updated());
                    c.commit();
                    last = b.lastKey();
                    done[0]++;
                    done[1] += b.rows();
                    done[2] += b.updated();
                    retries = 0;
                } catch (SQLException e) {
                    Rollback.after(c, e);
                    // a mirror locks the rows of a multi-row application write in its own order: a deadlock with a batch
                    // is possible and harmless to retry (the batch is idempotent)
                    if (!"40P01".equals(e.getSQLState()) || ++retries > 5) {
                        throw e;
                    }
                }
            }
        } finally {
            if (!c.isClosed()) { // a lost connection: the failure is the one to report
                c.setAutoCommit(true);
            }
        }
    }

    private record Batch(String lastKey, long rows, long updated) {
    }

    /** One batch in {@code c}'s open transaction, or null when no key is left after {@code after}. */
    private static Batch batch(Connection c, MigrationNames n, String keyType, String after, String upTo, int batchSize)
            throws SQLException {
        long rows;
        String lastKey;
        try (Statement s = c.createStatement()) {
            // the batch sets the old column from the target: a capture trigger (row-level security) must not sync it back
            s.execute("SELECT set_config('" + CaptureTrigger.SWITCH + "', 'off', true)");
        }
        try (PreparedStatement p = c.prepareStatement(lockSql(n, keyType, after != null))) {
            int i = 0;
            if (after != null) {
                p.setString(++i, after);
            }
            p.setString(++i, upTo);
            p.setInt(++i, batchSize);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                rows = rs.getLong(2);
                lastKey = rs.getString(1);
            }
        }
        if (rows == 0) {
            return null;
        }
        try (PreparedStatement p = c.prepareStatement(copySql(n, keyType, after != null))) {
            int i = 0;
            if (after != null) {
                p.setString(++i, after);
            }
            p.setString(++i, lastKey);
            return new Batch(lastKey, rows, p.executeUpdate());
        }
    }

    /**
     * Locks the next batch's source rows; parameters (last key, if {@code after}), the last key of the run, batch size;
     * returns max key, rows.
     */
    public static String lockSql(MigrationNames n, String keyType, boolean after) {
        String k = "u." + n.key();
        // the batch's last key in the key's own order (b.k, not the text output column named k): max() does not exist
        // for every key type (uuid has none)
        return "WITH b AS (SELECT " + k + " AS k FROM " + n.source() + " u WHERE "
                + (after ? k + " > ?::" + keyType + " AND " : "") + k + " <= ?::" + keyType + " ORDER BY " + k
                + " LIMIT ? FOR NO KEY UPDATE) SELECT (SELECT b.k::text FROM b ORDER BY b.k DESC LIMIT 1), (SELECT count(*) FROM b)";
    }

    private static String maxKey(Connection c, MigrationNames n) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT u." + n.key() + "::text FROM " + n.source()
                + " u ORDER BY u." + n.key() + " DESC LIMIT 1");
             ResultSet rs = p.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /**
     * Sets the old column of the batch's key range from the primary target rows where it differs; parameters (last key,
     * if {@code after}), the batch's max key. Run after {@link #lockSql} in the same transaction: its snapshot is then
     * taken after the locks were granted.
     */
    public static String copySql(MigrationNames n, String keyType, boolean after) {
        String k = n.key();
        return "UPDATE " + n.source() + " u SET " + n.value() + " = x.v FROM (SELECT s." + k + " AS k, (SELECT t." + n.targetValue()
                + " FROM " + n.target() + " t WHERE t." + n.targetKey() + " = s." + k + " AND t." + n.primaryFlag() + ") AS v FROM "
                + n.source() + " s WHERE " + (after ? "s." + k + " > ?::" + keyType + " AND " : "") + "s." + k + " <= ?::" + keyType
                + ") x WHERE u." + k + " = x.k AND u." + n.value() + " IS DISTINCT FROM x.v";
    }
}
