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
    /**
     * Planned when prepared ({@link StatementPipeline#plan}): it passes through, so only the hide step
     * remains; made at the first result set (most pass-through statements are writes that have none).
     */
    private StatementPipeline pipeline;

    protected DualwritePreparedStatement(PreparedStatement delegate, DualwriteConnection connection) {
        this.delegate = delegate;
        this.connection = connection;
    }

    private StatementPipeline pipeline() {
        StatementPipeline p = pipeline;
        if (p == null) {
            p = new StatementPipeline(connection, this);
            pipeline = p;
        }
        return p;
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        return pipeline().results(delegate.executeQuery());
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        return pipeline().results(delegate.getResultSet());
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        return pipeline().keys(delegate.getGeneratedKeys());
    }

    @Override
    public Connection getConnection() {
        return connection;
    }
}
