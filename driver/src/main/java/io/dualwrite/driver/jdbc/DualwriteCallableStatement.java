package io.dualwrite.driver.jdbc;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A CallableStatement whose SQL touches no migration (those that do are
 * {@link RewritingCallableStatement}s). Back-references and result sets are written here, the rest
 * is generated delegation.
 */
public abstract class DualwriteCallableStatement implements CallableStatement {

    protected final CallableStatement delegate;
    private final DualwriteConnection connection;
    /** Planned when prepared ({@link StatementPipeline#plan}): it passes through, so only the hide step remains. */
    private final StatementPipeline pipeline;

    protected DualwriteCallableStatement(CallableStatement delegate, DualwriteConnection connection) {
        this.delegate = delegate;
        this.connection = connection;
        this.pipeline = new StatementPipeline(connection, this);
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        return pipeline.results(delegate.executeQuery());
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        return pipeline.results(delegate.getResultSet());
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        return pipeline.keys(delegate.getGeneratedKeys());
    }

    @Override
    public Connection getConnection() {
        return connection;
    }
}
