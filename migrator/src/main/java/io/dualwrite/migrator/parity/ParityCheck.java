package io.dualwrite.migrator.parity;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.migrator.db.MigrationNames;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares the old column with the primary target rows, in one REPEATABLE READ READ ONLY
 * transaction: both tables are read in the same snapshot, and a dual write is one atomic
 * statement, so a concurrent writer never shows up as a false mismatch.
 *
 * <p>Mismatch = a source row whose column IS DISTINCT FROM its primary target row's value (NULL
 * matches "no primary row"), plus a primary target row whose key has no source row (orphan).
 */
public final class ParityCheck {

    private ParityCheck() {
    }

    /** Looks the migration up by name ({@code users.email}) and checks it. */
    public static ParityResult run(Connection c, String migration, int limit) throws SQLException {
        return run(c, ControlSchema.require(c, migration).spec(), limit);
    }

    public static ParityResult run(Connection c, MigrationSpec spec, int limit) throws SQLException {
        long t0 = System.nanoTime();
        boolean autoCommit = c.getAutoCommit();
        int isolation = c.getTransactionIsolation();
        boolean readOnly = c.isReadOnly();
        if (!autoCommit) {
            c.commit();
        }
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
        try {
            Sql sql = new Sql(MigrationNames.of(spec));
            long mismatches, orphans, sourceRows;
            try (PreparedStatement p = c.prepareStatement(sql.counts); ResultSet rs = p.executeQuery()) {
                rs.next();
                mismatches = rs.getLong(1);
                orphans = rs.getLong(2);
                sourceRows = rs.getLong(3);
            }
            List<Mismatch> samples = new ArrayList<>();
            if (mismatches > 0 && limit > 0) {
                try (PreparedStatement p = c.prepareStatement(sql.samples)) {
                    p.setInt(1, limit);
                    p.setInt(2, limit);
                    p.setInt(3, limit);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            samples.add(new Mismatch(rs.getString(1), rs.getString(2), rs.getString(3),
                                    rs.getBoolean(4) ? Mismatch.Kind.ORPHAN : Mismatch.Kind.MISMATCH));
                        }
                    }
                }
            }
            c.commit();
            return new ParityResult(mismatches, orphans, sourceRows, List.copyOf(samples), (System.nanoTime() - t0) / 1e9);
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // report the original failure
            }
            throw e;
        } finally {
            if (!c.isClosed()) {
                c.setReadOnly(readOnly);
                c.setAutoCommit(autoCommit);
                c.setTransactionIsolation(isolation);
            }
        }
    }

    /** The two statements of the check: the counts, and the lowest offending keys. */
    private static final class Sql {
        final String counts;
        final String samples;

        Sql(MigrationNames n) {
            String src = n.source(), tgt = n.target(), k = n.key(), v = n.value();
            String tk = n.targetKey(), tv = n.targetValue(), flag = n.primaryFlag();
            String join = " FROM " + src + " u LEFT JOIN " + tgt + " e ON e." + tk + " = u." + k + " AND e." + flag;
            String differs = "u." + v + " IS DISTINCT FROM e." + tv;
            String orphaned = " FROM " + tgt + " e WHERE e." + flag
                    + " AND NOT EXISTS (SELECT 1 FROM " + src + " u WHERE u." + k + " = e." + tk + ")";
            this.counts = "WITH j AS (SELECT count(*) FILTER (WHERE " + differs + ") AS m, count(*) AS n" + join + "),"
                    + " o AS (SELECT count(*) AS o" + orphaned + ")"
                    + " SELECT j.m + o.o, o.o, j.n FROM j, o";
            this.samples = "SELECT k::text, sv, tv, orphan FROM ("
                    + "(SELECT u." + k + " AS k, u." + v + "::text AS sv, e." + tv + "::text AS tv, false AS orphan" + join
                    + " WHERE " + differs + " ORDER BY 1 LIMIT ?)"
                    + " UNION ALL (SELECT e." + tk + ", NULL::text, e." + tv + "::text, true" + orphaned + " ORDER BY 1 LIMIT ?)"
                    + ") x ORDER BY k LIMIT ?";
        }
    }
}
