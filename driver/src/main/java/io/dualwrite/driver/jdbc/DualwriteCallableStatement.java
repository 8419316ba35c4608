package io.dualwrite.driver.jdbc;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A CallableStatement (only ever one that touches no migration: {@code prepareCall} refuses the
 * others). Back-references and result sets are written here, the rest is generated delegation.
 */
public abstract class DualwriteCallableStatement implements CallableStatement {

    protected final CallableStatement delegate;
    private final DualwriteConnection connection;
    private final ResultSets results = new ResultSets();

    protected DualwriteCallableStatement(CallableStatement delegate, DualwriteConnection connection) {
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
