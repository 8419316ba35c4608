package io.dualwrite.driver.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A ResultSet handed to the application: only the back-reference and unwrapping are written here,
 * every other method is a generated direct call on {@link #delegate} (see {@link Wrappers}).
 */
public abstract class DualwriteResultSet implements ResultSet {

    protected final ResultSet delegate;
    private final Statement statement;

    protected DualwriteResultSet(ResultSet delegate, Statement statement) {
        this.delegate = delegate;
        this.statement = statement;
    }

    /** The application's statement wrapper, as the JDBC contract wants, not PgJDBC's statement. */
    @Override
    public Statement getStatement() {
        return statement;
    }
}
