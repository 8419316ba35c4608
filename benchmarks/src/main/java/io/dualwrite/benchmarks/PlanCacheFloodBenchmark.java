package io.dualwrite.benchmarks;

import io.dualwrite.driver.runtime.DatabaseRuntime;
import io.dualwrite.driver.runtime.RuntimeRegistry;
import io.dualwrite.rewriter.rewrite.StatementRewriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A dual write through {@code jdbc:dualwrite:} (prepare, bind, execute, close: the pool pattern, so
 * every operation asks the plan cache), with the driver's plan cache {@code fresh} or
 * {@code flooded}: 100,000 distinct statements ({@link PlanBenchmark#floodStatement}) went through
 * the driver's rewriter before the dual write was ever seen, and one more distinct statement goes
 * through it before each operation, outside the measurement. In {@code fresh} that statement goes
 * to a throwaway rewriter instead, so both variants do the same work. Each variant runs in its own
 * JVM (JMH forks per parameter), so each has its own driver runtime.
 */
@State(Scope.Thread)
public class PlanCacheFloodBenchmark {

    static final String DUAL_WRITE = "UPDATE users SET email = ? WHERE id = ?";
    static final int FLOOD = 100_000;

    @Param({"fresh", "flooded"})
    public String cache;

    private Connection physical;
    private Connection conn;
    private StatementRewriter floodTarget;
    private final Bench.Keys keys = new Bench.Keys(11);
    private long counter;
    private int next = FLOOD;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        physical = Bench.raw();
        DatabaseRuntime runtime = RuntimeRegistry.attach(Bench.pgUrl(), Bench.props(), physical);
        conn = Bench.dualwrite();
        StatementRewriter driver = runtime.migrations().rewriter();
        if ("flooded".equals(cache)) {
            PlanBenchmark.flood(driver, 0, FLOOD);
            floodTarget = driver;
        } else {
            floodTarget = PlanBenchmark.newRewriter();
        }
    }

    @Setup(Level.Invocation)
    public void floodOn() {
        floodTarget.plan(PlanBenchmark.floodStatement(next++));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        conn.close();
        physical.close();
    }

    @Benchmark
    public int dualWrite() throws SQLException {
        try (PreparedStatement p = conn.prepareStatement(DUAL_WRITE)) {
            p.setString(1, "f" + (counter++) + "@example.com");
            p.setLong(2, keys.next());
            return p.executeUpdate();
        }
    }
}
