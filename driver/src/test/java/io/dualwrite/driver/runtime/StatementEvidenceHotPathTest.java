package io.dualwrite.driver.runtime;

import com.sun.management.ThreadMXBean;
import io.dualwrite.control.ControlSchema;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.RewritePlan;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.rewrite.StatementRewriter;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The statement path's part of the evidence: once a plan was seen, counting it allocates nothing. */
class StatementEvidenceHotPathTest {

    private static final MigrationSpec SPEC = new MigrationSpec("public", "users", "id", "email", "public", "email_address",
            "user_id", "address", "is_primary", ControlSchema.syncViewName("users", "email"));

    @Test
    void anAlreadySeenPlanIsCountedWithoutAllocating() {
        String sql = "UPDATE users SET email = ? WHERE id = ?";
        RewritePlan plan = new StatementRewriter(List.of(new SourceTable(SPEC, List.of("id", "email")))).plan(sql);
        StatementEvidence evidence = new StatementEvidence(true);
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 200_000; i++) {
            evidence.seen(plan, Phase.DUAL_WRITE, sql, true);
        }
        int n = 2_000_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            evidence.seen(plan, Phase.DUAL_WRITE, sql, true);
        }
        long nanos = System.nanoTime() - start;
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        System.out.printf("statement evidence, seen plan: %.1f ns and %.3f bytes per execution%n",
                (double) nanos / n, (double) allocated / n);
        assertThat(allocated).as("bytes allocated over " + n + " executions").isLessThan(4096);
    }
}
