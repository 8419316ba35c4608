package io.dualwrite.driver.runtime;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.RewritePlan;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.rewrite.StatementRewriter;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The flush on its own: counts add up across flushes, and a failed flush loses none. */
@ExtendWith(PostgresExtension.class)
class StatementEvidenceFlushTest {

    private static final MigrationSpec SPEC = new MigrationSpec("public", "users", "id", "email", "public", "email_address",
            "user_id", "address", "is_primary", ControlSchema.syncViewName("users", "email"));

    @Test
    void aFailedFlushKeepsItsCountsForTheNextAndCountsAddUp(TestDatabase db) throws Exception {
        db.execute("""
                CREATE TABLE users(id bigint PRIMARY KEY, email text);
                CREATE TABLE email_address(user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL);
                CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary""");
        StatementRewriter rewriter = new StatementRewriter(List.of(new SourceTable(SPEC, List.of("id", "email"))));
        String sql = "UPDATE users SET email = ? WHERE id = ?";
        RewritePlan plan = rewriter.plan(sql);
        StatementEvidence evidence = new StatementEvidence(true);
        evidence.seen(plan, Phase.EXPANDED, sql, true); // not evidence: before DUAL_WRITE
        evidence.seen(plan, Phase.DUAL_WRITE, sql, true);
        evidence.seen(plan, Phase.READ_NEW, sql, true);
        try (Connection c = db.connect()) {
            assertThatThrownBy(() -> evidence.flush(c, "app-1")).isInstanceOf(SQLException.class); // no control schema yet
            ControlSchema.register(c, SPEC);
            evidence.flush(c, "app-1");
            assertThat(db.queryLong("SELECT executions FROM dualwrite.statement_evidence")).isEqualTo(2);
            evidence.flush(c, "app-1"); // nothing new: nothing written
            String literal = "update users set email = 'x' where id = 7"; // the same statement
            evidence.seen(rewriter.plan(literal), Phase.NEW_ONLY, literal, true);
            evidence.flush(c, "app-1");
            evidence.seen(plan, Phase.DUAL_WRITE, sql, true);
            evidence.flush(c, "app-2");
        }
        assertThat(db.queryString("SELECT string_agg(instance || ':' || executions, ' ' ORDER BY instance)"
                + " FROM dualwrite.statement_evidence")).isEqualTo("app-1:3 app-2:1");
        assertThat(StatementEvidence.enabled("jdbc:postgresql://h/db?dualwriteEvidence=false", null)).isFalse();
        assertThat(StatementEvidence.enabled("jdbc:postgresql://h/db", null)).isTrue();
    }
}
