package io.dualwrite.driver.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A PreparedStatement whose SQL touches no migration: it reaches PostgreSQL exactly as written,
 * and every method is a generated direct call on {@link #delegate} except the back-reference and
 * unwrapping written here.
 */
public abstract class DualwritePreparedStatement implements PreparedStatement {

    protected final PreparedStatement delegate;
    private final DualwriteConnection connection;

    protected DualwritePreparedStatement(PreparedStatement delegate, DualwriteConnection connection) {
        this.delegate = delegate;
        this.connection = connection;
    }

    @Override
    public Connection getConnection() {
        return connection;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || delegate.isWrapperFor(iface);
    }
}
