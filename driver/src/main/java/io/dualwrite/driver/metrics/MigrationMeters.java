package io.dualwrite.driver.metrics;

import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.driver.runtime.StageTime;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The meters of one migration. Each reads, at scrape time, the counters the driver keeps anyway for JMX
 * ({@link MigrationRuntime}): nothing is counted twice and the statement path never touches Micrometer.
 * The names and meanings are listed in the driver README ("Metrics").
 */
final class MigrationMeters {

    static final String MIGRATION_TAG = "migration";

    private MigrationMeters() {
    }

    static void register(MeterRegistry registry, KnownMigrations.Followed migration) {
        Tags tags = Tags.of(MIGRATION_TAG, migration.name());
        statements(registry, migration, tags, "dual_write", MigrationRuntime::dualWrites);
        statements(registry, migration, tags, "read_new", MigrationRuntime::readsRewritten);
        statements(registry, migration, tags, "rejected", MigrationRuntime::rejectedStatements);
        counter(registry, migration, tags, "dualwrite.rewritten.executions", MigrationRuntime::rewrittenExecutions,
                "executions of rewritten statements (a batch counts once)");
        counter(registry, migration, tags, "dualwrite.rewritten.failures", MigrationRuntime::rewrittenFailures,
                "rewritten statements that failed because of the rewrite (the automatic rollback's numerator)");
        counter(registry, migration, tags, "dualwrite.shadow.comparisons", MigrationRuntime::shadowComparisons,
                "reads compared old against new in DUAL_WRITE with shadow reads on");
        counter(registry, migration, tags, "dualwrite.shadow.mismatches", MigrationRuntime::shadowMismatches,
                "shadow comparisons whose rows differed");
        counter(registry, migration, tags, "dualwrite.held.transactions.ended", MigrationRuntime::heldTransactionsEnded,
                "transactions ended because they stayed idle, pinned to an older phase, beyond dualwrite.pinIdleSeconds");
        Gauge.builder("dualwrite.phase", migration, m -> m.current().phase().ordinal())
                .tags(tags).description("the phase this JVM applies: 0 EXPANDED, 1 DUAL_WRITE, 2 READ_NEW, 3 NEW_ONLY, 4 CONTRACTED")
                .register(registry);
        Gauge.builder("dualwrite.parity.mismatches", migration, MigrationMeters::lastParity)
                .tags(tags).description("mismatches found by the latest dualwrite parity run (NaN: none ran)")
                .register(registry);
        Gauge.builder("dualwrite.held.back.connections", migration, m -> m.current().heldBackBy().size())
                .tags(tags).description("connections whose open transaction, pinned to an older phase, holds this instance's acknowledgement back")
                .register(registry);
        migration.metered();
        timer(registry, migration, tags, "dualwrite.rewrite", MigrationRuntime::rewriteTime,
                "time the driver spent choosing the phase's SQL for a statement on the migration (pin, evidence, search_path check, rewrite)");
        timer(registry, migration, tags, "dualwrite.planning", MigrationRuntime::planningTime,
                "time the rewriter spent planning a text on the migration, once per text (plan-cache misses)");
    }

    private static double lastParity(KnownMigrations.Followed migration) {
        Long mismatches = migration.current().lastParityMismatches();
        return mismatches == null ? Double.NaN : mismatches;
    }

    private static void statements(MeterRegistry registry, KnownMigrations.Followed migration, Tags tags, String kind,
                                   ToLongFunction<MigrationRuntime> count) {
        FunctionCounter.builder("dualwrite.statements", migration, m -> count.applyAsLong(m.current()))
                .tags(tags).tag("kind", kind)
                .description("statements on the migration: dual_write (rewritten writes), read_new (rewritten reads), rejected (refused)")
                .register(registry);
    }

    private static void counter(MeterRegistry registry, KnownMigrations.Followed migration, Tags tags, String name,
                                ToLongFunction<MigrationRuntime> count, String description) {
        FunctionCounter.builder(name, migration, m -> count.applyAsLong(m.current()))
                .tags(tags).description(description).register(registry);
    }

    private static void timer(MeterRegistry registry, KnownMigrations.Followed migration, Tags tags, String name,
                              Function<MigrationRuntime, StageTime> stage, String description) {
        FunctionTimer.builder(name, migration, m -> stage.apply(m.current()).count(),
                        m -> stage.apply(m.current()).totalNanos(), TimeUnit.NANOSECONDS)
                .tags(tags).description(description).register(registry);
    }
}
