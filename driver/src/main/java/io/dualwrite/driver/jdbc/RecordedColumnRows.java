package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.SourceColumns;
import io.dualwrite.rewriter.MigrationSpec;
import org.postgresql.core.Field;
import org.postgresql.core.Oid;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static io.dualwrite.driver.jdbc.MetadataResults.bytes;
import static io.dualwrite.driver.jdbc.MetadataResults.text;

/**
 * {@code DatabaseMetaData.getColumns} after the contract: the old column, dropped from the catalog,
 * is listed again at its recorded position with its recorded type, nullability and default (and the
 * migrated table's later columns move back to their original positions), so an application that
 * validates its mapping against the schema at startup (Hibernate's {@code hbm2ddl=validate}) finds
 * the schema it was written for. The row is computed as PgJDBC computes a column's row, from the
 * recorded type's description ({@link RecordedTypes}). Not recorded, so not listed: the column's
 * comment (REMARKS is null). Rows of every other table are PgJDBC's, byte for byte.
 */
final class RecordedColumnRows {

    // PgJDBC's getColumns columns (1-based), in its order
    private static final int SCHEMA = 2;
    private static final int TABLE = 3;
    private static final int COLUMN = 4;
    private static final int ORDINAL = 17;
    private static final int COLUMNS = 24;
    /** The types PgJDBC gives a CHAR_OCTET_LENGTH (the column size). */
    private static final Set<Integer> CHARACTER_TYPES = Set.of(Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR,
            Types.NCHAR, Types.NVARCHAR, Types.LONGNVARCHAR, Types.CLOB);

    private RecordedColumnRows() {
    }

    /** The migration whose old column is missing from {@code received} although the patterns ask for it. */
    record Missing(MigrationSpec spec, SourceColumns columns, ResultSetMetaData type) {
    }

    /**
     * {@code received} (PgJDBC's getColumns, which it closes) with each missing old column added.
     */
    static ResultSet of(ResultSet received, List<Missing> missing, Connection physical) throws SQLException {
        ResultSetMetaData md = received.getMetaData();
        if (md.getColumnCount() != COLUMNS) {
            return received;
        }
        Field[] fields = new Field[COLUMNS];
        for (int i = 1; i <= COLUMNS; i++) {
            int type = md.getColumnType(i);
            fields[i - 1] = new Field(md.getColumnLabel(i),
                    type == Types.SMALLINT ? Oid.INT2 : type == Types.INTEGER ? Oid.INT4 : Oid.VARCHAR);
        }
        List<byte[][]> rows = MetadataResults.rows(received, COLUMNS);
        for (Missing m : missing) {
            add(rows, m, physical.getCatalog());
        }
        return MetadataResults.of(physical, fields, rows);
    }

    /** Inserts the old column's row at its recorded place and renumbers the table's rows by the recorded order. */
    private static void add(List<byte[][]> rows, Missing m, String catalog) throws SQLException {
        MigrationSpec spec = m.spec();
        List<String> names = m.columns().names();
        for (byte[][] row : rows) {
            if (compare(text(row[SCHEMA - 1]), text(row[TABLE - 1]), spec) == 0
                    && text(row[COLUMN - 1]).equals(spec.sourceColumn())) {
                return; // still in the catalog (NEW_ONLY): PgJDBC's rows are right
            }
        }
        int at = -1;
        for (int r = 0; r < rows.size(); r++) {
            byte[][] row = rows.get(r);
            int order = compare(text(row[SCHEMA - 1]), text(row[TABLE - 1]), spec);
            if (order == 0) {
                int position = names.indexOf(text(row[COLUMN - 1])) + 1;
                if (position > 0) {
                    row[ORDINAL - 1] = bytes(Integer.toString(position));
                }
                if (at < 0 && position > names.indexOf(spec.sourceColumn()) + 1) {
                    at = r;
                }
            } else if (order > 0 && at < 0) {
                at = r;
            }
        }
        rows.add(at < 0 ? rows.size() : at, row(m, catalog));
    }

    /** Sorts as PgJDBC's {@code ORDER BY nspname, relname}: names compare bytewise (collation C). */
    private static int compare(String schema, String table, MigrationSpec spec) {
        int bySchema = schema.compareTo(spec.sourceSchema());
        return bySchema != 0 ? bySchema : table.compareTo(spec.sourceTable());
    }

    /** The row PgJDBC gives a column of the recorded type (its getColumns, for a column of a base type). */
    private static byte[][] row(Missing m, String catalog) throws SQLException {
        SourceColumns.Column old = m.columns().old();
        ResultSetMetaData type = m.type();
        int sqlType = type.getColumnType(1);
        String typeName = type.getColumnTypeName(1);
        String def = old.defaultSql();
        boolean serial = def != null && def.contains("nextval(");
        if (serial && typeName.equals("int4")) {
            typeName = "serial";
        } else if (serial && typeName.equals("int8")) {
            typeName = "bigserial";
        } else if (serial && typeName.equals("int2")) {
            typeName = "smallserial";
        }
        int size = type.getPrecision(1);
        if (sqlType != Types.NUMERIC && size == 0) {
            size = type.getColumnDisplaySize(1);
        }
        boolean unconstrainedNumber = (sqlType == Types.NUMERIC || sqlType == Types.DECIMAL) && !old.type().contains("(");
        byte[][] row = new byte[COLUMNS][];
        row[0] = catalog == null ? null : bytes(catalog);
        row[1] = bytes(m.spec().sourceSchema());
        row[2] = bytes(m.spec().sourceTable());
        row[3] = bytes(old.name());
        row[4] = bytes(Integer.toString(sqlType));
        row[5] = bytes(typeName);
        row[6] = bytes(Integer.toString(size));
        row[8] = unconstrainedNumber ? null : bytes(Integer.toString(type.getScale(1)));
        row[9] = bytes(typeName.equals("bit") || typeName.equals("varbit") ? "2" : "10");
        row[10] = bytes(old.notNull() ? "0" : "1");
        row[12] = def == null ? null : bytes(def);
        row[15] = CHARACTER_TYPES.contains(sqlType) ? row[6] : null;
        row[16] = bytes(Integer.toString(m.columns().names().indexOf(old.name()) + 1));
        row[17] = bytes(old.notNull() ? "NO" : "YES");
        row[22] = bytes(serial ? "YES" : "NO");
        row[23] = bytes("NO");
        return row;
    }

    /** {@code name} matched by a JDBC pattern (SQL LIKE: {@code %}, {@code _}, {@code \} escapes); null or empty matches all. */
    static boolean matches(String pattern, String name) {
        if (pattern == null || pattern.isEmpty()) {
            return true;
        }
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else if (c == '%') {
                regex.append(".*");
            } else if (c == '_') {
                regex.append('.');
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(name).matches();
    }

}
