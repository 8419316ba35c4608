package io.dualwrite.driver.jdbc;

import org.postgresql.PGResultSetMetaData;
import org.postgresql.jdbc.PgResultSetMetaData;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * A rewritten read's metadata as the application's read gives it: every answer from the
 * description of the application's text ({@link PlainReadMetaData}), except the transfer format
 * of each column, which belongs to the rows actually received. Every other method is generated
 * delegation (see {@link Wrappers}).
 */
public abstract class PlainReadColumns implements ResultSetMetaData, PGResultSetMetaData {

    protected final PgResultSetMetaData delegate;
    private final ResultSetMetaData received;

    protected PlainReadColumns(PgResultSetMetaData delegate, ResultSetMetaData received) {
        this.delegate = delegate;
        this.received = received;
    }

    @Override
    public int getFormat(int column) throws SQLException {
        return received.unwrap(PGResultSetMetaData.class).getFormat(column);
    }
}
