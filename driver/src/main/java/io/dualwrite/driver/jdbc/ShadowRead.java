package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
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
     * Compares the two forms; never throws (a failing comparison is logged and not counted), and
     * never changes the connection's transaction state.
     *
     * @param parameters what the application bound, or null for a plain Statement
     */
    static void compare(Connection connection, MigrationRuntime migration, String oldSql, String newSql,
                        ParameterLog parameters) {
        try {
            boolean autoCommit = connection.getAutoCommit();
            Savepoint savepoint = null;
            if (autoCommit) {
                connection.setAutoCommit(false);
                try (Statement s = connection.createStatement()) {
                    s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                }
            } else {
                savepoint = connection.setSavepoint();
            }
            try {
                Map<List<Object>, Integer> oldRows = rows(connection, oldSql, parameters);
                Map<List<Object>, Integer> newRows = rows(connection, newSql, parameters);
                if (oldRows != null && newRows != null) {
                    boolean mismatch = !oldRows.equals(newRows);
                    migration.countShadowComparison(mismatch);
                    if (mismatch) {
                        LOG.log(System.Logger.Level.WARNING, "dualwrite: shadow read mismatch for " + migration.spec().name()
                                + ": " + StatementPipeline.abbreviate(oldSql) + " | only old: " + sample(oldRows, newRows)
                                + " | only new: " + sample(newRows, oldRows));
                    }
                }
            } finally {
                if (autoCommit) {
                    connection.rollback();
                    connection.setAutoCommit(true);
                } else {
                    connection.rollback(savepoint);
                    connection.releaseSavepoint(savepoint);
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "dualwrite: shadow read of " + migration.spec().name() + " not compared: " + e);
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
