package io.dualwrite.driver.runtime;

import io.dualwrite.rewriter.MigrationSpec;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.SQLException;
import java.util.Set;

/**
 * Whether a rewritten statement failed because of the rewrite, or with an error the application
 * would get from its own statement too. Only the first kind says the rewrite is broken, so only it
 * feeds the error-rate watch: a lock timeout of the application's {@code NOWAIT}, an exception its
 * own trigger raises or a constraint it violates must not send a fleet's reads back.
 *
 * <p>The rule, from what PostgreSQL reports about the error (its fields, not its wording):
 * <ol>
 *   <li>SQLState classes the application gets whatever it runs (08 connection, 22 data, 23
 *       constraints, 25 transaction state, 40 serialization and deadlocks, 57 cancels and
 *       shutdowns) never count;</li>
 *   <li>an error that names dualwrite's own objects counts: the target table, the control schema
 *       (its sync view and trigger function, also in the error's PL/pgSQL context) or the
 *       {@code dw$} names the rewrite introduces, in the message, detail, hint, context, internal
 *       query or the schema/table/column/constraint fields;</li>
 *   <li>an error whose position lies in the part of the statement the rewrite changed counts, and so does a type
 *       resolution error anywhere (an operator or function of the application's text applied to a value the rewrite
 *       replaced: its position is the application's operator), unless the application's statement as written fails
 *       PostgreSQL's analysis with the same error ({@link OriginalStatementCheck}): text the rewrite moved keeps the
 *       application's own mistakes;</li>
 *   <li>anything else is the application's own: its tables, its triggers, its locks.</li>
 * </ol>
 * Before all of them: a refusal by one of the guards dualwrite installs in the database (0A000, "dualwrite refuses
 * this write …": a write changing a key, a replica session, asymmetric row-level security) is the rewrite working:
 * it counts as a refused statement, as the driver's own refusals do, never as a failure.
 * Errors PgJDBC raises without a server message come from the application's call itself and do not count.
 */
final class RewriteFailures {

    private static final String REWRITE_NAMES = "dw$";
    /** How the database guards of the control schema ({@code ControlTables}) refuse a statement. */
    private static final String GUARD_REFUSAL = "0A000";
    private static final String GUARD_MESSAGE = "dualwrite refuses this write";

    private RewriteFailures() {
    }

    /** Who a failure of a rewritten statement is down to. */
    enum Cause {
        APPLICATION,
        /** A guard of the control schema refused the statement: a refusal as the driver's own are, counted with them. */
        REFUSED,
        REWRITE,
        /** Positioned in the rewritten text, or a type error: the rewrite's, unless the statement as written fails alike. */
        UNLESS_ORIGINAL_FAILS
    }

    /** Undefined function or operator, datatype mismatch, cannot coerce, ambiguous function. */
    private static final Set<String> TYPE_RESOLUTION = Set.of("42883", "42804", "42846", "42725");

    /**
     * @param applicationSql the application's text, or null when unknown (a batch)
     * @param sentSql        the text sent in its place, or null when unknown
     */
    static Cause causeOf(SQLException e, MigrationSpec spec, String applicationSql, String sentSql) {
        if (isApplicationClass(e.getSQLState())) {
            return Cause.APPLICATION;
        }
        for (SQLException x = e; x != null; x = x.getNextException()) {
            ServerErrorMessage m = x instanceof PSQLException p ? p.getServerErrorMessage() : null;
            if (m != null) {
                if (GUARD_REFUSAL.equals(m.getSQLState()) && m.getMessage() != null
                        && m.getMessage().startsWith(GUARD_MESSAGE)) {
                    return Cause.REFUSED;
                }
                return namesDualwrite(m, spec) ? Cause.REWRITE
                        : inRewrittenPart(m.getPosition(), applicationSql, sentSql) || TYPE_RESOLUTION.contains(m.getSQLState())
                        ? Cause.UNLESS_ORIGINAL_FAILS : Cause.APPLICATION;
            }
        }
        return Cause.APPLICATION;
    }

    private static boolean isApplicationClass(String state) {
        if (state == null || state.length() < 2) {
            return false;
        }
        return switch (state.substring(0, 2)) {
            case "08", "22", "23", "25", "40", "57" -> true;
            default -> false;
        };
    }

    private static boolean namesDualwrite(ServerErrorMessage m, MigrationSpec spec) {
        if (spec.targetTable().equals(m.getTable()) || MigrationSpec.CONTROL_SCHEMA.equals(m.getSchema())) {
            return true;
        }
        for (String text : new String[] {m.getMessage(), m.getDetail(), m.getHint(), m.getWhere(), m.getInternalQuery(),
                m.getColumn(), m.getConstraint()}) {
            if (text != null && (text.contains(REWRITE_NAMES) || text.contains(spec.targetTable())
                    || text.contains(MigrationSpec.CONTROL_SCHEMA + ".") || text.contains("\"" + MigrationSpec.CONTROL_SCHEMA + "\"")
                    || text.contains(spec.syncView()))) {
                return true;
            }
        }
        return false;
    }

    /** The 1-based character position lies between the first and the last character the rewrite changed. */
    private static boolean inRewrittenPart(int position, String applicationSql, String sentSql) {
        if (position <= 0 || applicationSql == null || sentSql == null) {
            return false;
        }
        int prefix = 0;
        int max = Math.min(applicationSql.length(), sentSql.length());
        while (prefix < max && applicationSql.charAt(prefix) == sentSql.charAt(prefix)) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < max - prefix && applicationSql.charAt(applicationSql.length() - 1 - suffix)
                == sentSql.charAt(sentSql.length() - 1 - suffix)) {
            suffix++;
        }
        int at = position - 1;
        return at >= prefix && at < sentSql.length() - suffix;
    }
}
