package io.dualwrite.driver.jdbc;

import org.postgresql.PGResultSetMetaData;
import org.postgresql.jdbc.PgResultSetMetaData;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * A rewritten read's metadata as the application's read gives it: every answer from the
 * description of the application's text ({@link PlainReadMetaData}), except the transfer format
 * of each column, which belongs to the rows actually received, and the type of a column the
 * description gives no origin (an expression, {@code ? AS b}): the description was made without the
 * parameters' types, so PostgreSQL typed a parameter there as unknown (text), where the executed
 * read, like the application's, has them; the rewrite keeps every expression's type. Every other
 * method is generated delegation (see {@link Wrappers}).
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

    /** Where the column's type is answered: a column of a table from the description, an expression from the rows. */
    private ResultSetMetaData typed(int column) throws SQLException {
        return delegate.getBaseColumnName(column).isEmpty() ? received : delegate;
    }

    @Override
    public int getColumnType(int column) throws SQLException {
        return typed(column).getColumnType(column);
    }

    @Override
    public String getColumnTypeName(int column) throws SQLException {
        return typed(column).getColumnTypeName(column);
    }

    @Override
    public String getColumnClassName(int column) throws SQLException {
        return typed(column).getColumnClassName(column);
    }

    @Override
    public int getPrecision(int column) throws SQLException {
        return typed(column).getPrecision(column);
    }

    @Override
    public int getScale(int column) throws SQLException {
        return typed(column).getScale(column);
    }

    @Override
    public int getColumnDisplaySize(int column) throws SQLException {
        return typed(column).getColumnDisplaySize(column);
    }

    @Override
    public boolean isSigned(int column) throws SQLException {
        return typed(column).isSigned(column);
    }

    @Override
    public boolean isCaseSensitive(int column) throws SQLException {
        return typed(column).isCaseSensitive(column);
    }

    @Override
    public boolean isCurrency(int column) throws SQLException {
        return typed(column).isCurrency(column);
    }
}
