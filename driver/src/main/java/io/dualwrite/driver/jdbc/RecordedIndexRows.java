package io.dualwrite.driver.jdbc;

import io.dualwrite.control.ValueIndexes;
import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import org.postgresql.core.Field;
import org.postgresql.core.Oid;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import static io.dualwrite.driver.jdbc.MetadataResults.bytes;
import static io.dualwrite.driver.jdbc.MetadataResults.text;

/**
 * {@code DatabaseMetaData.getIndexInfo} after the contract: the old column's unique indexes went with it, and each lives
 * on as its twin on the new table's primary rows, which {@code dualwrite contract} renamed to the old index's name. The
 * migrated table's rows list them again, from the twin's rows as PgJDBC gives them: on the migrated table, the column
 * read as the old one ({@code address} → {@code email}, also inside an expression), the twin's condition on the primary
 * rows left out of {@code FILTER_CONDITION}. Twins are told apart by that condition ({@code is_primary}, or
 * {@code (is_primary AND (…))}), which {@code ValueIndexes} gives every twin. {@code CARDINALITY} and {@code PAGES} are
 * the twin's statistics (approximate by nature: PostgreSQL's {@code reltuples} and {@code relpages}). Rows of every
 * other index are PgJDBC's, byte for byte, in PgJDBC's order.
 */
final class RecordedIndexRows {

    private static final Pattern BARE_NAME = Pattern.compile("[a-z_][a-z0-9_$]*");

    private RecordedIndexRows() {
    }

    /** Where PgJDBC's getIndexInfo has its columns (0-based; by label: PgJDBC 42.7 added REMARKS at the end). */
    private record Layout(int schema, int table, int nonUnique, int indexName, int type, int ordinal, int columnName,
                          int filter, int width) {

        static Layout of(ResultSetMetaData md) throws SQLException {
            List<String> labels = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                labels.add(md.getColumnLabel(i).toUpperCase(Locale.ROOT));
            }
            Layout l = new Layout(labels.indexOf("TABLE_SCHEM"), labels.indexOf("TABLE_NAME"), labels.indexOf("NON_UNIQUE"),
                    labels.indexOf("INDEX_NAME"), labels.indexOf("TYPE"), labels.indexOf("ORDINAL_POSITION"),
                    labels.indexOf("COLUMN_NAME"), labels.indexOf("FILTER_CONDITION"), labels.size());
            return Math.min(Math.min(Math.min(l.schema, l.table), Math.min(l.nonUnique, l.indexName)),
                    Math.min(Math.min(l.type, l.ordinal), Math.min(l.columnName, l.filter))) < 0 ? null : l;
        }

        /** PgJDBC's {@code ORDER BY NON_UNIQUE, TYPE, INDEX_NAME, ORDINAL_POSITION}: names bytewise (collation C). */
        Comparator<byte[][]> order() {
            return Comparator.<byte[][], String>comparing(r -> text(r[nonUnique])).thenComparingInt(r -> number(r[type]))
                    .thenComparing(r -> text(r[indexName])).thenComparingInt(r -> number(r[ordinal]));
        }
    }

    /** A contracted migration and the rows PgJDBC gives for its target's unique indexes (which it closes). */
    record Twins(MigrationSpec spec, ResultSet targetRows) {
    }

    /** {@code received} (PgJDBC's getIndexInfo of the migrated table, which it closes) with each twin's rows added. */
    static ResultSet of(ResultSet received, List<Twins> twins, Connection physical) throws SQLException {
        ResultSetMetaData md = received.getMetaData();
        Layout at = Layout.of(md);
        if (at == null) {
            for (Twins t : twins) {
                t.targetRows().close();
            }
            return received;
        }
        List<byte[][]> added = new ArrayList<>();
        for (Twins t : twins) {
            MigrationSpec spec = t.spec();
            String flag = spec.primaryFlagColumn();
            for (byte[][] row : MetadataResults.rows(t.targetRows(), at.width())) {
                String filter = row[at.filter()] == null ? null : text(row[at.filter()]);
                boolean twin = (flag.equals(filter) || filter != null && filter.startsWith("(" + flag + " AND ("))
                        && ValueIndexes.normalizedTokens(text(row[at.columnName()])).contains(spec.targetValueColumn());
                if (!twin) {
                    continue; // another index of the target: the primary rows' key, the application's own
                }
                row[at.schema()] = bytes(spec.sourceSchema());
                row[at.table()] = bytes(spec.sourceTable());
                row[at.columnName()] = bytes(asOld(text(row[at.columnName()]), spec));
                row[at.filter()] = flag.equals(filter) ? null
                        : bytes(asOld(filter.substring(flag.length() + 6, filter.length() - 1), spec));
                added.add(row);
            }
        }
        if (added.isEmpty()) {
            return received; // PgJDBC's own, untouched
        }
        Field[] fields = new Field[at.width()];
        for (int i = 1; i <= at.width(); i++) {
            fields[i - 1] = new Field(md.getColumnLabel(i), oid(md.getColumnTypeName(i)));
        }
        List<byte[][]> rows = MetadataResults.rows(received, at.width());
        rows.addAll(added);
        rows.sort(at.order());
        return MetadataResults.of(physical, fields, rows);
    }

    /** {@code sql} (a column or an expression of the twin) reading the old column where it reads the value column. */
    private static String asOld(String sql, MigrationSpec spec) {
        String column = spec.sourceColumn();
        return ValueIndexes.substitute(sql, spec.targetValueColumn(),
                BARE_NAME.matcher(column).matches() ? column : Identifiers.quote(column));
    }

    /** The type's OID, by PgJDBC's name for it ({@code bool}, {@code int2}, {@code name} …); text where it has none. */
    private static int oid(String typeName) {
        try {
            return Oid.valueOf(typeName.toUpperCase(Locale.ROOT));
        } catch (SQLException | RuntimeException e) {
            return Oid.VARCHAR;
        }
    }

    private static int number(byte[] b) {
        return b == null ? 0 : Integer.parseInt(text(b));
    }

}
