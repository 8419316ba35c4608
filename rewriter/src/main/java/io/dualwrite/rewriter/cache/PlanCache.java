package io.dualwrite.rewriter.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Plans by exact SQL text. Bounded without eviction: once full it stops inserting (callers still
 * get a computed value), so a hit is one lock-free {@link ConcurrentHashMap#get} and an
 * application that builds SQL with literals cannot grow memory without limit.
 */
public final class PlanCache<V> {

    private final ConcurrentHashMap<String, V> plans;
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;

    public PlanCache(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0: " + capacity);
        }
        this.capacity = capacity;
        this.plans = new ConcurrentHashMap<>(Math.min(capacity, 1024));
    }

    public V get(String sql, Function<String, V> compute) {
        V cached = plans.get(sql);
        if (cached != null) {
            return cached;
        }
        V computed = compute.apply(sql);
        // reserve a slot first so that concurrent misses cannot overshoot the bound
        if (size.incrementAndGet() <= capacity) {
            V raced = plans.putIfAbsent(sql, computed);
            if (raced != null) {
                size.decrementAndGet();
                return raced;
            }
        } else {
            size.decrementAndGet();
        }
        return computed;
    }

    public int size() {
        return plans.size();
    }

    public int capacity() {
        return capacity;
    }
}
