package io.dualwrite.benchmarks;

import io.dualwrite.rewriter.RewritePlan;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.rewrite.StatementRewriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;

/**
 * The rewriter alone, no JDBC: {@code cached} = plan of a statement seen before (the hit path);
 * {@code firstSight*} = plan of a statement never seen (unique literal each call: lex, split,
 * analyse, jOOQ cross-check, rewrite); {@code cachedAfterFlood} = the hit path after 100,000
 * distinct statements ({@link #floodStatement}) went through a rewriter with the default cache
 * (32 MiB, bounded by weight); {@code passThrough} = a statement that names no migrated table
 * (the name check alone, nothing cached).
 */
@State(Scope.Thread)
public class PlanBenchmark {

    public static final List<String> COLUMNS = List.of("id", "name", "email");

    private StatementRewriter rewriter;
    private long counter;

    @Setup
    public void setUp() {
        rewriter = newRewriter();
        rewriter.plan(CACHED);
    }

    /** A rewriter whose cache saw 100,000 distinct statements after the benchmarked one. */
    @State(Scope.Benchmark)
    public static class Flooded {
        StatementRewriter rewriter;

        @Setup
        public void setUp() {
            rewriter = newRewriter();
            rewriter.plan(CACHED);
            flood(rewriter, 0, 100_000);
        }
    }

    static StatementRewriter newRewriter() {
        return new StatementRewriter(List.of(new SourceTable(Bench.usersSpec(), COLUMNS)));
    }

    /** Statements {@code from} … {@code from + n - 1} of {@link #floodStatement}. */
    static void flood(StatementRewriter rewriter, int from, int n) {
        for (int i = from; i < from + n; i++) {
            rewriter.plan(floodStatement(i));
        }
    }

    /**
     * The {@code i}-th distinct statement of a flood, as an application that inlines values sends
     * them: in turn a dual write, a read of the migrated column (both cached with their rewrites),
     * a read of a table whose name contains the migrated one (cached as needing no rewrite), and a
     * write to another table (never cached).
     */
    static String floodStatement(int i) {
        return switch (i % 4) {
            case 0 -> "UPDATE users SET email = 'flood" + i + "@example.com' WHERE id = " + i;
            case 1 -> "SELECT id, name, email FROM users WHERE id = " + i;
            case 2 -> "SELECT id, note FROM users_audit WHERE id = " + i;
            default -> "UPDATE accounts SET balance = balance + " + i + " WHERE id = " + i;
        };
    }

    static final String CACHED = "UPDATE users SET email = ? WHERE id = ?";

    @Benchmark
    public RewritePlan cached() {
        return rewriter.plan(CACHED);
    }

    @Benchmark
    public RewritePlan cachedAfterFlood(Flooded f) {
        return f.rewriter.plan(CACHED);
    }

    @Benchmark
    public RewritePlan passThrough() {
        return rewriter.plan(DriverOverheadBenchmark.PASS_THROUGH);
    }

    @Benchmark
    public RewritePlan firstSightUpdate() {
        return rewriter.plan("UPDATE users SET email = ? WHERE id = " + (counter++));
    }

    @Benchmark
    public RewritePlan firstSightSelect() {
        return rewriter.plan("SELECT u.id, u.name, u.email FROM users u WHERE u.id = " + (counter++));
    }

    @Benchmark
    public RewritePlan firstSightOtherTable() {
        return rewriter.plan("SELECT id, name, balance FROM accounts WHERE id = " + (counter++));
    }
}
