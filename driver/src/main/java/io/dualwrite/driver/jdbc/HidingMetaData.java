package io.dualwrite.driver.jdbc;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * Metadata of a {@link HidingResultSet}: the column count excludes the hidden columns; every
 * per-column method is generated to reject their indexes first (see {@link Wrappers}).
 */
public abstract class HidingMetaData implements ResultSetMetaData {

    protected final ResultSetMetaData delegate;
    final int visible;

    protected HidingMetaData(ResultSetMetaData delegate, int visible) {
        this.delegate = delegate;
        this.visible = visible;
    }

    @Override
    public int getColumnCount() {
        return visible;
    }
}
