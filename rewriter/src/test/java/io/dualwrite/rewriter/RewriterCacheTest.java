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
        PlanCache cache = new PlanCache(8 * 1024, Runnable::run);
        StatementRewriter r = new StatementRewriter(List.of(new SourceTable(SPEC, List.of("id", "email"))), cache);
        for (int i = 0; i < 100; i++) {
            RewritePlan p = r.plan("DELETE FROM users WHERE id = " + i);
            assertThat(p.forPhase(Phase.DUAL_WRITE)).isInstanceOf(Rewrite.Rewritten.class);
        }
        cache.cleanUp();
        assertThat(r.cachedPlans()).isBetween(1L, 99L);
        assertThat(r.cachedBytes()).isLessThanOrEqualTo(8 * 1024);
    }

    @Test
    void preCheckSkipsStatementsWithoutTheTableName() {
        StatementRewriter r = new StatementRewriter(List.of(new SourceTable(SPEC, List.of("id", "email"))));
        RewritePlan p = r.plan("SELECT email FROM customers WHERE x = 'unterminated");
        assertThat(p.passThrough()).isTrue();
        assertThat(p.forPhase(Phase.READ_NEW)).isSameAs(Rewrite.PASS_THROUGH);
    }

    @Test
    void aStatementOnTwoMigratedTablesIsEachMigrationsToRewriteForItsOwnColumn() {
        MigrationSpec other = new MigrationSpec("public", "accounts", "id", "phone",
                "public", "phones", "account_id", "number", "is_primary", "sync_accounts_phone");
        StatementRewriter r = new StatementRewriter(List.of(new SourceTable(SPEC, List.of("id", "email")),
                new SourceTable(other, List.of("id", "phone"))));
        // both rewrite it: users.email's plan, to be refused while accounts.phone's phase rewrites it too
        RewritePlan both = r.plan("UPDATE users SET email = a.phone FROM accounts a WHERE a.id = users.id");
        assertThat(both.migration()).isEqualTo(SPEC);
        assertThat(both.forPhase(Phase.DUAL_WRITE)).isInstanceOf(Rewrite.Rewritten.class);
        assertThat(both.alsoRewrittenBy()).singleElement().satisfies(o -> {
            assertThat(o.migration()).isEqualTo(other);
            assertThat(o.forPhase(Phase.DUAL_WRITE)).isSameAs(Rewrite.PASS_THROUGH);
            assertThat(o.forPhase(Phase.READ_NEW)).isInstanceOf(Rewrite.Rewritten.class);
        });
        assertThat(both.refusedWithOthers().reason()).contains("more than one migration", "users.email", "accounts.phone");
        // rooted at accounts.phone (the driver does, while only that one rewrites it): one object, users.email's among the others
        RewritePlan rooted = both.rootedAt(other);
        assertThat(rooted).isSameAs(both.rootedAt(other));
        assertThat(rooted.migration()).isEqualTo(other);
        assertThat(rooted.forPhase(Phase.READ_NEW)).isSameAs(both.alsoRewrittenBy().get(0).forPhase(Phase.READ_NEW));
        assertThat(rooted.alsoRewrittenBy()).singleElement().satisfies(o -> {
            assertThat(o.migration()).isEqualTo(SPEC);
            assertThat(o.forPhase(Phase.DUAL_WRITE)).isSameAs(both.forPhase(Phase.DUAL_WRITE));
        });
        assertThat(rooted.refusedWithOthers()).isSameAs(both.refusedWithOthers());
        // one rewrites it: that one's plan alone; none: passed through
        RewritePlan one = r.plan("SELECT a.phone, u.id FROM accounts a JOIN users u ON u.id = a.id");
        assertThat(one.migration()).isEqualTo(other);
        assertThat(one.alsoRewrittenBy()).isEmpty();
        assertThat(r.plan("SELECT a.id, u.id FROM accounts a JOIN users u ON u.id = a.id").passThrough()).isTrue();
        assertThat(r.plan("UPDATE accounts SET phone = ?").migration()).isEqualTo(other);
        // a text the scanner cannot read for sure: refused by each migration, whichever is past EXPANDED
        RewritePlan uncertain = r.plan("UPDATE users SET email = 'x' WHERE id = 0x1F");
        assertThat(uncertain.forPhase(Phase.EXPANDED)).isSameAs(Rewrite.PASS_THROUGH);
        assertThat(uncertain.alsoRewrittenBy()).singleElement().satisfies(o -> {
            assertThat(o.migration()).isEqualTo(other);
            assertThat(o.forPhase(Phase.DUAL_WRITE)).isInstanceOf(Rewrite.Rejected.class);
        });
    }
}
