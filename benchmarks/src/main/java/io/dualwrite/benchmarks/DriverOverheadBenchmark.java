package io.dualwrite.benchmarks;

import io.dualwrite.driver.jdbc.DualwriteConnection;
import io.dualwrite.driver.runtime.DatabaseRuntime;
import io.dualwrite.driver.runtime.RuntimeRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The driver's cost per statement without the database: prepare, bind, executeUpdate, close on a
 * stub connection ({@code raw*}) versus the same through {@code DualwriteConnection.wrap(stub, runtime)}
 * ({@code wrapped*}), with the real runtime of the benchmark database ({@code users.email} in
 * DUAL_WRITE). Plans are cached (the statements repeat), so this is the steady-state cost.
 */
@State(Scope.Thread)
public class DriverOverheadBenchmark {

    static final String PASS_THROUGH = "UPDATE accounts SET balance = balance + 1 WHERE id = ?";
    static final String DUAL_WRITE = "UPDATE users SET email = ? WHERE id = ?";

    private Connection physical;
    private Connection stub;
    private Connection wrapped;
    private long id;

    @Setup
    public void setUp() throws SQLException {
        physical = Bench.raw();
        DatabaseRuntime runtime = RuntimeRegistry.attach(Bench.pgUrl(), Bench.props(), physical);
        stub = StubJdbc.connection();
        wrapped = DualwriteConnection.wrap(StubJdbc.connection(), runtime);
    }

    @TearDown
    public void tearDown() throws SQLException {
        wrapped.close();
        physical.close();
    }

    @Benchmark
    public int rawPassThrough() throws SQLException {
        return passThrough(stub);
    }

    @Benchmark
    public int wrappedPassThrough() throws SQLException {
        return passThrough(wrapped);
    }

    @Benchmark
    public int rawDualWrite() throws SQLException {
        return dualWrite(stub);
    }

    @Benchmark
    public int wrappedDualWrite() throws SQLException {
        return dualWrite(wrapped);
    }

    private int passThrough(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(PASS_THROUGH)) {
            p.setLong(1, ++id);
            return p.executeUpdate();
        }
    }

    private int dualWrite(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(DUAL_WRITE)) {
            p.setString(1, "x@example.com");
            p.setLong(2, ++id);
            return p.executeUpdate();
        }
    }
}
