package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.Rewrite;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The rows of a read that READ_NEW rewrote: the rows are the rewritten read's, the metadata the
 * application's own read's ({@link PlainReadMetaData}), or where that cannot be described, a translation's; also,
 * under the translation's own wrapper, the rows of a multi-row translation, described by the text the rewrite names.
 * Every other method is generated delegation (see {@link Wrappers}).
 */
public abstract class ReadNewResultSet extends DualwriteResultSet {

    private final PlainReadMetaData plain;
    private final String applicationSql;
    private final boolean prepared;
    /** Null under the translation's own wrapper, which answers for the old column itself. */
    private final MigrationRuntime migration;
    private final Rewrite.Origins origins;

    protected ReadNewResultSet(ResultSet delegate, Statement statement, PlainReadMetaData plain, String applicationSql,
                               boolean prepared, MigrationRuntime migration, Rewrite.Origins origins) {
        super(delegate, statement);
        this.plain = plain;
        this.applicationSql = applicationSql;
        this.prepared = prepared;
        this.migration = migration;
        this.origins = origins;
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        return plain.of(applicationSql, prepared, delegate.getMetaData(), migration, origins);
    }
}
