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
 * distinct literal statements went through the cache (bounded at 10,000; it stops inserting).
 */
@State(Scope.Thread)
public class PlanBenchmark {

    public static final List<String> COLUMNS = List.of("id", "name", "email");
    public static final int CAPACITY = 10_000;

    private StatementRewriter rewriter;
    private long counter;

    @Setup
    public void setUp() {
        rewriter = newRewriter();
        rewriter.plan(CACHED);
    }

    /** A rewriter whose cache saw 100,000 distinct literal statements first (it is full: 10,000). */
    @State(Scope.Benchmark)
    public static class Flooded {
        StatementRewriter rewriter;

        @Setup
        public void setUp() {
            rewriter = newRewriter();
            rewriter.plan(CACHED);
            flood(rewriter, 100_000);
        }
    }

    static StatementRewriter newRewriter() {
        return new StatementRewriter(List.of(new SourceTable(Bench.usersSpec(), COLUMNS)), CAPACITY);
    }

    /** {@code n} distinct literal statements, as an application that inlines values sends them. */
    static void flood(StatementRewriter rewriter, int n) {
        for (int i = 0; i < n; i++) {
            rewriter.plan("UPDATE users SET email = 'flood" + i + "@example.com' WHERE id = " + i);
        }
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
