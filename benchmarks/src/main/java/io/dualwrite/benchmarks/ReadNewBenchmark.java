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
 * Reads of {@code customers} (migration {@code customers.email} in READ_NEW), by key, as a range
 * scan of {@value #SCAN_ROWS} rows in key order, and by email (both email columns indexed, as {@code expand} mirrors
 * the old column's index): {@code oldColumn} = the application's SELECT through
 * raw PgJDBC (reads customers.email); {@code handWritten} = email taken from customer_email by a
 * correlated scalar subquery, written by hand; {@code leftJoin} = the LEFT JOIN a developer would write
 * for the new schema; {@code dualwrite} = the application's SELECT through the driver, which rewrites it.
 */
@State(Scope.Thread)
public class ReadNewBenchmark {

    static final int SCAN_ROWS = 1000;

    static final String APP_SELECT = "SELECT id, name, email FROM customers WHERE id = ?";
    static final String APP_BY_EMAIL = "SELECT id, name, email FROM customers WHERE email = ?";
    static final String APP_SCAN = "SELECT id, name, email FROM customers WHERE id BETWEEN ? AND ? ORDER BY id";
    static final String SUBQUERY = "SELECT c.id, c.name, (SELECT e.address FROM customer_email e"
            + " WHERE e.user_id = c.id AND e.is_primary) AS email FROM customers c";
    static final String LEFT_JOIN = "SELECT c.id, c.name, e.address AS email FROM customers c"
            + " LEFT JOIN customer_email e ON e.user_id = c.id AND e.is_primary";

    @Param({"oldColumn", "handWritten", "leftJoin", "dualwrite"})
    public String variant;

    private Connection conn;
    private PreparedStatement select;
    private PreparedStatement scan;
    private PreparedStatement byEmail;
    private final Bench.Keys keys = new Bench.Keys(5);

    @Setup
    public void setUp() throws SQLException {
        conn = "dualwrite".equals(variant) ? Bench.dualwrite() : Bench.raw();
        String from = switch (variant) {
            case "handWritten" -> SUBQUERY;
            case "leftJoin" -> LEFT_JOIN;
            default -> null;
        };
        select = conn.prepareStatement(from == null ? APP_SELECT : from + " WHERE c.id = ?");
        scan = conn.prepareStatement(from == null ? APP_SCAN : from + " WHERE c.id BETWEEN ? AND ? ORDER BY c.id");
        byEmail = conn.prepareStatement(switch (variant) {
            case "handWritten" -> SUBQUERY + " WHERE (SELECT e.address FROM customer_email e WHERE e.user_id = c.id"
                    + " AND e.is_primary) = ?";
            case "leftJoin" -> LEFT_JOIN + " WHERE e.address = ?";
            default -> APP_BY_EMAIL;
        });
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

    /**
     * A login: the row of one email. {@code handWritten} compares the correlated subquery, the form the driver sent
     * before it read lookups from the new table first ({@code ValueLookups}), which probes it once per row.
     */
    @Benchmark
    public String readByEmail() throws SQLException {
        byEmail.setString(1, "customer" + keys.next() + "@example.com");
        try (ResultSet rs = byEmail.executeQuery()) {
            rs.next();
            return rs.getString(2);
        }
    }

    /** YCSB's ScanRecord: up to {@value #SCAN_ROWS} rows from a random key on, every value read. */
    @Benchmark
    public int scan1000() throws SQLException {
        long from = Math.min(keys.next(), Bench.ROWS - SCAN_ROWS + 1);
        scan.setLong(1, from);
        scan.setLong(2, from + SCAN_ROWS - 1);
        int length = 0;
        try (ResultSet rs = scan.executeQuery()) {
            while (rs.next()) {
                String email = rs.getString(3);
                length += email == null ? 0 : email.length();
            }
        }
        return length;
    }
}
