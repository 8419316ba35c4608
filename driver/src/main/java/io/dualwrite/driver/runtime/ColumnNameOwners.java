package io.dualwrite.driver.runtime;

import io.dualwrite.control.Queries;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.RelationName;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The relations other than a migration's source table that have a column named like the migrated one
 * ({@link io.dualwrite.rewriter.SourceTable#relationsWithColumn}). With them the rewriter resolves an unqualified
 * {@code email} in a query that joins {@code users} with other tables as PostgreSQL does: {@code users.email} when no
 * other relation in FROM has such a column. The catalog is read again when the last read is older than
 * {@link #MAX_AGE_MILLIS}: the query walks {@code pg_attribute}'s index by column name, ~18 ms with 5,000 tables
 * (PostgreSQL 17, this machine), too much for every poll of the control schema. A column added to a joined table in
 * between makes the original statement ambiguous (42702) while the driver still reads the new table for it. Each read
 * also lists every relation by name ({@link CatalogRelations}), so that a relation created since counts as unknown.
 */
public final class ColumnNameOwners {

    /** How long a read of the catalog serves the refreshes of the control schema. */
    static final long MAX_AGE_MILLIS = 5_000;

    /**
     * Temporary relations only of the asking session (the reads here ask from the follower's session, which has none):
     * another session's are invisible to the application's, and would change the rewriter, and empty its plan cache,
     * whenever a session creates or drops one. A session's own are asked about by that session ({@code PlanAssumptions}).
     */
    private static final String OWN_TEMPORARY = "(n.nspname NOT LIKE 'pg\\_temp\\_%' OR n.oid = pg_my_temp_schema())";

    private static final String QUERY = """
            SELECT n.nspname, c.relname
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.oid IS DISTINCT FROM to_regclass(?)
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND """ + OWN_TEMPORARY + """
              AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = ? AND a.attnum > 0
                          AND NOT a.attisdropped)""";

    private static final String EVERY_RELATION = """
            SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND """ + OWN_TEMPORARY;

    private final Map<MigrationSpec, Set<RelationName>> lastRead = new HashMap<>();
    private long readAtNanos;
    private volatile CatalogRelations relations = CatalogRelations.NONE;

    /** The relations for {@code spec}, read through {@code c} unless a read younger than {@link #MAX_AGE_MILLIS} has them. */
    Set<RelationName> of(Connection c, MigrationSpec spec) throws SQLException {
        long now = System.nanoTime();
        if (now - readAtNanos > TimeUnit.MILLISECONDS.toNanos(MAX_AGE_MILLIS) || relations.read() == 0) {
            lastRead.clear();
            readAtNanos = now;
            // before the column's owners: a relation created in between is then unknown, never known without its column
            relations = new CatalogRelations(Set.copyOf(Queries.rows(c, EVERY_RELATION,
                    rs -> new RelationName(rs.getString(1), rs.getString(2)))), relations.read() + 1);
        }
        Set<RelationName> known = lastRead.get(spec);
        if (known == null) {
            known = read(c, spec);
            lastRead.put(spec, known);
        }
        return known;
    }

    /** What the last read found of every relation. */
    CatalogRelations relations() {
        return relations;
    }

    private static Set<RelationName> read(Connection c, MigrationSpec spec) throws SQLException {
        return Set.copyOf(Queries.rows(c, QUERY, rs -> new RelationName(rs.getString(1), rs.getString(2)),
                spec.qualifiedSource(), spec.sourceColumn()));
    }

    /**
     * The relations named one of {@code names} (in any schema) that have a column named like {@code spec}'s, as the
     * session of {@code c} sees them now.
     */
    public static Set<RelationName> named(Connection c, MigrationSpec spec, String[] names) throws SQLException {
        Set<RelationName> out = new HashSet<>();
        try (PreparedStatement p = c.prepareStatement(QUERY + " AND c.relname = ANY (?)")) {
            p.setString(1, spec.qualifiedSource());
            p.setString(2, spec.sourceColumn());
            p.setArray(3, c.createArrayOf("text", names));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new RelationName(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return out;
    }
}
