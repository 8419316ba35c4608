package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.driver.runtime.SourceColumns;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link DatabaseMetaData} whose {@code getConnection()} returns the application's connection wrapper,
 * whose {@code getColumns} lists a contracted migration's old column as it was recorded
 * ({@link RecordedColumnRows}), and whose {@code getIndexInfo} lists the old column's unique indexes, which live on as
 * their twins ({@link RecordedIndexRows}); whose result sets lead back to the application's connection only
 * ({@link #shown}).
 */
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

    @Override
    public ResultSet getColumns(String catalog, String schemaPattern, String tableNamePattern, String columnNamePattern)
            throws SQLException {
        ResultSet received = delegate.getColumns(catalog, schemaPattern, tableNamePattern, columnNamePattern);
        DualwriteConnection c = answering(catalog);
        if (c == null) {
            return shown(received);
        }
        List<RecordedColumnRows.Missing> missing = new ArrayList<>();
        for (MigrationRuntime m : c.database.migrations().runtimes()) {
            MigrationSpec spec = m.spec();
            SourceColumns columns = m.columns();
            if (c.phaseToPrepare(m).writesOld() || columns.old() == null
                    || !RecordedColumnRows.matches(schemaPattern, spec.sourceSchema())
                    || !RecordedColumnRows.matches(tableNamePattern, spec.sourceTable())
                    || !RecordedColumnRows.matches(columnNamePattern, spec.sourceColumn())) {
                continue;
            }
            ResultSetMetaData type = c.recordedTypes.of(columns.old().type());
            if (type != null) {
                missing.add(new RecordedColumnRows.Missing(spec, columns, type));
            }
        }
        return shown(missing.isEmpty() ? received : RecordedColumnRows.of(received, missing, delegate.getConnection()));
    }

    @Override
    public ResultSet getIndexInfo(String catalog, String schema, String table, boolean unique, boolean approximate)
            throws SQLException {
        ResultSet received = delegate.getIndexInfo(catalog, schema, table, unique, approximate);
        DualwriteConnection c = answering(catalog);
        if (c == null) {
            return shown(received);
        }
        List<RecordedIndexRows.Twins> twins = new ArrayList<>();
        for (MigrationRuntime m : c.database.migrations().runtimes()) {
            MigrationSpec spec = m.spec();
            // PgJDBC matches the names exactly (not as patterns); no schema: every schema
            if (c.phaseToPrepare(m) != Phase.CONTRACTED || !spec.sourceTable().equals(table)
                    || schema != null && !schema.isEmpty() && !schema.equals(spec.sourceSchema())) {
                continue;
            }
            twins.add(new RecordedIndexRows.Twins(spec,
                    delegate.getIndexInfo(catalog, spec.targetSchema(), spec.targetTable(), true, approximate)));
        }
        return shown(twins.isEmpty() ? received : RecordedIndexRows.of(received, twins, delegate.getConnection()));
    }

    /**
     * A metadata result as the application gets it: its {@code getStatement()} is PgJDBC's own statement wrapped, whose
     * {@code getConnection()} is the application's connection. PgJDBC's would hand out the physical connection, on which
     * a write reaches the database past the driver. Every method returning a result set goes through here (generated
     * for all but the two above, {@link Wrappers}).
     */
    protected ResultSet shown(ResultSet rs) throws SQLException {
        if (rs == null || !(connection instanceof DualwriteConnection c)) {
            return rs;
        }
        Statement owner = rs.getStatement();
        return Wrappers.resultSet(rs, owner == null ? null : Wrappers.statement(owner, c));
    }

    /**
     * The application's connection when PgJDBC's rows for {@code catalog} may lack a migration's: it answers only for
     * its own database (null, or that catalog's name; "" is "without a catalog": none); else null.
     */
    private DualwriteConnection answering(String catalog) throws SQLException {
        if (!(connection instanceof DualwriteConnection c)
                || catalog != null && !catalog.equals(delegate.getConnection().getCatalog())) {
            return null;
        }
        return c;
    }
}
