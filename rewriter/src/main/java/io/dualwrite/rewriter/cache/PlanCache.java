package io.dualwrite.rewriter.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dualwrite.rewriter.RewritePlan;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;

/**
 * Plans by exact SQL text, bounded by their approximate heap size ({@link PlanWeigher}) rather
 * than by count: one 50 KB statement must not cost what one short one costs. Caffeine's
 * W-TinyLFU decides what stays, by frequency and recency, so a flood of one-off texts (SQL built
 * with literals) cannot push out the statements an application runs all the time, and a hot
 * statement seen only after the flood still gets in.
 *
 * <p>Texts that name a migrated table but need no rewrite in any phase (a read of other columns,
 * {@code users_archive}) are remembered apart, in a small share of the budget: re-planning them
 * would cost a parse per execution, yet a flood of them must not evict a single rewrite. Texts
 * that name no migrated table never reach this cache ({@link NameFilter} decides first).
 */
public final class PlanCache {

    /**
     * 32 MiB: about 40,000 typical short dual writes (~800 bytes each: the text, its rewrite and
     * its generated-keys form), far more than the distinct statements of an application that binds
     * parameters, while a flood of literal SQL or of large statements stays a fixed cost.
     */
    public static final long DEFAULT_MAX_BYTES = 32L << 20;

    /** The pass-through texts get an eighth of the budget: they weigh only their text. */
    private static final int PASS_THROUGH_SHARE = 8;

    private final long maxBytes;
    private final Cache<String, RewritePlan> rewrites;
    private final Cache<String, RewritePlan> passThrough;

    /** Evicts in the background (Caffeine's default: the common pool). */
    public PlanCache(long maxBytes) {
        this(maxBytes, ForkJoinPool.commonPool());
    }

    /**
     * @param maintenance runs Caffeine's eviction work; {@code Runnable::run} makes eviction happen
     *                    within the call that inserted (deterministic tests)
     */
    public PlanCache(long maxBytes, Executor maintenance) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("plan cache size must be >= 0 bytes: " + maxBytes);
        }
        this.maxBytes = maxBytes;
        long passThroughBytes = maxBytes / PASS_THROUGH_SHARE;
        rewrites = Caffeine.newBuilder()
                .maximumWeight(maxBytes - passThroughBytes)
                .weigher(PlanWeigher::rewrite)
                .executor(maintenance)
                .build();
        passThrough = Caffeine.newBuilder()
                .maximumWeight(passThroughBytes)
                .weigher((String sql, RewritePlan plan) -> PlanWeigher.passThrough(sql))
                .executor(maintenance)
                .build();
    }

    /**
     * The cached plan of {@code sql}, else {@code planner}'s, remembered. Two threads missing the
     * same text at once may both plan it (planning is pure); no lock is held while planning.
     */
    public RewritePlan get(String sql, Function<String, RewritePlan> planner) {
        RewritePlan plan = rewrites.getIfPresent(sql);
        if (plan != null) {
            return plan;
        }
        plan = passThrough.getIfPresent(sql);
        if (plan != null) {
            return plan;
        }
        plan = planner.apply(sql);
        (plan.passThrough() ? passThrough : rewrites).put(sql, plan);
        return plan;
    }

    /** Texts cached with a rewrite (for metrics; approximate until {@link #cleanUp()}). */
    public long rewrites() {
        return rewrites.estimatedSize();
    }

    /** Texts cached as needing no rewrite. */
    public long passThroughTexts() {
        return passThrough.estimatedSize();
    }

    /** What all cached entries weigh together, in approximate bytes; never above {@link #maxBytes()} after {@link #cleanUp()}. */
    public long weightedBytes() {
        return weight(rewrites) + weight(passThrough);
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Runs pending eviction now (tests, measurements). */
    public void cleanUp() {
        rewrites.cleanUp();
        passThrough.cleanUp();
    }

    private static long weight(Cache<String, RewritePlan> cache) {
        return cache.policy().eviction().orElseThrow().weightedSize().orElseThrow();
    }
}
