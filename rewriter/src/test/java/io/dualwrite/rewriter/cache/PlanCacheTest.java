package io.dualwrite.rewriter.cache;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.rewrite.StatementRewriter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Eviction runs on the calling thread ({@code Runnable::run}) and is forced with cleanUp(), so every assertion is deterministic. */
class PlanCacheTest {

    private static final MigrationSpec SPEC = new MigrationSpec("public", "users", "id", "email",
            "public", "email_address", "user_id", "address", "is_primary", "sync_users_email");
    private static final List<SourceTable> TABLES = List.of(new SourceTable(SPEC, List.of("id", "name", "email")));
    private static final String HOT = "UPDATE users SET email = ? WHERE id = ?";

    /** The real planner, uncached, counting its calls. */
    private final StatementRewriter uncached = new StatementRewriter(TABLES, new PlanCache(0, Runnable::run));
    private final AtomicInteger planned = new AtomicInteger();
    private final AtomicInteger hotPlans = new AtomicInteger();
    private final Function<String, RewritePlan> planner = sql -> {
        planned.incrementAndGet();
        if (sql.equals(HOT)) {
            hotPlans.incrementAndGet();
        }
        return uncached.plan(sql);
    };

    private static String literalUpdate(int i) {
        return "UPDATE users SET email = 'flood" + i + "@example.com' WHERE id = " + i;
    }

    @Test
    void weightStaysUnderTheBoundWhateverIsInserted() {
        PlanCache cache = new PlanCache(64 * 1024, Runnable::run);
        for (int i = 0; i < 5_000; i++) {
            RewritePlan plan = cache.get(literalUpdate(i), planner);
            assertThat(plan.forPhase(Phase.DUAL_WRITE)).isInstanceOf(Rewrite.Rewritten.class);
        }
        cache.cleanUp();
        assertThat(cache.weightedBytes()).isPositive().isLessThanOrEqualTo(64 * 1024);
        assertThat(cache.rewrites()).isBetween(10L, 4_999L);
    }

    @Test
    void aLargeStatementWeighsWhatItHolds() {
        StringBuilder sql = new StringBuilder("INSERT INTO users (id, name, email) VALUES ");
        for (int i = 0; i < 2_000; i++) {
            sql.append(i == 0 ? "" : ", ").append('(').append(i).append(", 'n', 'e").append(i).append("@example.com')");
        }
        String large = sql.toString();
        RewritePlan plan = uncached.plan(large);
        int weight = PlanWeigher.rewrite(large, plan);
        // the text, its dual write (the text again and more) and what the plan keeps for generated keys
        assertThat(weight).isGreaterThan(4 * large.length());

        PlanCache small = new PlanCache(weight / 2, Runnable::run);
        small.get(large, planner);
        small.cleanUp();
        assertThat(small.rewrites()).isZero();
        assertThat(small.weightedBytes()).isZero();
    }

    @Test
    void aFloodOfOneOffTextsDoesNotEvictAStatementInUse() {
        PlanCache cache = new PlanCache(256 * 1024, Runnable::run);
        for (int i = 0; i < 20_000; i++) {
            if (i % 50 == 0) {
                cache.get(HOT, planner);
            }
            cache.get(literalUpdate(i), planner);
        }
        cache.cleanUp();
        assertThat(hotPlans.get()).as("plans of the statement run once every 50 flood texts").isEqualTo(1);
        assertThat(cache.get(HOT, planner)).isNotNull();
        assertThat(hotPlans.get()).isEqualTo(1);
    }

    @Test
    void aHotStatementFirstSeenAfterAFloodStillGetsIn() {
        PlanCache cache = new PlanCache(256 * 1024, Runnable::run);
        for (int i = 0; i < 20_000; i++) {
            cache.get(literalUpdate(i), planner);
        }
        for (int i = 0; i < 5; i++) {
            cache.get(HOT, planner);
            cache.get(literalUpdate(100_000 + i), planner);
        }
        int before = hotPlans.get();
        for (int i = 0; i < 1_000; i++) {
            cache.get(HOT, planner);
            cache.get(literalUpdate(200_000 + i), planner); // the flood goes on
        }
        assertThat(hotPlans.get() - before).as("plans of the hot statement in its next 1,000 executions").isZero();
    }

    @Test
    void textsNamingNoMigratedTableAreNeverCached() {
        PlanCache cache = new PlanCache(PlanCache.DEFAULT_MAX_BYTES, Runnable::run);
        StatementRewriter rewriter = new StatementRewriter(TABLES, cache);
        for (int i = 0; i < 1_000; i++) {
            assertThat(rewriter.plan("UPDATE accounts SET balance = " + i + " WHERE id = ?").passThrough()).isTrue();
        }
        cache.cleanUp();
        assertThat(cache.rewrites()).isZero();
        assertThat(cache.passThroughTexts()).isZero();
        assertThat(cache.weightedBytes()).isZero();
    }

    @Test
    void textsNamingTheTableButNeedingNoRewriteAreKeptApartFromRewrites() {
        PlanCache cache = new PlanCache(256 * 1024, Runnable::run);
        StatementRewriter rewriter = new StatementRewriter(TABLES, cache);
        RewritePlan hot = rewriter.plan(HOT);
        for (int i = 0; i < 50_000; i++) {
            assertThat(rewriter.plan("SELECT * FROM users_archive WHERE id = " + i).passThrough()).isTrue();
        }
        cache.cleanUp();
        assertThat(cache.rewrites()).isEqualTo(1);
        assertThat(cache.passThroughTexts()).isBetween(1L, 49_999L);
        assertThat(cache.weightedBytes()).isLessThanOrEqualTo(256 * 1024);
        assertThat(rewriter.plan(HOT)).isSameAs(hot);
        String repeated = "UPDATE users SET name = ? WHERE id = ?";
        assertThat(rewriter.plan(repeated)).isSameAs(rewriter.plan(repeated));
    }

    @Test
    void zeroBytesCachesNothingButStillPlans() {
        PlanCache cache = new PlanCache(0, Runnable::run);
        StatementRewriter rewriter = new StatementRewriter(TABLES, cache);
        assertThat(rewriter.plan(HOT).forPhase(Phase.DUAL_WRITE)).isInstanceOf(Rewrite.Rewritten.class);
        cache.cleanUp();
        assertThat(cache.rewrites()).isZero();
    }

    @Test
    void aNegativeSizeIsRefused() {
        assertThatThrownBy(() -> new PlanCache(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(">= 0 bytes");
    }
}
