package io.dualwrite.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Read by key of {@code customers} (migration {@code customers.email} in READ_NEW):
 * {@code oldColumn} = the application's SELECT through raw PgJDBC (reads customers.email);
 * {@code handWritten} = the same row with email taken from customer_email by a scalar subquery,
 * written by hand, raw PgJDBC; {@code dualwrite} = the application's SELECT through the driver,
 * which rewrites it to that subquery form.
 */
@State(Scope.Thread)
public class ReadNewBenchmark {

    static final String APP_SELECT = "SELECT id, name, email FROM customers WHERE id = ?";
    static final String HAND_WRITTEN = "SELECT c.id, c.name, (SELECT e.address FROM customer_email e"
            + " WHERE e.user_id = c.id AND e.is_primary) AS email FROM customers c WHERE c.id = ?";

    @Param({"oldColumn", "handWritten", "dualwrite"})
    public String variant;

    private Connection conn;
    private PreparedStatement select;
    private final Bench.Keys keys = new Bench.Keys(5);

    @Setup
    public void setUp() throws SQLException {
        conn = "dualwrite".equals(variant) ? Bench.dualwrite() : Bench.raw();
        select = conn.prepareStatement("handWritten".equals(variant) ? HAND_WRITTEN : APP_SELECT);
    }

    @TearDown
    public void tearDown() throws SQLException {
        conn.close();
    }

    @Benchmark
    public String readByKey() throws SQLException {
        select.setLong(1, keys.next());
        try (ResultSet rs = select.executeQuery()) {
            rs.next();
            return rs.getString(3);
        }
    }
}
