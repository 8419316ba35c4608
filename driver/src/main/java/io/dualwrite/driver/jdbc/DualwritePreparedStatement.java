package io.dualwrite.driver.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A PreparedStatement whose SQL touches no migration: it reaches PostgreSQL exactly as written,
 * and every method is a generated direct call on {@link #delegate} except the back-reference and
 * unwrapping written here, result sets wrapped so that their {@code getStatement()} is this wrapper, and executions
 * checked when the driver's migrations changed since the connection opened ({@link StalePreparedStatements}).
 */
public abstract class DualwritePreparedStatement implements PreparedStatement {

    protected final PreparedStatement delegate;
    private final DualwriteConnection connection;
    /**
     * The wrapper of the result set (or generated keys) last handed out, so that asking again for the same one gives
     * the same wrapper. The statement was planned when prepared ({@link StatementPlans#of}) and passes
     * through, so of the {@link StatementPipeline}'s steps only the wrapping remains: nothing to hide, no read of
     * another phase, no translated column, no migration whose updatable rows need a guard. One slot for both kinds
     * keeps this wrapper at three fields (24 bytes): asking for the result set, then the keys, then the result set
     * again gives a second wrapper of the same PgJDBC result set (equal in every answer, only not the same object).
     */
    private DualwriteResultSet shown;

    protected DualwritePreparedStatement(PreparedStatement delegate, DualwriteConnection connection) {
        this.delegate = delegate;
        this.connection = connection;
    }

    private ResultSet show(ResultSet rs) {
        DualwriteResultSet wrapper = Wrappers.reuse(shown, rs, this);
        if (wrapper != null) {
            shown = wrapper;
        }
        return wrapper;
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        connection.requirePlanned(delegate);
        return show(delegate.executeQuery());
    }

    @Override
    public int executeUpdate() throws SQLException {
        connection.requirePlanned(delegate);
        return delegate.executeUpdate();
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        connection.requirePlanned(delegate);
        return delegate.executeLargeUpdate();
    }

    @Override
    public boolean execute() throws SQLException {
        connection.requirePlanned(delegate);
        return delegate.execute();
    }

    @Override
    public int[] executeBatch() throws SQLException {
        connection.requirePlanned(delegate);
        return delegate.executeBatch();
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        connection.requirePlanned(delegate);
        return delegate.executeLargeBatch();
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        return show(delegate.getResultSet());
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        return show(delegate.getGeneratedKeys());
    }

    @Override
    public Connection getConnection() {
        return connection;
    }
}
