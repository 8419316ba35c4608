package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.DatabaseRuntime;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.Parser;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Step 1 of {@link StatementPipeline}: the plan of an application's SQL text, read as PostgreSQL will read it, and, for a
 * text that several migrations rewrite, which of them it runs as.
 */
final class StatementPlans {

    private StatementPlans() {
    }

    /**
     * The plan of a statement, or null when it passes through in every phase (the common case).
     * The session's standard_conforming_strings decides how PostgreSQL reads backslashes in strings; the relations it
     * sees, what an unqualified column reads ({@link PlanAssumptions}).
     */
    static RewritePlan of(DualwriteConnection connection, String sql) throws SQLException {
        return of(connection, sql, true);
    }

    /** @param escapes whether PgJDBC replaces JDBC escapes in the text ({@code Statement.setEscapeProcessing}) */
    static RewritePlan of(DualwriteConnection connection, String sql, boolean escapes) throws SQLException {
        DatabaseRuntime.Migrations migrations = connection.database.migrations();
        if (migrations.isEmpty()) {
            return null;
        }
        boolean standard = standardConformingStrings(connection.delegate);
        String text = escapes ? withoutJdbcEscapes(sql, standard) : sql;
        RewritePlan plan = migrations.rewriter().plan(text, standard);
        if (!plan.assumedWithoutColumn().isEmpty()) {
            plan = connection.planAssumptions.checked(plan, text, standard, migrations, connection.database.catalogRelations());
        }
        return plan.passThrough() ? null : plan;
    }

    /**
     * {@code plan} (null: none), or, for a statement that another migration rewrites too ({@link RewritePlan#alsoRewrittenBy})
     * and that the plan's own migration passes through in the phase this connection applies now, the plan rooted at the
     * migration that does rewrite it: the statement runs as that one's, its pins, evidence and refusals that one's. The
     * others are checked again at each execution ({@link #withOtherMigrations}).
     */
    static RewritePlan rooted(DualwriteConnection connection, RewritePlan plan) {
        return rooted(connection, plan, null);
    }

    /** @param returningList the RETURNING list for generated keys the statement runs with, or null */
    static RewritePlan rooted(DualwriteConnection connection, RewritePlan plan, String returningList) {
        if (plan == null || plan.alsoRewrittenBy().isEmpty() || rewritesNow(connection, plan, returningList)) {
            return plan;
        }
        for (RewritePlan other : plan.alsoRewrittenBy()) {
            if (rewritesNow(connection, other, returningList)) {
                return plan.rootedAt(other.migration());
            }
        }
        return plan;
    }

    private static boolean rewritesNow(DualwriteConnection connection, RewritePlan plan, String returningList) {
        Phase phase = connection.phaseToPrepare(connection.database.migrations().runtimeOf(plan.migration()));
        Rewrite r = returningList == null ? plan.forPhase(phase) : plan.forPhaseReturning(phase, returningList);
        return !(r instanceof Rewrite.PassThrough);
    }

    /**
     * {@code rewrite}, the plan's for its migration's phase, unless the statement also names the table of another
     * migration that rewrites it in that migration's phase (pinned for the transaction as the plan's own): then the plan's
     * refusal, since two migrations' rewrites are not combined. Nothing to do for almost every statement.
     *
     * @param evidence whether the statement counts as evidence for the other migrations' gates too (as it does for its own)
     */
    static Rewrite withOtherMigrations(DualwriteConnection connection, RewritePlan plan, Rewrite rewrite, String returningList,
                                       String sql, boolean evidence) throws SQLException {
        List<RewritePlan> others = plan.alsoRewrittenBy();
        for (int i = 0; i < others.size(); i++) {   // indexed: no iterator on the hot path
            RewritePlan other = others.get(i);
            Phase phase = connection.phaseOf(connection.database.migrations().runtimeOf(other.migration()));
            if (evidence) {
                connection.database.evidence().seen(other, phase, sql, StatementPlans.standardConformingStrings(connection.delegate));
            }
            Rewrite r = returningList == null ? other.forPhase(phase) : other.forPhaseReturning(phase, returningList);
            if (!(r instanceof Rewrite.PassThrough)) {
                // the plan's own migration passes it through: rooted at it while the other did not rewrite it, the
                // other's phase changed since ({@link #rooted} reads the phases before the pins)
                return !(rewrite instanceof Rewrite.PassThrough) ? plan.refusedWithOthers() : new Rewrite.Rejected(
                        "a statement planned as migration " + plan.migration().name() + "'s, which passes it through in its"
                                + " phase, while the phase of migration " + other.migration().name() + " changed as the"
                                + " statement started and rewrites it now; run it again. Statement: " + Refusals.abbreviate(sql));
            }
        }
        return rewrite;
    }

    /**
     * The text PostgreSQL will read: JDBC escapes ({@code {fn lcase(?)}}, {@code {d '…'}}, {@code {escape '\'}},
     * {@code {oj …}}) replaced as PgJDBC replaces them before it sends a statement, so that the rewriter reads what
     * PostgreSQL reads. A rewrite of it is sent as is (PgJDBC's own pass then finds nothing to replace); a statement
     * that passes through is sent as the application wrote it. {@code {call …}} is left to PgJDBC's callable path.
     */
    private static String withoutJdbcEscapes(String sql, boolean standardConformingStrings) throws SQLException {
        if (sql.indexOf('{') < 0) {
            return sql;
        }
        String replaced = Parser.replaceProcessing(sql, true, standardConformingStrings);
        return replaced.equals(sql) ? sql : replaced;
    }

    /** As PgJDBC tracks it from the server's ParameterStatus messages (so also after a SET). */
    static boolean standardConformingStrings(Connection physical) throws SQLException {
        if (physical instanceof BaseConnection pg) {
            return pg.getStandardConformingStrings();
        }
        return physical.unwrap(BaseConnection.class).getStandardConformingStrings();
    }
}
