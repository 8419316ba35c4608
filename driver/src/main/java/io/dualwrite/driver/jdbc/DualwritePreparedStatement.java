package io.dualwrite.driver.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A PreparedStatement whose SQL touches no migration: it reaches PostgreSQL exactly as written,
 * and every method is a generated direct call on {@link #delegate} except the back-reference and
 * unwrapping written here, and result sets wrapped so that their {@code getStatement()} is this wrapper.
 */
public abstract class DualwritePreparedStatement implements PreparedStatement {

    protected final PreparedStatement delegate;
    private final DualwriteConnection connection;
    private final ResultSets results = new ResultSets();

    protected DualwritePreparedStatement(PreparedStatement delegate, DualwriteConnection connection) {
        this.delegate = delegate;
        this.connection = connection;
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        return results.wrap(delegate.executeQuery(), this, 0);
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        return results.wrap(delegate.getResultSet(), this, 0);
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        return results.wrapKeys(delegate.getGeneratedKeys(), this, 0);
    }

    @Override
    public Connection getConnection() {
        return connection;
    }
}
