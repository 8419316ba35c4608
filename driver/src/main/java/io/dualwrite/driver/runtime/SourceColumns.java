package io.dualwrite.driver.runtime;

import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns of a migration's source table as the application knows them: in the order
 * {@code SELECT *} and a positional INSERT had on the original schema, and the old column's
 * description. Once the old column is no longer written (NEW_ONLY), dropped (CONTRACTED) or re-added
 * at the end by a rollback, the catalog no longer says either; {@code dualwrite.source_column},
 * recorded while the column still existed, does. Read with the catalog in one round trip.
 *
 * @param names the recorded order, minus columns dropped since (but the old column), plus columns
 *              added since, in catalog order; the catalog's order when nothing was recorded
 * @param old   the old column as recorded, else as in the catalog; null when neither has it
 */
public record SourceColumns(List<String> names, Column old) {

    /**
     * One column's description.
     *
     * @param type       as {@code format_type} spells it, e.g. {@code character varying(320)}
     * @param defaultSql as {@code pg_get_expr} prints it; null for none
     */
    public record Column(String name, String type, boolean notNull, String defaultSql) {
    }

    private static final String QUERY = """
            SELECT 0 AS recorded, position AS n, name, type, not_null, default_sql
              FROM dualwrite.source_column WHERE migration = ?
            UNION ALL
            SELECT 1, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END
              FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY 1, 2""";

    static SourceColumns read(Connection c, MigrationSpec spec) throws SQLException {
        List<Column> recorded = new ArrayList<>();
        Map<String, Column> catalog = new LinkedHashMap<>();
        try (PreparedStatement p = c.prepareStatement(QUERY)) {
            p.setString(1, spec.name());
            p.setString(2, spec.qualifiedSource());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    Column column = new Column(rs.getString(3), rs.getString(4), rs.getBoolean(5), rs.getString(6));
                    if (rs.getInt(1) == 0) {
                        recorded.add(column);
                    } else {
                        catalog.put(column.name(), column);
                    }
                }
            }
        }
        return of(spec.sourceColumn(), recorded, catalog);
    }

    /** The merge of {@link #read}: {@code catalog} in attnum order, keyed by name. */
    static SourceColumns of(String oldColumn, List<Column> recorded, Map<String, Column> catalog) {
        if (recorded.isEmpty()) {
            return new SourceColumns(List.copyOf(catalog.keySet()), catalog.get(oldColumn));
        }
        List<String> names = new ArrayList<>();
        Column old = catalog.get(oldColumn);
        for (Column column : recorded) {
            boolean isOld = column.name().equals(oldColumn);
            if (isOld || catalog.containsKey(column.name())) {
                names.add(column.name());
            }
            old = isOld ? column : old;
        }
        for (String name : catalog.keySet()) {
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return new SourceColumns(List.copyOf(names), old);
    }
}
