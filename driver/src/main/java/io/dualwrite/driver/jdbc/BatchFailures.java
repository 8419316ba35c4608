package io.dualwrite.driver.jdbc;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A failed batch's {@link BatchUpdateException} in the application's terms. PgJDBC names the failed entry by the SQL it
 * sent ({@code Batch entry 1 <sql> was aborted: …}), which for a rewritten entry is dualwrite's form ({@code WITH
 * "dw$w" AS …}): what the application, its logs and its support staff read is its own statement, as plain PgJDBC
 * would have named it. Counts, SQLState, cause and the next exceptions (the server's errors) stay as they are.
 */
final class BatchFailures {

    /** PgJDBC's English message; in another locale it is left as it is. */
    private static final Pattern PGJDBC_MESSAGE = Pattern.compile("Batch entry (\\d+) (.*?) was aborted: (.*)", Pattern.DOTALL);

    private BatchFailures() {
    }

    /**
     * {@code e} naming the failed entry as {@code applicationEntry} gives it (null: as it is); {@code e} itself when
     * its message is not PgJDBC's or already names the entry so.
     */
    static BatchUpdateException inApplicationTerms(BatchUpdateException e, IntFunction<String> applicationEntry) {
        Matcher m = PGJDBC_MESSAGE.matcher(e.getMessage() == null ? "" : e.getMessage());
        if (!m.matches()) {
            return e;
        }
        int entry = Integer.parseInt(m.group(1));
        String sql = applicationEntry.apply(entry);
        if (sql == null || sql.equals(m.group(2))) {
            return e;
        }
        BatchUpdateException named = new BatchUpdateException("Batch entry " + entry + " " + sql + " was aborted: "
                + m.group(3), e.getSQLState(), e.getErrorCode(), e.getLargeUpdateCounts(), e.getCause());
        named.setNextException(e.getNextException());
        named.setStackTrace(e.getStackTrace());
        return named;
    }

    /**
     * {@code e} with {@code single} applied to the server's error; for a batch's failure to its entry's error, whose
     * message PgJDBC quotes in its own. {@code e} itself where {@code single} changes nothing.
     */
    static SQLException withEntryError(SQLException e, UnaryOperator<SQLException> single) {
        if (!(e instanceof BatchUpdateException b) || b.getNextException() == null) {
            return single.apply(e);
        }
        SQLException entry = b.getNextException();
        SQLException changed = single.apply(entry);
        if (changed == entry) {
            return e;
        }
        String message = b.getMessage() == null || entry.getMessage() == null ? b.getMessage()
                : b.getMessage().replace(entry.getMessage(), changed.getMessage());
        BatchUpdateException out = new BatchUpdateException(message, b.getSQLState(), b.getErrorCode(),
                b.getLargeUpdateCounts(), b.getCause());
        out.setNextException(changed);
        out.setStackTrace(b.getStackTrace());
        return out;
    }

    /**
     * The application's statement with one entry's parameters as PgJDBC writes it into the message: a statement of
     * PgJDBC's own, prepared on the physical connection (nothing reaches the server) and never executed; the text alone
     * when that fails.
     */
    static String rendered(Connection physical, String sql, ParameterLog.Call[] entry) {
        try (PreparedStatement p = physical.prepareStatement(sql)) {
            for (ParameterLog.Call call : entry) {
                if (call != null) {
                    call.replay(p);
                }
            }
            return p.toString();
        } catch (SQLException | RuntimeException e) {
            return sql;
        }
    }
}
