package io.dualwrite.driver.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;

/** {@link DatabaseMetaData} whose {@code getConnection()} returns the application's connection wrapper. */
public abstract class DualwriteDatabaseMetaData implements DatabaseMetaData {

    protected final DatabaseMetaData delegate;
    private final Connection connection;

    protected DualwriteDatabaseMetaData(DatabaseMetaData delegate, Connection connection) {
        this.delegate = delegate;
        this.connection = connection;
    }

    @Override
    public Connection getConnection() {
        return connection;
    }
}
