package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The server's error for a rewritten statement, in the application's terms: what PostgreSQL would have said of the
 * statement the application sent. The one place such errors are edited, field by field of the server's message
 * (SQLState, values and everything not named here stay PostgreSQL's; the original error is the cause):
 * <ul>
 *   <li>the context ({@code Where:}) loses the lines of dualwrite's own code: the sync views' functions and the DO block
 *       a TRUNCATE runs in, and the SQL statement each ran ({@code SQL statement "INSERT INTO public.email_address …"});
 *       lines of the application's own triggers and functions stay;</li>
 *   <li>a read-only transaction's refusal names the application's command ({@link ReadOnlyTransactionErrors});</li>
 *   <li>a translated statement's unique violation names the old column's constraint ({@link UniqueViolations}), and its
 *       CHECK violation on the new table the written table ({@link CheckViolations}).</li>
 * </ul>
 * A batch's failure gets its entry's error so edited ({@link BatchFailures#withEntryError}).
 */
final class ServerErrors {

    /** A context line of dualwrite's own code: a function of its schema, or the DO block of a rewritten TRUNCATE. */
    private static final Pattern OWN_CONTEXT = Pattern.compile(
            "^PL/pgSQL function (inline_code_block|\"?dualwrite\"?\\.[^(]*\\([^)]*\\)) line \\d+ .*");

    private ServerErrors() {
    }

    /**
     * {@code e}, an error of a statement the driver rewrote ({@code applicationSql} its text as the application sent it;
     * {@code translated}: the phase translates it), in the application's terms.
     */
    static SQLException inApplicationTerms(SQLException e, MigrationRuntime migration, boolean translated,
                                           String applicationSql) {
        return BatchFailures.withEntryError(e, entry -> single(entry, migration, translated, applicationSql));
    }

    private static SQLException single(SQLException e, MigrationRuntime migration, boolean translated, String applicationSql) {
        if (!(e instanceof PSQLException p) || p.getServerErrorMessage() == null) {
            return e;
        }
        Map<Character, String> fields = fields(p.getServerErrorMessage());
        boolean changed = withoutOwnContext(fields);
        changed |= ReadOnlyTransactionErrors.named(fields, applicationSql);
        changed |= translated && (UniqueViolations.named(fields, migration) || CheckViolations.named(fields, migration));
        if (!changed) {
            return e;
        }
        StringBuilder raw = new StringBuilder();
        fields.forEach((type, value) -> {
            if (value != null) {
                raw.append(type).append(value.replace('\0', ' ')).append('\0');
            }
        });
        // PgJDBC's message has the detail, hint, position and context lines unless logServerErrorDetail=false
        PSQLException out = new PSQLException(new ServerErrorMessage(raw.toString()),
                e.getMessage() != null && e.getMessage().contains("\n  "));
        out.initCause(e);
        return out;
    }

    private static Map<Character, String> fields(ServerErrorMessage m) {
        Map<Character, String> f = new LinkedHashMap<>();
        f.put('S', m.getSeverity());
        f.put('V', m.getSeverity());
        f.put('C', m.getSQLState());
        f.put('M', m.getMessage());
        f.put('D', m.getDetail());
        f.put('H', m.getHint());
        f.put('P', m.getPosition() > 0 ? Integer.toString(m.getPosition()) : null);
        f.put('p', m.getInternalPosition() > 0 ? Integer.toString(m.getInternalPosition()) : null);
        f.put('q', m.getInternalQuery());
        f.put('W', m.getWhere());
        f.put('s', m.getSchema());
        f.put('t', m.getTable());
        f.put('c', m.getColumn());
        f.put('d', m.getDatatype());
        f.put('n', m.getConstraint());
        f.put('F', m.getFile());
        f.put('L', m.getLine() > 0 ? Integer.toString(m.getLine()) : null);
        f.put('R', m.getRoutine());
        return f;
    }

    /** Removes dualwrite's own lines from the context; whether there were any. */
    private static boolean withoutOwnContext(Map<Character, String> fields) {
        String where = fields.get('W');
        if (where == null) {
            return false;
        }
        String[] lines = where.split("\n", -1);
        StringBuilder kept = new StringBuilder();
        boolean removed = false;
        for (int i = 0; i < lines.length; i++) {
            // the statement a function ran is the line before the function's own
            boolean own = OWN_CONTEXT.matcher(lines[i]).matches()
                    || (lines[i].startsWith("SQL statement \"") && i + 1 < lines.length
                    && OWN_CONTEXT.matcher(lines[i + 1]).matches());
            if (own) {
                removed = true;
            } else {
                kept.append(kept.isEmpty() ? "" : "\n").append(lines[i]);
            }
        }
        fields.put('W', kept.isEmpty() ? null : kept.toString());
        return removed;
    }
}
