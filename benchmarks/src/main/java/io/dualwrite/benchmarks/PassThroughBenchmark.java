package io.dualwrite.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A statement on a table that is not migrated ({@code accounts}), while {@code users.email} is in
 * DUAL_WRITE: the cost every other statement of the application pays. Each operation is what an
 * application does per request: borrow from HikariCP, prepare, bind, execute, close. The
 * {@code rawPlain*} / {@code wrappedPlain*} pair does the same on one connection held for the trial
 * (no pool), so that the driver's share of time and allocation (run with {@code --prof gc}) is not
 * diluted by HikariCP's own.
 */
@State(Scope.Thread)
public class PassThroughBenchmark {

    static final String SELECT = "SELECT id, name, balance FROM accounts WHERE id = ?";
    static final String UPDATE = "UPDATE accounts SET balance = balance + 1 WHERE id = ?";

    private HikariDataSource raw;
    private HikariDataSource dualwrite;
    private Connection rawPlain;
    private Connection wrappedPlain;
    private final Bench.Keys keys = new Bench.Keys(42);

    @Setup
    public void setUp() throws SQLException {
        raw = Bench.pool(Bench.pgUrl(), "org.postgresql.Driver");
        dualwrite = Bench.pool(Bench.dualwriteUrl(), "io.dualwrite.driver.DualwriteDriver");
        rawPlain = Bench.raw();
        wrappedPlain = Bench.dualwrite();
    }


    @TearDown
    public void tearDown() throws SQLException {
        raw.close();
        dualwrite.close();
        rawPlain.close();
        wrappedPlain.close();
    }

    @Benchmark
    public long rawPlainSelect() throws SQLException {
        return select(rawPlain, keys.next());
    }

    @Benchmark
    public long wrappedPlainSelect() throws SQLException {
        return select(wrappedPlain, keys.next());
    }

    @Benchmark
    public long rawSelect() throws SQLException {
        return select(raw, keys.next());
    }

    @Benchmark
    public long dualwriteSelect() throws SQLException {
        return select(dualwrite, keys.next());
    }

    @Benchmark
    public int rawUpdate() throws SQLException {
        return update(raw, keys.next());
    }

    @Benchmark
    public int dualwriteUpdate() throws SQLException {
        return update(dualwrite, keys.next());
    }

    private static long select(HikariDataSource ds, long id) throws SQLException {
        try (Connection c = ds.getConnection()) {
            return select(c, id);
        }
    }

    private static long select(Connection c, long id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(SELECT)) {
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(3);
            }
        }
    }

    private static int update(HikariDataSource ds, long id) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(UPDATE)) {
            p.setLong(1, id);
            return p.executeUpdate();
        }
    }
}
