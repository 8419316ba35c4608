package io.dualwrite.driver.jdbc;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A CallableStatement whose SQL touches no migration (those that do are
 * {@link RewritingCallableStatement}s). Back-references, result sets and the check of a statement prepared before
 * the migrations changed ({@link StalePreparedStatements}) are written here, the rest is generated delegation.
 */
public abstract class DualwriteCallableStatement implements CallableStatement {

    protected final CallableStatement delegate;
    private final DualwriteConnection connection;
    /** The wrapper last handed out, for the reasons {@link DualwritePreparedStatement} gives for its own. */
    private DualwriteResultSet shown;

    protected DualwriteCallableStatement(CallableStatement delegate, DualwriteConnection connection) {
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
