package io.dualwrite.driver.jdbc;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The wrappers a statement has handed out for PgJDBC's result sets, so that asking twice for the
 * same result set (as JDBC allows) gives the same object. One per statement; not thread-safe,
 * like a statement.
 */
final class ResultSets {

    private ResultSet raw;
    private ResultSet wrapped;
    private ResultSet rawKeys;
    private ResultSet wrappedKeys;

    /**
     * The application's view of {@code rs}: hides the trailing {@code hidden} columns when they are
     * the ones a dual write with RETURNING adds ({@code "dw$k"}, {@code "dw$v"}), so that among
     * several results of one string only the dual write's rows are trimmed.
     */
    ResultSet wrap(ResultSet rs, Statement statement, int hidden) throws SQLException {
        if (rs == null) {
            return null;
        }
        if (rs != raw) {
            wrapped = create(rs, statement, hidden);
            raw = rs;
        }
        return wrapped;
    }

    ResultSet wrapKeys(ResultSet rs, Statement statement, int hidden) throws SQLException {
        if (rs == null) {
            return null;
        }
        if (rs != rawKeys) {
            wrappedKeys = create(rs, statement, hidden);
            rawKeys = rs;
        }
        return wrappedKeys;
    }

    private static ResultSet create(ResultSet rs, Statement statement, int hidden) throws SQLException {
        if (hidden > 0) {
            ResultSetMetaData md = rs.getMetaData();
            int n = md.getColumnCount();
            if (n >= hidden && "dw$k".equals(md.getColumnLabel(n - hidden + 1))) {
                return Wrappers.hidingResultSet(rs, statement, n - hidden);
            }
        }
        return Wrappers.resultSet(rs, statement);
    }
}
