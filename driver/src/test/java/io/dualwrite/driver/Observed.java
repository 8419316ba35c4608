package io.dualwrite.driver;

import org.postgresql.PGResultSetMetaData;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What an application can observe of a statement's execution, as text, so that plain PgJDBC and
 * dualwrite can be compared line by line: the return value, every result of the
 * {@code getResultSet}/{@code getUpdateCount}/{@code getMoreResults} sequence (column labels,
 * types and rows), generated keys, and exceptions by SQLState.
 */
final class Observed {

    private final List<String> lines = new ArrayList<>();

    List<String> lines() {
        return lines;
    }

    Observed add(String line) {
        lines.add(line);
        return this;
    }

    /** Runs {@code action}, recording its SQLState if it throws; true when it did not throw. */
    boolean run(String what, SqlAction action) {
        try {
            action.run();
            return true;
        } catch (SQLException e) {
            lines.add(what + " threw " + e.getSQLState());
            return false;
        }
    }

    interface SqlAction {
        void run() throws SQLException;
    }

    /** After {@code execute} returned {@code first}: every result until there are no more. */
    Observed results(Statement s, boolean first) throws SQLException {
        boolean isResultSet = first;
        for (int i = 0; i < 20; i++) {
            if (isResultSet) {
                ResultSet rs = s.getResultSet();
                lines.add("result " + i + " rows " + table(rs) + " updateCount " + s.getUpdateCount());
            } else {
                int count = s.getUpdateCount();
                if (count == -1) {
                    lines.add("end after " + i + (s.getResultSet() == null ? "" : " with a result set"));
                    return this;
                }
                lines.add("result " + i + " count " + count);
            }
            isResultSet = s.getMoreResults();
        }
        lines.add("more than 20 results");
        return this;
    }

    Observed keys(Statement s) throws SQLException {
        lines.add("keys " + table(s.getGeneratedKeys()));
        return this;
    }

    /** Labels, type names and rows of a result set (read to the end), or "none". */
    static String table(ResultSet rs) throws SQLException {
        return table(rs, false);
    }

    /** The same; with {@code origins} also what PgJDBC reads from each column's origin ({@link #header}). */
    static String table(ResultSet rs, boolean origins) throws SQLException {
        if (rs == null) {
            return "none";
        }
        StringBuilder b = new StringBuilder(header(rs.getMetaData(), origins));
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            b.append(" (");
            for (int i = 1; i <= n; i++) {
                b.append(i > 1 ? "|" : "").append(rs.getString(i));
            }
            b.append(")");
        }
        return b.toString();
    }

    /**
     * Labels and types of a result's columns; with {@code origins} also what PgJDBC reads from each column's origin:
     * its table, base column, nullability and auto-increment.
     */
    static String header(ResultSetMetaData md, boolean origins) throws SQLException {
        int n = md.getColumnCount();
        StringBuilder b = new StringBuilder("[");
        for (int i = 1; i <= n; i++) {
            b.append(i > 1 ? "," : "").append(md.getColumnLabel(i)).append(':').append(md.getColumnTypeName(i));
            if (origins) {
                b.append('{').append(md.getTableName(i)).append('.')
                        .append(md.unwrap(PGResultSetMetaData.class).getBaseColumnName(i)).append(" nullable=")
                        .append(md.isNullable(i)).append(" auto=").append(md.isAutoIncrement(i)).append('}');
            }
        }
        return b.append("]").toString();
    }

    @Override
    public String toString() {
        return String.join("\n", lines);
    }
}
