package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import io.dualwrite.rewriter.analysis.Reasons;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The session's SQL-level prepared statements ({@code PREPARE name AS …}) as this connection made them, so that an
 * {@code EXECUTE name} runs only what the phase of the moment would prepare. A prepared statement outlives phase changes
 * and EXECUTE names no table: a read prepared while reads came from the old column would still read it once NEW_ONLY
 * stops writing it; a write prepared before its migration was registered would write the old column alone. So each
 * PREPARE is remembered with the text that was sent for it, and an EXECUTE of it is refused (0A000, nothing runs) when
 * that text would now be sent otherwise, or refused: the application deallocates it and prepares it again, which the
 * driver does in the current phase's form. (A PREPARE of a write that needs the sync is refused in every phase anyway:
 * the rewriter's {@code HostedPlanner}.)
 *
 * <p>Remembered after a PREPARE through a Statement ran (alone, among several statements, in a batch); forgotten at
 * DEALLOCATE and DISCARD ALL. An EXECUTE is checked before a Statement runs it, and when a PreparedStatement of it is
 * prepared and before each of its executions. The form now is the plan's for the phase the connection applies (the
 * search_path adjustment left out, which can only refuse more). Costs nothing for a session that prepares nothing by
 * name: one empty-map check per statement.
 */
final class NamedPreparedStatements {

    /** A prepared statement's text as the application sent it (its whole string) and as the driver sent that. */
    private record Prepared(String applicationSql, String sentSql) {
    }

    private static final String[] EXECUTE = {"execute"};
    /** The commands that prepare or deallocate by name. */
    private static final String[] CHANGING = {"prepare", "deallocate", "discard"};

    private final DualwriteConnection connection;
    /** By the name as PostgreSQL stores it. */
    private final Map<String, Prepared> byName = new HashMap<>();

    NamedPreparedStatements(DualwriteConnection connection) {
        this.connection = connection;
    }

    /** Whether the session prepared any statement by name. */
    boolean any() {
        return !byName.isEmpty();
    }

    /** Before {@code sql} runs: refused when it executes a prepared statement that this phase would prepare otherwise. */
    void checkExecutes(String sql) throws SQLException {
        if (byName.isEmpty() || !SessionWords.containsWord(sql, EXECUTE)) {
            return;
        }
        for (List<Token> statement : Statements.split(Lexer.tokenize(sql))) {
            List<Token> t = Statements.significant(statement);
            for (int i = 0; i + 1 < t.size(); i++) {
                Prepared p = t.get(i).is("execute") && t.get(i + 1).isName() ? byName.get(t.get(i + 1).normalized()) : null;
                if (p != null) {
                    check(t.get(i + 1).text(), p);
                }
            }
        }
    }

    private void check(String name, Prepared p) throws SQLException {
        RewritePlan plan = StatementPlans.rooted(connection, StatementPlans.of(connection, p.applicationSql()));
        MigrationRuntime migration = plan == null ? null : connection.database.migrations().runtimeOf(plan.migration());
        Phase phase = migration == null ? null : connection.phaseOf(migration);
        Rewrite now = plan == null ? Rewrite.PASS_THROUGH : plan.forPhase(phase);
        String sentNow = now instanceof Rewrite.Rewritten w ? w.sql() : now instanceof Rewrite.PassThrough ? p.applicationSql() : null;
        if (p.sentSql().equals(sentNow)) {
            return;
        }
        String reason = Reasons.of("EXECUTE " + name + " of a statement prepared by name (" + Reasons.truncate(p.applicationSql())
                        + ") in a form " + (sentNow == null ? "this phase refuses" : "this phase no longer sends")
                        + ": a prepared statement outlives phase changes",
                "DEALLOCATE " + name + " and PREPARE it again (the driver prepares it in this phase's form), or use a JDBC"
                        + " PreparedStatement, which the driver prepares again by itself", "EXECUTE " + name);
        throw migration == null ? new StatementRefusedException("dualwrite refused the statement: " + reason)
                : Refusals.refused(reason, phase, migration);
    }

    /** After {@code applicationSql} ran as {@code sentSql}: what it prepared, deallocated or discarded. */
    void ran(String applicationSql, String sentSql) {
        if (!SessionWords.containsWord(applicationSql, CHANGING)) {
            return;
        }
        for (List<Token> statement : Statements.split(Lexer.tokenize(applicationSql))) {
            List<Token> t = Statements.significant(statement);
            if (t.size() < 2) {
                continue;
            }
            if (t.get(0).is("prepare") && t.get(1).isName()
                    && !(t.get(1).is("transaction") && t.size() > 2 && t.get(2).kind() == TokenKind.STRING)) {
                byName.put(t.get(1).normalized(), new Prepared(applicationSql, sentSql));
            } else if (t.get(0).is("deallocate")) {
                int at = t.get(1).is("prepare") && t.size() > 2 ? 2 : 1;
                if (t.get(at).is("all")) {
                    byName.clear();
                } else if (t.get(at).isName()) {
                    byName.remove(t.get(at).normalized());
                }
            } else if (t.get(0).is("discard") && t.get(1).is("all")) {
                byName.clear();
            }
        }
    }
}
