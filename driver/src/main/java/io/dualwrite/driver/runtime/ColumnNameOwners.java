package io.dualwrite.driver.runtime;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.RelationName;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * The relations other than a migration's source table that have a column named like the migrated one
 * ({@link io.dualwrite.rewriter.SourceTable#relationsWithColumn}). With them the rewriter resolves an unqualified
 * {@code email} in a query that joins {@code users} with other tables as PostgreSQL does: {@code users.email} when no
 * other relation in FROM has such a column. Read on every refresh, so a table created or altered since is seen within
 * a poll interval; one scan of {@code pg_class} with an index probe of {@code pg_attribute} per relation.
 */
final class ColumnNameOwners {

    private static final String QUERY = """
            SELECT n.nspname, c.relname
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.oid IS DISTINCT FROM to_regclass(?)
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = ? AND a.attnum > 0
                          AND NOT a.attisdropped)""";

    private ColumnNameOwners() {
    }

    static Set<RelationName> read(Connection c, MigrationSpec spec) throws SQLException {
        Set<RelationName> out = new HashSet<>();
        try (PreparedStatement p = c.prepareStatement(QUERY)) {
            p.setString(1, spec.qualifiedSource());
            p.setString(2, spec.sourceColumn());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new RelationName(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return out;
    }
}
