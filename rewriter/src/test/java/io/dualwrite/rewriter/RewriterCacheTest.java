package io.dualwrite.rewriter;

import io.dualwrite.rewriter.cache.PlanCache;
import io.dualwrite.rewriter.rewrite.StatementRewriter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RewriterCacheTest {

    private static final MigrationSpec SPEC = new MigrationSpec("public", "users", "id", "email",
            "public", "email_address", "user_id", "address", "is_primary", "sync_users_email");

    @Test
    void samePlanInstanceOnHit() {
        StatementRewriter r = new StatementRewriter(List.of(new SourceTable(SPEC, List.of("id", "email"))));
        String sql = "UPDATE users SET email = ? WHERE id = ?";
        assertThat(r.plan(sql)).isSameAs(r.plan(sql));
        assertThat(r.plan("SELECT 1")).isSameAs(r.plan("SELECT 1"));
    }

    @Test
    void boundedCacheStillComputesPlans() {
        PlanCache cache = new PlanCache(4 * 1024, Runnable::run);
        StatementRewriter r = new StatementRewriter(List.of(new SourceTable(SPEC, List.of("id", "email"))), cache);
        for (int i = 0; i < 100; i++) {
            RewritePlan p = r.plan("DELETE FROM users WHERE id = " + i);
            assertThat(p.forPhase(Phase.DUAL_WRITE)).isInstanceOf(Rewrite.Rewritten.class);
        }
        cache.cleanUp();
        assertThat(r.cachedPlans()).isBetween(1L, 99L);
        assertThat(r.cachedBytes()).isLessThanOrEqualTo(4 * 1024);
    }

    @Test
    void preCheckSkipsStatementsWithoutTheTableName() {
        StatementRewriter r = new StatementRewriter(List.of(new SourceTable(SPEC, List.of("id", "email"))));
        RewritePlan p = r.plan("SELECT email FROM customers WHERE x = 'unterminated");
        assertThat(p.passThrough()).isTrue();
        assertThat(p.forPhase(Phase.READ_NEW)).isSameAs(Rewrite.PASS_THROUGH);
    }

    @Test
    void touchingTwoMigrationsIsRefused() {
        MigrationSpec other = new MigrationSpec("public", "accounts", "id", "phone",
                "public", "phones", "account_id", "number", "is_primary", "sync_accounts_phone");
        StatementRewriter r = new StatementRewriter(List.of(new SourceTable(SPEC, List.of("id", "email")),
                new SourceTable(other, List.of("id", "phone"))));
        RewritePlan p = r.plan("UPDATE users SET email = a.phone FROM accounts a WHERE a.id = users.id");
        assertThat(p.forPhase(Phase.DUAL_WRITE)).isInstanceOfSatisfying(Rewrite.Rejected.class,
                x -> assertThat(x.reason()).contains("more than one migrated table"));
        assertThat(r.plan("UPDATE accounts SET phone = ?").migration()).isEqualTo(other);
    }
}
