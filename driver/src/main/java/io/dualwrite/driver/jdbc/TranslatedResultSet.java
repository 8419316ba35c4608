package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.driver.runtime.SourceColumns;
import io.dualwrite.rewriter.Rewrite;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The rows of a statement NEW_ONLY or CONTRACTED translated (a read, or a write's RETURNING rows,
 * already without the sync's hidden columns): the metadata names the old column as the original
 * schema did ({@link TranslatedColumns}). Every other method is generated delegation (see {@link Wrappers}).
 */
public abstract class TranslatedResultSet extends DualwriteResultSet {

    private final RecordedTypes types;
    private final MigrationRuntime migration;
    private final Rewrite.Origins origins;

    protected TranslatedResultSet(ResultSet delegate, Statement statement, RecordedTypes types, MigrationRuntime migration,
                                  Rewrite.Origins origins) {
        super(delegate, statement);
        this.types = types;
        this.migration = migration;
        this.origins = origins;
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        return of(delegate.getMetaData(), types, migration, origins);
    }

    /**
     * {@code received} answered for the old column from its record; as received when nothing is recorded.
     *
     * @param origins the translation's {@link Rewrite.Rewritten#origins}, or null
     */
    static ResultSetMetaData of(ResultSetMetaData received, RecordedTypes types, MigrationRuntime migration,
                                Rewrite.Origins origins) {
        SourceColumns.Column old = migration.oldColumn();
        if (received == null || old == null) {
            return received;
        }
        return Wrappers.translatedColumns(received, migration.spec(), old, types.of(old.type()), origins);
    }
}
