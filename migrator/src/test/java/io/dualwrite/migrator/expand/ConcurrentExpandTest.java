package io.dualwrite.migrator.expand;

import io.dualwrite.migrator.Fixtures;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three expands of one migration at once (an operator's retry, two runbooks, a deploy hook): one creates, the others
 * wait for it and find everything in place, as a second expand run after it would. Before, the losers failed with
 * PostgreSQL's 23505 from the catalog (two CREATE TABLE IF NOT EXISTS racing for one type name) or from the index.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConcurrentExpandTest {

    private static final int RUNS = 3;

    @RepeatedTest(3)
    void concurrentExpandsOfOneMigrationAllSucceedAndOneCreates(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 1000);
        ExpandRequest request = ExpandRequest.parse("users.email", "id", "email_address.address", "user_id", "is_primary");
        CyclicBarrier start = new CyclicBarrier(RUNS);
        ExecutorService pool = Executors.newFixedThreadPool(RUNS);
        try {
            List<Future<ExpandResult>> runs = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                runs.add(pool.submit(() -> {
                    try (Connection c = db.connect()) {
                        start.await();
                        return Expander.expand(c, request, line -> { });
                    }
                }));
            }
            List<ExpandResult> results = new ArrayList<>();
            for (Future<ExpandResult> f : runs) {
                results.add(f.get()); // a failed run throws here, with its SQLException as the cause
            }
            assertThat(results).allMatch(r -> r.phase() == Phase.EXPANDED);
            assertThat(results).filteredOn(ExpandResult::createdTable).hasSize(1);
            assertThat(results).filteredOn(ExpandResult::alreadyExpanded).hasSize(RUNS - 1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.migration")).isEqualTo(1);
        assertThat(db.queryLong("SELECT count(*) FROM pg_indexes WHERE tablename = 'email_address'")).isEqualTo(1);
    }
}
