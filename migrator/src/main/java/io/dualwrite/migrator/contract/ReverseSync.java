package io.dualwrite.migrator.contract;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.MigrationState;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.db.ConnectionFactory;
import io.dualwrite.migrator.db.MigrationNames;
import io.dualwrite.migrator.parity.ChunkedParity;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import static io.dualwrite.control.phase.PhaseTransitions.Operation.REVERSE_SYNC;

/**
 * Rolling back from NEW_ONLY: copies the primary target values back into the old column (old &lt;- new),
 * in keyset batches over the source key, each one READ COMMITTED transaction that locks the batch's source
 * rows FOR NO KEY UPDATE and their primary target rows FOR SHARE, then checks parity with the same
 * chunked check. Runs only in NEW_ONLY (in the earlier phases the old column is authoritative).
 */
public final class ReverseSync {

    public record Result(long batches, long rowsScanned, long rowsUpdated, ChunkedParity.Result parity, double seconds) {
    }

    private ReverseSync() {
    }

    public static Result run(Connection c, ConnectionFactory factory, String migration, int batchSize) throws SQLException {
        long t0 = System.nanoTime();
        if (!c.getAutoCommit()) {
            c.commit();
            c.setAutoCommit(true);
        }
        MigrationState ms = ControlSchema.require(c, migration);
        String notHere = REVERSE_SYNC.refusalIn(ms.phase());
        if (notHere != null) {
            throw new RefusedException("reverse-sync copies the new table back into the old column to roll back from the phases"
                    + " that no longer write it: " + notHere);
        }
        MigrationSpec spec = ms.spec();
        String keyType = ControlSchema.columnType(c, spec.sourceSchema(), spec.sourceTable(), spec.keyColumn());
        MigrationNames names = MigrationNames.of(spec);
        String last = null;
        long batches = 0, scanned = 0, updated = 0;
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        try {
            while (true) {
                try (PreparedStatement p = c.prepareStatement(batchSql(names, keyType, last != null))) {
                    int i = 0;
                    if (last != null) {
                        p.setString(++i, last);
                    }
                    p.setInt(++i, batchSize);
                    long n;
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        String mk = rs.getString(1);
                        n = rs.getLong(2);
                        updated += rs.getLong(3);
                        if (n > 0) {
                            last = mk;
                        }
                    }
                    c.commit();
                    if (n == 0) {
                        break;
                    }
                    batches++;
                    scanned += n;
                }
            }
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        ChunkedParity.Result parity = ChunkedParity.run(c, factory, migration,
                new ChunkedParity.Options(2, ChunkedParity.DEFAULT_CHUNK_KEYS, false, false, 10));
        // recorded: the way back to READ_NEW is gated on a parity check since the phase last changed
        ControlSchema.recordParity(c, migration, parity.mismatches());
        return new Result(batches, scanned, updated, parity, (System.nanoTime() - t0) / 1e9);
    }

    /** One batch: parameters (last key, if {@code after}), batch size; returns max key, rows, rows updated. */
    public static String batchSql(MigrationNames n, String keyType, boolean after) {
        String src = n.source(), tgt = n.target(), k = n.key(), v = n.value();
        String tk = n.targetKey(), tv = n.targetValue(), flag = n.primaryFlag();
        return "WITH b AS (SELECT u." + k + " AS k FROM " + src + " u" + (after ? " WHERE u." + k + " > ?::" + keyType : "")
                + " ORDER BY u." + k + " LIMIT ? FOR NO KEY UPDATE),\n"
                + " e AS (SELECT t." + tk + " AS k, t." + tv + " AS v FROM " + tgt + " t JOIN b ON t." + tk + " = b.k WHERE t." + flag
                + " FOR SHARE OF t),\n"
                + " upd AS (UPDATE " + src + " u SET " + v + " = n.v FROM (SELECT b.k, e.v FROM b LEFT JOIN e ON e.k = b.k) n"
                + " WHERE u." + k + " = n.k AND u." + v + " IS DISTINCT FROM n.v RETURNING 1)\n"
                + "SELECT (SELECT b.k FROM b ORDER BY b.k DESC LIMIT 1)::text, (SELECT count(*) FROM b), (SELECT count(*) FROM upd)";
    }
}
