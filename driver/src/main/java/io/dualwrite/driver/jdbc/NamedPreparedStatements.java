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
import java.util.Objects;

/**
 * The session's SQL-level prepared statements ({@code PREPARE name AS …}) as this connection made them, so that an
 * {@code EXECUTE name} runs only what the phase of the moment would prepare. A prepared statement outlives phase changes
 * and EXECUTE names no table: a read prepared while reads came from the old column would still read it once NEW_ONLY
 * stops writing it; a write prepared before its migration was registered would write the old column alone. So each
 * PREPARE is remembered with the form the driver sends it in, and an EXECUTE of it is refused (0A000, nothing runs) when
 * this phase would send it in another form, or refuse it: the application deallocates it and prepares it again, which
 * the driver does in the current phase's form. (A PREPARE of a write that needs the sync is refused in every phase
 * anyway: the rewriter's {@code HostedPlanner}.)
 *
 * <p>Remembered before the text runs, so that a PREPARE followed by a failing statement in the same string still
 * counts (PREPARE is not undone by a rollback); each PREPARE by its own statement's text, whatever else the string holds.
 * DEALLOCATE forgets a name before it runs too (if it fails, the name did not exist); DISCARD ALL through a Statement
 * forgets every name once it ran (it fails inside a transaction block; through a PreparedStatement the names stay
 * remembered, which can only refuse more). Through every way a text runs: a Statement (alone, several
 * statements, a batch), a PreparedStatement or CallableStatement, at each execution. An EXECUTE is checked at the same
 * points, and when a PreparedStatement of it is prepared. The form now is the plan's for the phase the connection
 * applies (the search_path adjustment left out, which can only refuse more). A session that prepares nothing by name
 * pays a word scan of each text a Statement runs and of each text prepared, and a flag read per execution of a
 * PreparedStatement.
 */
final class NamedPreparedStatements {

    private static final String[] EXECUTE = {"execute"};
    /** The commands that return the rows of a statement prepared or declared by name. */
    private static final String[] RETURNING_ROWS = {"execute", "fetch"};
    /** The commands that prepare, declare or forget by name. */
    private static final String[] CHANGING = {"prepare", "deallocate", "discard", "declare"};

    private final DualwriteConnection connection;
    /** The form each name was prepared in, by the name as PostgreSQL stores it; a null form: refused then. */
    private final Map<String, Prepared> byName = new HashMap<>();
    /** A PreparedStatement of this connection may prepare or forget by name: its executions are looked at. */
    private boolean preparedStatementsChange;

    /**
     * The cursors this connection declared over a statement the driver rewrote ({@code DECLARE name CURSOR FOR …}), by
     * name: a FETCH returns the rows of the form the DECLARE was sent in. Never forgotten but by a DECLARE of the same name
     * (a FETCH from a cursor that is gone fails and returns nothing); at most one entry per name.
     */
    private final Map<String, RowsOf> cursors = new HashMap<>();

    private record Prepared(String statement, String form) {
    }

    /**
     * What an EXECUTE or FETCH returns the rows of: {@code form}, the driver's form of the application's read for
     * {@code migration} (READ_NEW's, or a translation), as PREPARE or DECLARE sent it.
     */
    record RowsOf(MigrationRuntime migration, Rewrite.Rewritten form) {
    }

    NamedPreparedStatements(DualwriteConnection connection) {
        this.connection = connection;
    }

    /** When a PreparedStatement or CallableStatement of {@code sql} is prepared. */
    void preparing(String sql) throws SQLException {
        preparedStatementsChange |= SessionWords.containsWord(sql, CHANGING);
        checkExecutes(sql);
    }

    /** Whether a PreparedStatement's execution needs {@link #running}: the session prepared by name, or may. */
    boolean watchesPreparedStatements() {
        return preparedStatementsChange || !byName.isEmpty();
    }

    /**
     * Before {@code sql} runs: refused when it executes a prepared statement that this phase would prepare otherwise;
     * else what it prepares is remembered and what it deallocates forgotten.
     */
    void running(String sql) throws SQLException {
        checkExecutes(sql);
        if (!SessionWords.containsWord(sql, CHANGING)) {
            return;
        }
        for (List<Token> t : statements(sql)) {
            if (t.size() < 2) {
                continue;
            }
            if (t.get(0).is("prepare") && t.get(1).isName()
                    && !(t.get(1).is("transaction") && t.size() > 2 && t.get(2).kind() == TokenKind.STRING)) {
                String statement = sql.substring(t.get(0).start(), t.get(t.size() - 1).end());
                byName.put(t.get(1).normalized(), new Prepared(statement, form(planOf(statement), statement)));
            } else if (t.get(0).is("declare") && t.get(1).isName()) {
                String statement = sql.substring(t.get(0).start(), t.get(t.size() - 1).end());
                RowsOf rows = rowsOf(planOf(statement));
                if (rows == null) {
                    cursors.remove(t.get(1).normalized());
                } else {
                    cursors.put(t.get(1).normalized(), rows);
                }
            } else if (t.get(0).is("deallocate")) {
                int at = t.get(1).is("prepare") && t.size() > 2 ? 2 : 1;
                if (t.get(at).is("all")) {
                    byName.clear();
                } else if (t.get(at).isName()) {
                    byName.remove(t.get(at).normalized());
                }
            }
        }
    }

    /** After {@code sql} ran through a Statement: DISCARD ALL forgot every name. */
    void ran(String sql) {
        if ((byName.isEmpty() && cursors.isEmpty()) || !SessionWords.containsWord(sql, CHANGING)) {
            return;
        }
        for (List<Token> t : statements(sql)) {
            if (t.size() == 2 && t.get(0).is("discard") && t.get(1).is("all")) {
                byName.clear();
                cursors.clear();
            }
        }
    }

    /**
     * What {@code sql} returns the rows of when it is one EXECUTE of a statement prepared by name, or one FETCH from a
     * cursor declared, over a statement the driver rewrote as a read (its results then take that read's metadata); else
     * null. A session that prepares and declares nothing by name pays an emptiness test.
     */
    RowsOf rowsReturnedBy(String sql) throws SQLException {
        if ((byName.isEmpty() && cursors.isEmpty()) || !SessionWords.containsWord(sql, RETURNING_ROWS)) {
            return null;
        }
        List<List<Token>> all = statements(sql).stream().filter(t -> !t.isEmpty()).toList();
        List<Token> t = all.size() == 1 ? all.get(0) : List.of();
        if (t.size() >= 2 && t.get(0).is("fetch") && t.get(t.size() - 1).isName()) {
            return cursors.get(t.get(t.size() - 1).normalized());
        }
        Prepared p = t.size() >= 2 && t.get(0).is("execute") && t.get(1).isName() ? byName.get(t.get(1).normalized()) : null;
        return p == null ? null : rowsOf(planOf(p.statement()));
    }

    /** The rows the form of {@code plan} sent now returns, when the form is a rewritten read; else null. */
    private RowsOf rowsOf(RewritePlan plan) {
        if (plan == null) {
            return null;
        }
        MigrationRuntime migration = connection.database.migrations().runtimeOf(plan.migration());
        return plan.forPhase(connection.phaseOf(migration)) instanceof Rewrite.Rewritten w && w.kind() == Rewrite.Kind.READ_NEW
                ? new RowsOf(migration, w) : null;
    }

    private void checkExecutes(String sql) throws SQLException {
        if (byName.isEmpty() || !SessionWords.containsWord(sql, EXECUTE)) {
            return;
        }
        for (List<Token> t : statements(sql)) {
            for (int i = 0; i + 1 < t.size(); i++) {
                Prepared p = t.get(i).is("execute") && t.get(i + 1).isName() ? byName.get(t.get(i + 1).normalized()) : null;
                if (p != null) {
                    check(t.get(i + 1).text(), p);
                }
            }
        }
    }

    private void check(String name, Prepared p) throws SQLException {
        RewritePlan plan = planOf(p.statement());
        String now = form(plan, p.statement());
        if (Objects.equals(p.form(), now)) {
            return;
        }
        String reason = Reasons.of("EXECUTE " + name + " of a statement prepared by name (" + Reasons.truncate(p.statement())
                        + ") in a form " + (now == null ? "this phase refuses" : "this phase no longer sends")
                        + ": a prepared statement outlives phase changes",
                "DEALLOCATE " + name + " and PREPARE it again (the driver prepares it in this phase's form), or use a JDBC"
                        + " PreparedStatement, which the driver prepares again by itself", "EXECUTE " + name);
        MigrationRuntime migration = plan == null ? null : connection.database.migrations().runtimeOf(plan.migration());
        throw migration == null ? new StatementRefusedException("dualwrite refused the statement: " + reason)
                : Refusals.refused(reason, connection.phaseOf(migration), migration);
    }

    private RewritePlan planOf(String statement) throws SQLException {
        return StatementPlans.rooted(connection, StatementPlans.of(connection, statement));
    }

    /**
     * The text the driver sends for {@code statement}, whose plan is {@code plan} (null: it passes through), in the phase
     * the connection applies now; null where it refuses it.
     */
    private String form(RewritePlan plan, String statement) {
        if (plan == null) {
            return statement;
        }
        Phase phase = connection.phaseOf(connection.database.migrations().runtimeOf(plan.migration()));
        Rewrite now = plan.forPhase(phase);
        return now instanceof Rewrite.Rewritten w ? w.sql() : now instanceof Rewrite.PassThrough ? statement : null;
    }

    private static List<List<Token>> statements(String sql) {
        return Statements.split(Lexer.tokenize(sql)).stream().map(Statements::significant).toList();
    }
}
