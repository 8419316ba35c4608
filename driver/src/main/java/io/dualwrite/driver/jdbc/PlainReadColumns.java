package io.dualwrite.driver.jdbc;

import org.postgresql.PGResultSetMetaData;
import org.postgresql.jdbc.PgResultSetMetaData;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * A rewritten read's metadata as the application's read gives it: every answer from the
 * description of the application's text ({@link PlainReadMetaData}), except the transfer format
 * of each column, which belongs to the rows actually received, and each column's type: the
 * description was made without the parameters' types, so PostgreSQL typed {@code ? AS b} as unknown
 * (text), where the executed read, like the application's, has them; the rewrite keeps every
 * column's type and modifier (the new table's value column has the old one's), so for every other
 * column the two agree. Asked of the rows, a type needs no catalog query, which in a transaction
 * that has failed since would fail. Every other method is generated delegation (see {@link Wrappers}).
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

    @Override
    public int getColumnType(int column) throws SQLException {
        return received.getColumnType(column);
    }

    /** A serial column's name ({@code bigserial}) needs its origin, which received rows may have lost ({@code UNION ALL}). */
    @Override
    public String getColumnTypeName(int column) throws SQLException {
        return delegate.isAutoIncrement(column) ? delegate.getColumnTypeName(column) : received.getColumnTypeName(column);
    }

    @Override
    public String getColumnClassName(int column) throws SQLException {
        return received.getColumnClassName(column);
    }

    @Override
    public int getPrecision(int column) throws SQLException {
        return received.getPrecision(column);
    }

    @Override
    public int getScale(int column) throws SQLException {
        return received.getScale(column);
    }

    @Override
    public int getColumnDisplaySize(int column) throws SQLException {
        return received.getColumnDisplaySize(column);
    }

    @Override
    public boolean isSigned(int column) throws SQLException {
        return received.isSigned(column);
    }

    @Override
    public boolean isCaseSensitive(int column) throws SQLException {
        return received.isCaseSensitive(column);
    }

    @Override
    public boolean isCurrency(int column) throws SQLException {
        return received.isCurrency(column);
    }
}
