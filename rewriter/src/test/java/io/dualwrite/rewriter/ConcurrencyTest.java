package io.dualwrite.rewriter;

import io.dualwrite.rewriter.cache.PlanCache;
import io.dualwrite.rewriter.rewrite.StatementRewriter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Cache misses plan concurrently; every thread must see the same plan text. */
class ConcurrencyTest {

    @Test
    void concurrentPlanningGivesEqualResults() throws Exception {
        MigrationSpec spec = new MigrationSpec("public", "users", "id", "email",
                "public", "email_address", "user_id", "address", "is_primary", "sync_users_email");
        StatementRewriter rewriter = new StatementRewriter(List.of(new SourceTable(spec, List.of("id", "email"))));
        StatementRewriter reference = new StatementRewriter(List.of(new SourceTable(spec, List.of("id", "email"))), new PlanCache(0));
        List<String> sqls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sqls.add(switch (i % 4) {
                case 0 -> "SELECT * FROM users WHERE id = " + i;
                case 1 -> "UPDATE users u SET email = ? WHERE u.id = " + i;
                case 2 -> "SELECT count(DISTINCT email) FROM users WHERE id > " + i;
                default -> "SELECT " + i;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> {
                    for (String sql : sqls) {
                        for (Phase p : Phase.values()) {
                            assertThat(rewriter.plan(sql).forPhase(p)).isEqualTo(reference.plan(sql).forPhase(p));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // the 150 texts that need a rewrite; "SELECT i" names no migrated table and is never cached
        assertThat(rewriter.cachedPlans()).isEqualTo(150);
    }
}
