package io.dualwrite.control;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.RelationName;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;

/**
 * The relations through which a statement reaches a migration's source rows without naming the source: its
 * partitions, at every level, and inheritance children ({@link io.dualwrite.rewriter.SourceTable#descendants}), and the
 * relations with a rule that reads or writes the old column: views over it, views over those, tables with a rule such
 * as {@code ON INSERT TO log DO ALSO UPDATE users SET email …} ({@link io.dualwrite.rewriter.SourceTable#columnRules}).
 * The driver reads them at every refresh of the migration state, so a partition attached since (next month's) is known
 * within one poll: each is a walk of an index ({@code pg_inherits} by parent, {@code pg_depend} by referenced object);
 * {@code dualwrite plan} names them, as the writes the driver will refuse.
 */
public final class SourceRelatives {

    private static final String DESCENDANTS = """
            WITH RECURSIVE d(oid) AS (SELECT inhrelid FROM pg_inherits WHERE inhparent = to_regclass(?)
                                      UNION SELECT i.inhrelid FROM pg_inherits i JOIN d ON i.inhparent = d.oid)
            SELECT n.nspname, c.relname FROM d JOIN pg_class c ON c.oid = d.oid JOIN pg_namespace n ON n.oid = c.relnamespace""";

    /**
     * A rule depends on the columns it reads and assigns; a view's dependency is its {@code _RETURN} rule's, and a view
     * over such a relation depends on that relation. The source's own rules are the rewrites' concern.
     */
    private static final String COLUMN_RULES = """
            WITH RECURSIVE v(oid) AS (
                SELECT r.ev_class FROM pg_depend d
                JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                JOIN pg_rewrite r ON r.oid = d.objid
                WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
                  AND d.refobjid = to_regclass(?) AND a.attname = ? AND r.ev_class <> d.refobjid
                UNION
                SELECT r.ev_class FROM v JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = v.oid
                JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class c ON c.oid = r.ev_class
                WHERE d.classid = 'pg_rewrite'::regclass AND c.relkind = 'v' AND r.ev_class <> v.oid)
            SELECT n.nspname, c.relname FROM v JOIN pg_class c ON c.oid = v.oid JOIN pg_namespace n ON n.oid = c.relnamespace""";

    private SourceRelatives() {
    }

    public static Set<RelationName> descendants(Connection c, MigrationSpec spec) throws SQLException {
        return descendants(c, spec.qualifiedSource());
    }

    /** @param source the source table, quoted and qualified */
    public static Set<RelationName> descendants(Connection c, String source) throws SQLException {
        return Set.copyOf(Queries.rows(c, DESCENDANTS, SourceRelatives::relation, source));
    }

    public static Set<RelationName> columnRules(Connection c, MigrationSpec spec) throws SQLException {
        return columnRules(c, spec.qualifiedSource(), spec.sourceColumn());
    }

    /** @param source the source table, quoted and qualified; {@code column} as stored */
    public static Set<RelationName> columnRules(Connection c, String source, String column) throws SQLException {
        return Set.copyOf(Queries.rows(c, COLUMN_RULES, SourceRelatives::relation, source, column));
    }

    private static RelationName relation(ResultSet rs) throws SQLException {
        return new RelationName(rs.getString(1), rs.getString(2));
    }
}
