package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.MigrationSpec;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A unique violation of a translated statement (NEW_ONLY, CONTRACTED) in the application's terms. The translation
 * stores the value in the new table, where the old column's unique index has a twin, so PostgreSQL names the twin
 * (in NEW_ONLY {@code email_address_address_unique_idx}; after the contract the twin has the old name) and its table
 * and column ({@code Key (address)=(…)}, and the sync function's {@code Where:} line). Applications and ORMs read the
 * constraint's name from the error (Hibernate's {@code ConstraintViolationException.getConstraintName()} parses the
 * message) to tell "that email is taken": here the error names the old index, table and column, as on the original
 * schema. The SQLState, the value and the rest are PostgreSQL's; the original error is the cause.
 */
final class UniqueViolations {

    private static final String UNIQUE_VIOLATION = "23505";
    private static final Pattern KEY = Pattern.compile("^Key \\((.*)\\)=\\(");

    private UniqueViolations() {
    }

    /** {@code e} in the application's terms; a batch's failure with its entry's error (PgJDBC quotes it in the message). */
    static SQLException inApplicationTerms(SQLException e, MigrationRuntime migration) {
        if (e instanceof BatchUpdateException b && b.getNextException() != null) {
            SQLException entry = b.getNextException();
            SQLException named = single(entry, migration);
            if (named == entry) {
                return e;
            }
            String message = b.getMessage() == null || entry.getMessage() == null ? b.getMessage()
                    : b.getMessage().replace(entry.getMessage(), named.getMessage());
            BatchUpdateException out = new BatchUpdateException(message, b.getSQLState(), b.getErrorCode(),
                    b.getLargeUpdateCounts(), b.getCause());
            out.setNextException(named);
            out.setStackTrace(b.getStackTrace());
            return out;
        }
        return single(e, migration);
    }

    private static SQLException single(SQLException e, MigrationRuntime migration) {
        if (!(e instanceof PSQLException p) || !UNIQUE_VIOLATION.equals(p.getSQLState())) {
            return e;
        }
        ServerErrorMessage m = p.getServerErrorMessage();
        MigrationSpec spec = migration.spec();
        Map<String, String> sources = migration.uniqueTwinSources();
        if (m == null || m.getConstraint() == null || !spec.targetTable().equals(m.getTable())
                || !spec.targetSchema().equals(m.getSchema()) || !migration.valueUniqueIndexes().contains(m.getConstraint())) {
            return e;
        }
        String constraint = sources.getOrDefault(m.getConstraint(), m.getConstraint());
        StringBuilder raw = new StringBuilder();
        field(raw, 'S', m.getSeverity());
        field(raw, 'V', m.getSeverity());
        field(raw, 'C', UNIQUE_VIOLATION);
        field(raw, 'M', "duplicate key value violates unique constraint \"" + constraint + "\"");
        field(raw, 'D', detail(m.getDetail(), spec));
        field(raw, 'H', m.getHint());
        field(raw, 's', spec.sourceSchema());
        field(raw, 't', spec.sourceTable());
        field(raw, 'n', constraint);
        field(raw, 'F', m.getFile());
        field(raw, 'R', m.getRoutine());
        if (m.getLine() > 0) {
            field(raw, 'L', Integer.toString(m.getLine()));
        }
        PSQLException out = new PSQLException(new ServerErrorMessage(raw.toString()),
                e.getMessage() != null && e.getMessage().contains("\n  Detail:"));
        out.initCause(e);
        return out;
    }

    /** {@code Key (address)=(x) already exists.} as {@code Key (email)=(x) …}; an expression key keeps its form. */
    private static String detail(String detail, MigrationSpec spec) {
        if (detail == null) {
            return null;
        }
        Matcher k = KEY.matcher(detail);
        if (!k.find()) {
            return detail;
        }
        String key = k.group(1).replaceAll("\\b" + Pattern.quote(spec.targetValueColumn()) + "\\b",
                Matcher.quoteReplacement(spec.sourceColumn()));
        return "Key (" + key + ")=(" + detail.substring(k.end());
    }

    private static void field(StringBuilder raw, char type, String value) {
        if (value != null) {
            raw.append(type).append(value.replace('\0', ' ')).append('\0');
        }
    }
}
