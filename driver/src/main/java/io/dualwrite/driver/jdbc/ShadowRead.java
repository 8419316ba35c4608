package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * SHADOW reads (GitHub Scientist's pattern) in DUAL_WRITE: for a sample of the reads that
 * READ_NEW would rewrite, run the old and the new form side by side, compare the rows as
 * multisets, and count mismatches; the application is always served the old form. Both forms
 * run in one snapshot (a REPEATABLE READ read-only transaction, or a savepoint inside the
 * application's own transaction, which is left exactly as it was), so concurrent writes cannot
 * make them differ. Reads returning more than {@value #MAX_ROWS} rows are not compared.
 */
final class ShadowRead {

    static final int MAX_ROWS = 10_000;
    private static final System.Logger LOG = System.getLogger("io.dualwrite.driver");

    private ShadowRead() {
    }

    /** Whether this read is in the sample (no allocation, no lock). */
    static boolean sampled(MigrationRuntime migration) {
        double rate = migration.shadowSampleRate();
        return rate > 0 && (rate >= 1 || ThreadLocalRandom.current().nextDouble() < rate);
    }

    /**
     * Compares the two forms when that provably changes nothing; never throws (a failing comparison
     * is logged and not counted). It runs only when the read has no side effect
     * ({@link ShadowSafety}) and:
     * <ul>
     *   <li>outside any transaction in auto-commit: in a transaction of its own, opened and rolled
     *       back with SQL text ({@code BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY} … {@code ROLLBACK}),
     *       so PgJDBC's auto-commit setting is never touched;</li>
     *   <li>inside an open transaction (however it was opened: JDBC, {@code BEGIN}, {@code START
     *       TRANSACTION}, a savepoint, any isolation level but SERIALIZABLE, read-only or not): inside a
     *       savepoint of its own, rolled back and released with SQL text, so an error of the shadow
     *       (the target table failing where the old column does not) leaves the transaction as it was;</li>
     * </ul>
     * and never in an aborted transaction, in a SERIALIZABLE one (its reads would add predicate locks
     * that can fail the application's commit), or before the first statement of a JDBC transaction
     * ({@code setAutoCommit(false)}, nothing sent yet: the shadow would open the transaction and take
     * its snapshot).
     *
     * @param parameters what the application bound, or null for a plain Statement
     */
    static void compare(Connection connection, TransactionPins transaction, MigrationRuntime migration, String oldSql,
                        String newSql, ParameterLog parameters) {
        if (transaction.failedTransaction() || !ShadowSafety.sideEffectFree(oldSql)) {
            return;
        }
        try {
            boolean inTransaction = transaction.inTransaction();
            if (!inTransaction && !connection.getAutoCommit()) {
                return;
            }
            try (Statement control = connection.createStatement()) {
                if (inTransaction) {
                    if (serializable(control)) {
                        return;
                    }
                    control.execute("SAVEPOINT " + SAVEPOINT);
                } else {
                    control.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
                }
                try {
                    compareRows(connection, migration, oldSql, newSql, parameters);
                } finally {
                    control.execute(inTransaction ? "ROLLBACK TO SAVEPOINT " + SAVEPOINT + "; RELEASE SAVEPOINT " + SAVEPOINT : "ROLLBACK");
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "dualwrite: shadow read of " + migration.spec().name() + " not compared: " + e);
        }
    }

    /** The savepoint the shadow sets; released again before the application's statement runs. */
    private static final String SAVEPOINT = "\"dw$shadow\"";

    private static boolean serializable(Statement control) throws SQLException {
        try (ResultSet rs = control.executeQuery("SHOW transaction_isolation")) {
            return rs.next() && "serializable".equals(rs.getString(1));
        }
    }

    private static void compareRows(Connection connection, MigrationRuntime migration, String oldSql, String newSql,
                                    ParameterLog parameters) throws SQLException {
        Map<List<Object>, Integer> oldRows = rows(connection, oldSql, parameters);
        Map<List<Object>, Integer> newRows = rows(connection, newSql, parameters);
        if (oldRows != null && newRows != null) {
            boolean mismatch = !oldRows.equals(newRows);
            migration.countShadowComparison(mismatch);
            if (mismatch) {
                LOG.log(System.Logger.Level.WARNING, "dualwrite: shadow read mismatch for " + migration.spec().name()
                        + ": " + Refusals.abbreviate(oldSql) + " | only old: " + sample(oldRows, newRows)
                        + " | only new: " + sample(newRows, oldRows));
            }
        }
    }

    /** The rows as a multiset, or null when there are too many to compare. */
    private static Map<List<Object>, Integer> rows(Connection c, String sql, ParameterLog parameters) throws SQLException {
        if (parameters == null) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                return collect(rs);
            }
        }
        try (PreparedStatement p = c.prepareStatement(sql)) {
            parameters.replayParametersOnto(p);
            try (ResultSet rs = p.executeQuery()) {
                return collect(rs);
            }
        }
    }

    private static Map<List<Object>, Integer> collect(ResultSet rs) throws SQLException {
        int columns = rs.getMetaData().getColumnCount();
        Map<List<Object>, Integer> rows = new HashMap<>();
        int n = 0;
        while (rs.next()) {
            if (++n > MAX_ROWS) {
                return null;
            }
            List<Object> row = new ArrayList<>(columns);
            for (int i = 1; i <= columns; i++) {
                row.add(comparable(rs.getObject(i)));
            }
            rows.merge(row, 1, Integer::sum);
        }
        return rows;
    }

    /** Arrays compare by content; everything else by equals. */
    private static Object comparable(Object value) {
        if (value instanceof byte[] bytes) {
            return HexFormat.of().formatHex(bytes);
        }
        if (value instanceof Array array) {
            try {
                return Arrays.deepToString((Object[]) array.getArray());
            } catch (SQLException | ClassCastException e) {
                return Objects.toString(value);
            }
        }
        return value;
    }

    private static String sample(Map<List<Object>, Integer> a, Map<List<Object>, Integer> b) {
        List<List<Object>> only = new ArrayList<>();
        for (Map.Entry<List<Object>, Integer> e : a.entrySet()) {
            if (!Objects.equals(b.get(e.getKey()), e.getValue())) {
                only.add(e.getKey());
                if (only.size() == 3) {
                    break;
                }
            }
        }
        return only.toString();
    }
}
