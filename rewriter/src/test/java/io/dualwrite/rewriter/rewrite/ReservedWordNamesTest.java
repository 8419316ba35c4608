package io.dualwrite.rewriter.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A migration whose every name is a reserved word: "order"."user"."from" keyed by "select", moving to
 * "group"."table"("where", "column", "primary"). The keyword FROM is never the column "from", and a quoted or
 * dot-qualified "from" always is.
 */
class ReservedWordNamesTest {

    private static final MigrationSpec SPEC = new MigrationSpec("order", "user", "select", "from", "group", "table",
            "where", "column", "primary", "sync_user_from");
    private static final String NEW_VALUE = "(SELECT \"dw$e\".\"column\" FROM \"group\".\"table\" \"dw$e\" WHERE \"dw$e\".\"where\" = t.\"select\" AND \"dw$e\".\"primary\")";

    private final StatementRewriter rewriter = new StatementRewriter(List.of(new SourceTable(SPEC, List.of("select", "note", "from"))));

    @Test
    void readsReplaceTheColumnAndLeaveTheKeyword() {
        assertThat(rewriter.plan("SELECT t.\"from\" FROM \"order\".\"user\" t WHERE t.\"select\" = ?").forPhase(Phase.READ_NEW))
                .isEqualTo(new Rewrite.Rewritten("SELECT " + NEW_VALUE + " AS \"from\" FROM \"order\".\"user\" t WHERE t.\"select\" = ?",
                        Rewrite.Kind.READ_NEW));
        assertThat(rewriter.plan("select t.from from \"order\".\"user\" t").forPhase(Phase.READ_NEW))
                .as("after a dot PostgreSQL reads the keyword as the column")
                .isEqualTo(new Rewrite.Rewritten("select " + NEW_VALUE + " AS \"from\" from \"order\".\"user\" t", Rewrite.Kind.READ_NEW));
    }

    @Test
    void aStatementNamingTheTableButNotTheColumnIsLeftAlone() {
        assertThat(rewriter.plan("SELECT t.note FROM \"order\".\"user\" t WHERE t.\"select\" > 1").forPhase(Phase.READ_NEW))
                .isSameAs(Rewrite.PASS_THROUGH);
    }

    @Test
    void writesAreDualWritten() {
        Rewrite r = rewriter.plan("UPDATE \"order\".\"user\" SET \"from\" = ? WHERE \"select\" = ?").forPhase(Phase.DUAL_WRITE);
        assertThat(r).isInstanceOfSatisfying(Rewrite.Rewritten.class, w -> assertThat(w.sql())
                .startsWith("WITH \"dw$w\" AS (UPDATE \"order\".\"user\" SET \"from\" = ? WHERE \"select\" = ? RETURNING")
                .contains("\"dualwrite\".\"sync_user_from\""));
    }
}
