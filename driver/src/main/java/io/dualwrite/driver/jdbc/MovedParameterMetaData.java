package io.dualwrite.driver.jdbc;

import java.sql.ParameterMetaData;
import java.sql.SQLException;
import java.text.MessageFormat;

/**
 * {@code getParameterMetaData()} of a statement whose SQL moves or repeats the application's
 * parameters: the application's parameter count, and for parameter {@code i} what PostgreSQL
 * inferred for the first marker taking it (a repeated parameter takes one type in all its places,
 * as it did in the application's statement).
 */
final class MovedParameterMetaData implements ParameterMetaData {

    private final ParameterMetaData markers;
    private final ParameterFanOut map;

    MovedParameterMetaData(ParameterMetaData markers, ParameterFanOut map) {
        this.markers = markers;
        this.map = map;
    }

    private int marker(int param) throws SQLException {
        int marker = map.firstMarker(param);
        if (marker == 0) {
            // PgJDBC's message and SQLState for an index beyond the statement's parameters
            throw new SQLException(MessageFormat.format("The parameter index is out of range: {0}, number of parameters: {1}.",
                    param, map.applicationParameters()), "22023");
        }
        return marker;
    }

    @Override
    public int getParameterCount() {
        return map.applicationParameters();
    }

    @Override
    public int isNullable(int param) throws SQLException {
        return markers.isNullable(marker(param));
    }

    @Override
    public boolean isSigned(int param) throws SQLException {
        return markers.isSigned(marker(param));
    }

    @Override
    public int getPrecision(int param) throws SQLException {
        return markers.getPrecision(marker(param));
    }

    @Override
    public int getScale(int param) throws SQLException {
        return markers.getScale(marker(param));
    }

    @Override
    public int getParameterType(int param) throws SQLException {
        return markers.getParameterType(marker(param));
    }

    @Override
    public String getParameterTypeName(int param) throws SQLException {
        return markers.getParameterTypeName(marker(param));
    }

    @Override
    public String getParameterClassName(int param) throws SQLException {
        return markers.getParameterClassName(marker(param));
    }

    @Override
    public int getParameterMode(int param) throws SQLException {
        return markers.getParameterMode(marker(param));
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : markers.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || markers.isWrapperFor(iface);
    }

    /** PgJDBC's print of its parameter metadata, as for every other wrapper ({@link Wrappers}). */
    @Override
    public String toString() {
        return markers.toString();
    }
}
