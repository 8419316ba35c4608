package io.dualwrite.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A JDBC batch of 100 single-row {@code UPDATE users SET email = ? WHERE id = ?}, one transaction
 * (prepare, addBatch × 100, executeBatch, commit, close: what Spring's {@code JdbcTemplate.batchUpdate}
 * does per call). Score is per batch. {@code syncViewSql}: the driver's
 * rewritten SQL sent by raw PgJDBC (see {@link SingleRowWriteBenchmark}).
 */
@State(Scope.Thread)
public class BatchWriteBenchmark {

    public static final int BATCH = 100;

    @Param({"plain", "trigger", "dualwrite", "syncViewSql"})
    public String variant;

    private Connection conn;
    private String sql;
    private final Bench.Keys keys = new Bench.Keys(11);
    private long counter;

    @Setup
    public void setUp() throws SQLException {
        conn = "dualwrite".equals(variant) ? Bench.dualwrite() : Bench.raw();
        conn.setAutoCommit(false);
        String app = "UPDATE " + Bench.usersTable(variant) + " SET email = ? WHERE id = ?";
        sql = "syncViewSql".equals(variant) ? Bench.rewritten(app) : app;
    }

    @TearDown
    public void tearDown() throws SQLException {
        conn.close();
    }

    @Benchmark
    public int batch100() throws SQLException {
        try (PreparedStatement update = conn.prepareStatement(sql)) {
            for (int i = 0; i < BATCH; i++) {
                update.setString(1, "b" + (counter++) + "@example.com");
                update.setLong(2, keys.next());
                update.addBatch();
            }
            int[] counts = update.executeBatch();
            conn.commit();
            return counts.length;
        }
    }
}
