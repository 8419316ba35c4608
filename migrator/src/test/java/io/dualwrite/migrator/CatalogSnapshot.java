package io.dualwrite.migrator;

import io.dualwrite.testing.TestDatabase;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What a refused command must leave as it was, as lines to compare: every schema, relation (with its kind),
 * column, function and trigger outside PostgreSQL's own schemas, and the contents of every control table and
 * sequence in {@code dualwrite}.
 */
public final class CatalogSnapshot {

    private static final String USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
            + " AND n.nspname NOT LIKE 'pg_temp%'";

    private CatalogSnapshot() {
    }

    public static List<String> of(TestDatabase db) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            lines(s, out, "SELECT 'schema ' || n.nspname FROM pg_namespace n WHERE " + USER_SCHEMAS + " ORDER BY 1");
            lines(s, out, "SELECT 'relation ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text FROM pg_class c"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " + USER_SCHEMAS + " ORDER BY 1");
            lines(s, out, "SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname || ' '"
                    + " || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END"
                    + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE a.attnum > 0 AND NOT a.attisdropped AND " + USER_SCHEMAS + " ORDER BY 1");
            lines(s, out, "SELECT 'function ' || p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                    + " WHERE " + USER_SCHEMAS + " ORDER BY 1");
            lines(s, out, "SELECT 'trigger ' || t.tgrelid::regclass || ' ' || t.tgname FROM pg_trigger t WHERE NOT t.tgisinternal ORDER BY 1");
            List<String> tables = new ArrayList<>();
            lines(s, tables, "SELECT 'dualwrite.' || quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = 'dualwrite' AND c.relkind = 'r' ORDER BY 1");
            for (String table : tables) {
                lines(s, out, "SELECT 'rows " + table + " ' || count(*) || ' ' || coalesce(md5(string_agg(t::text, ','"
                        + " ORDER BY t::text)), '') FROM " + table + " t");
            }
            lines(s, out, "SELECT 'sequence ' || c.oid::regclass || ' ' || coalesce(pg_sequence_last_value(c.oid)::text, 'unused')"
                    + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND " + USER_SCHEMAS
                    + " ORDER BY 1");
        }
        return out;
    }

    private static void lines(Statement s, List<String> out, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
    }
}
