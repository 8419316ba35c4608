package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.SourceColumns;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Rewrite;
import org.postgresql.PGResultSetMetaData;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * Metadata of a statement NEW_ONLY or CONTRACTED translated (reads, and the RETURNING rows of
 * writes), as PgJDBC gives it for the application's statement on the original schema. The
 * translation reads the old column's values from the new table through an expression PostgreSQL
 * gives no origin; a column without origin, of the recorded type (modifier included), that the
 * rewriter says PostgreSQL would give the old column as origin ({@link Rewrite.Origins}: a reference
 * to it under any alias, {@code email AS mail}), is answered from the old column as recorded before
 * the contract ({@link SourceColumns.Column}): its table, schema and name, its nullability and
 * auto-increment, and every type answer of its recorded type ({@link RecordedTypes}). Describing the
 * application's text, as READ_NEW does, cannot work once the column is dropped. Every other column,
 * and every other method, is the received metadata (generated delegation, see {@link Wrappers}).
 *
 * <p>Where the rewriter does not decide, a column labelled as the old column is taken for a reference to
 * it, and no other; the results of a string of several statements are not told apart
 * ({@link Rewrite.Origins#ofSeveral}). READ_NEW answers so too where the application's text cannot be
 * described ({@link PlainReadMetaData}).
 */
public abstract class TranslatedColumns implements ResultSetMetaData, PGResultSetMetaData {

    protected final ResultSetMetaData delegate;
    private final MigrationSpec spec;
    private final SourceColumns.Column old;
    /** The recorded type's description (one column), or null: then type answers are the received ones. */
    private final ResultSetMetaData type;
    /** Null: every column labelled as the old column is taken for a reference to it. */
    private final Rewrite.Origins origins;
    /** Per column (index i at i - 1): answered from the record; null until first asked. */
    private boolean[] recorded;

    protected TranslatedColumns(ResultSetMetaData delegate, MigrationSpec spec, SourceColumns.Column old,
                                ResultSetMetaData type, Rewrite.Origins origins) {
        this.delegate = delegate;
        this.spec = spec;
        this.old = old;
        this.type = type;
        this.origins = origins;
    }

    private boolean recorded(int column) throws SQLException {
        if (recorded == null) {
            int n = delegate.getColumnCount();
            boolean[] flags = new boolean[n];
            for (int i = 1; i <= n; i++) {
                flags[i - 1] = ofTheOldColumn(delegate.getColumnLabel(i), i - 1, n) && base().getBaseColumnName(i).isEmpty()
                        && ofRecordedType(i);
            }
            recorded = flags;
        }
        return column >= 1 && column <= recorded.length && recorded[column - 1];
    }

    /** Whether PostgreSQL gives the column labelled {@code label} the old column as origin ({@link Rewrite.Origins}). */
    private boolean ofTheOldColumn(String label, int position, int width) {
        return origins == null ? old.name().equals(label) : origins.ofTheColumn(label, position, width, old.name());
    }

    /** The received column has the recorded type with its modifier: not an expression that changed it ({@code lower(email) AS email}). */
    private boolean ofRecordedType(int column) throws SQLException {
        return type == null || type.getColumnType(1) == delegate.getColumnType(column)
                && type.getColumnTypeName(1).equals(delegate.getColumnTypeName(column))
                && type.getPrecision(1) == delegate.getPrecision(column) && type.getScale(1) == delegate.getScale(column);
    }

    private PGResultSetMetaData base() throws SQLException {
        return delegate.unwrap(PGResultSetMetaData.class);
    }

    private ResultSetMetaData typeOf(int column) throws SQLException {
        return type != null && recorded(column) ? type : null;
    }

    @Override
    public String getBaseColumnName(int column) throws SQLException {
        return recorded(column) ? old.name() : base().getBaseColumnName(column);
    }

    @Override
    public String getBaseTableName(int column) throws SQLException {
        return recorded(column) ? spec.sourceTable() : base().getBaseTableName(column);
    }

    @Override
    public String getBaseSchemaName(int column) throws SQLException {
        return recorded(column) ? spec.sourceSchema() : base().getBaseSchemaName(column);
    }

    @Override
    public int getFormat(int column) throws SQLException {
        return base().getFormat(column);
    }

    @Override
    public String getTableName(int column) throws SQLException {
        return recorded(column) ? spec.sourceTable() : delegate.getTableName(column);
    }

    @Override
    public int isNullable(int column) throws SQLException {
        if (recorded(column)) {
            return old.notNull() ? columnNoNulls : columnNullable;
        }
        return delegate.isNullable(column);
    }

    /** As PgJDBC decides it: an identity column or a default calling {@code nextval(}. */
    @Override
    public boolean isAutoIncrement(int column) throws SQLException {
        if (recorded(column)) {
            return old.defaultSql() != null && old.defaultSql().contains("nextval(");
        }
        return delegate.isAutoIncrement(column);
    }

    @Override
    public int getColumnType(int column) throws SQLException {
        ResultSetMetaData t = typeOf(column);
        return t != null ? t.getColumnType(1) : delegate.getColumnType(column);
    }

    @Override
    public String getColumnTypeName(int column) throws SQLException {
        ResultSetMetaData t = typeOf(column);
        return t != null ? t.getColumnTypeName(1) : delegate.getColumnTypeName(column);
    }

    @Override
    public String getColumnClassName(int column) throws SQLException {
        ResultSetMetaData t = typeOf(column);
        return t != null ? t.getColumnClassName(1) : delegate.getColumnClassName(column);
    }

    @Override
    public int getPrecision(int column) throws SQLException {
        ResultSetMetaData t = typeOf(column);
        return t != null ? t.getPrecision(1) : delegate.getPrecision(column);
    }

    @Override
    public int getScale(int column) throws SQLException {
        ResultSetMetaData t = typeOf(column);
        return t != null ? t.getScale(1) : delegate.getScale(column);
    }

    @Override
    public int getColumnDisplaySize(int column) throws SQLException {
        ResultSetMetaData t = typeOf(column);
        return t != null ? t.getColumnDisplaySize(1) : delegate.getColumnDisplaySize(column);
    }

    @Override
    public boolean isSigned(int column) throws SQLException {
        ResultSetMetaData t = typeOf(column);
        return t != null ? t.isSigned(1) : delegate.isSigned(column);
    }

    @Override
    public boolean isCaseSensitive(int column) throws SQLException {
        ResultSetMetaData t = typeOf(column);
        return t != null ? t.isCaseSensitive(1) : delegate.isCaseSensitive(column);
    }

    @Override
    public boolean isCurrency(int column) throws SQLException {
        ResultSetMetaData t = typeOf(column);
        return t != null ? t.isCurrency(1) : delegate.isCurrency(column);
    }
}
