package io.dualwrite.driver.runtime;

import io.dualwrite.control.Queries;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.RelationName;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * A migration's source table's partitions, at every level, and inheritance children
 * ({@link io.dualwrite.rewriter.SourceTable#descendants}). Read at every refresh of the migration state: a partition
 * attached since (next month's) is known within one poll. One walk of {@code pg_inherits}' index on the parent.
 */
final class SourceDescendants {

    private static final String QUERY = """
            WITH RECURSIVE d(oid) AS (SELECT inhrelid FROM pg_inherits WHERE inhparent = to_regclass(?)
                                      UNION SELECT i.inhrelid FROM pg_inherits i JOIN d ON i.inhparent = d.oid)
            SELECT n.nspname, c.relname FROM d JOIN pg_class c ON c.oid = d.oid JOIN pg_namespace n ON n.oid = c.relnamespace""";

    private SourceDescendants() {
    }

    static Set<RelationName> of(Connection c, MigrationSpec spec) throws SQLException {
        return Set.copyOf(Queries.rows(c, QUERY, rs -> new RelationName(rs.getString(1), rs.getString(2)),
                spec.qualifiedSource()));
    }
}
