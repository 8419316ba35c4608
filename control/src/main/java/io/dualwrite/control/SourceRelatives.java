package io.dualwrite.control;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.RelationName;
import io.dualwrite.rewriter.SourceView;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The relations through which a statement reaches a migration's source rows without naming the source: its
 * partitions, at every level, and inheritance children, and the tables it is a partition or child of
 * ({@link io.dualwrite.rewriter.SourceTable#descendants}), and the relations with a rule that reads or writes the old
 * column: views over it, views over those, tables with a rule such as {@code ON INSERT TO log DO ALSO UPDATE users SET
 * email …} or one that inserts or deletes its rows ({@link io.dualwrite.rewriter.SourceTable#columnRules}),
 * and the other views over it, with the columns that are its key ({@link io.dualwrite.rewriter.SourceTable#views}).
 * The driver reads them at every refresh of the migration state, so a partition attached since (next month's) is known
 * within one poll: each is a walk of an index ({@code pg_inherits} by parent, {@code pg_depend} by referenced object);
 * {@code dualwrite plan} names them, as the writes the driver will refuse.
 */
public final class SourceRelatives {

    /** Its descendants, and its ancestors: a scan or write of a parent (without ONLY) reaches the source's rows too. */
    private static final String DESCENDANTS = """
            WITH RECURSIVE d(oid) AS (SELECT inhrelid FROM pg_inherits WHERE inhparent = to_regclass(?)
                                      UNION SELECT i.inhrelid FROM pg_inherits i JOIN d ON i.inhparent = d.oid),
                           a(oid) AS (SELECT inhparent FROM pg_inherits WHERE inhrelid = to_regclass(?)
                                      UNION SELECT i.inhparent FROM pg_inherits i JOIN a ON i.inhrelid = a.oid)
            SELECT n.nspname, c.relname FROM (TABLE d UNION TABLE a) r JOIN pg_class c ON c.oid = r.oid
            JOIN pg_namespace n ON n.oid = c.relnamespace""";

    /**
     * A rule depends on the columns it reads and assigns, and on the relations it names; a view's dependency is its
     * {@code _RETURN} rule's, and a view over such a relation depends on that relation. A rule of another relation that
     * names the source and has an INSERT or DELETE among its actions counts too, whatever the columns: it may delete the
     * source's rows or insert rows the column's default fills ({@code ON INSERT TO orders DO ALSO DELETE FROM users …};
     * the actions are read from the stored query trees, {@code :commandType} 3 and 4). The source's own rules are the
     * rewrites' concern.
     */
    private static final String COLUMN_RULES = """
            WITH RECURSIVE v(oid) AS (
                SELECT r.ev_class FROM pg_depend d
                LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                JOIN pg_rewrite r ON r.oid = d.objid
                WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
                  AND d.refobjid = to_regclass(?) AND r.ev_class <> d.refobjid
                  AND (a.attname = ? OR r.rulename <> '_RETURN' AND r.ev_action::text ~ ':commandType [34] ')
                UNION
                SELECT r.ev_class FROM v JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = v.oid
                JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class c ON c.oid = r.ev_class
                WHERE d.classid = 'pg_rewrite'::regclass AND c.relkind = 'v' AND r.ev_class <> v.oid)
            SELECT n.nspname, c.relname FROM v JOIN pg_class c ON c.oid = v.oid JOIN pg_namespace n ON n.oid = c.relnamespace""";

    /** For {@code WITH RECURSIVE}: {@code t(oid)}, the source (the parameter) and its descendants at every level. */
    static final String SOURCE_AND_DESCENDANTS = """
            t(oid) AS (SELECT to_regclass(?)::oid
                       UNION SELECT i.inhrelid FROM pg_inherits i JOIN t ON i.inhparent = t.oid)""";

    /** The source and its descendants, and the attribute numbers of their key and migrated column. */
    private static final String KEY_AND_COLUMN_NUMBERS = "WITH RECURSIVE " + SOURCE_AND_DESCENDANTS + """

            SELECT t.oid::bigint, (SELECT attnum FROM pg_attribute WHERE attrelid = t.oid AND attname = ?),
                   (SELECT attnum FROM pg_attribute WHERE attrelid = t.oid AND attname = ?)
            FROM t WHERE t.oid IS NOT NULL""";

    /**
     * The views over the source or a descendant, and over those: each with its stored query, whether it has INSTEAD OF
     * triggers or rules of its own, and its column names in order.
     */
    private static final String VIEWS = "WITH RECURSIVE " + SOURCE_AND_DESCENDANTS + """
            ,
            v(oid) AS (
                SELECT r.ev_class FROM t JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = t.oid
                JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class c ON c.oid = r.ev_class
                WHERE d.classid = 'pg_rewrite'::regclass AND c.relkind = 'v'
                UNION
                SELECT r.ev_class FROM v JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = v.oid
                JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class c ON c.oid = r.ev_class
                WHERE d.classid = 'pg_rewrite'::regclass AND c.relkind = 'v' AND r.ev_class <> v.oid)
            SELECT n.nspname, c.relname, c.oid::bigint,
                   (SELECT r.ev_action::text FROM pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename = '_RETURN'),
                   EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgtype & 64 <> 0)
                       OR EXISTS (SELECT 1 FROM pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN'),
                   array(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
                         ORDER BY a.attnum),
                   array(SELECT DISTINCT d.refobjid::bigint FROM pg_rewrite r JOIN pg_depend d ON d.objid = r.oid
                         WHERE r.ev_class = c.oid AND d.classid = 'pg_rewrite'::regclass
                           AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> c.oid)
            FROM v JOIN pg_class c ON c.oid = v.oid JOIN pg_namespace n ON n.oid = c.relnamespace""";

    private SourceRelatives() {
    }

    public static Set<RelationName> descendants(Connection c, MigrationSpec spec) throws SQLException {
        return descendants(c, spec.qualifiedSource());
    }

    /** @param source the source table, quoted and qualified */
    public static Set<RelationName> descendants(Connection c, String source) throws SQLException {
        return Set.copyOf(Queries.rows(c, DESCENDANTS, SourceRelatives::relation, source, source));
    }

    public static Set<RelationName> columnRules(Connection c, MigrationSpec spec) throws SQLException {
        return columnRules(c, spec.qualifiedSource(), spec.sourceColumn());
    }

    /** @param source the source table, quoted and qualified; {@code column} as stored */
    public static Set<RelationName> columnRules(Connection c, String source, String column) throws SQLException {
        return Set.copyOf(Queries.rows(c, COLUMN_RULES, SourceRelatives::relation, source, column));
    }

    /**
     * The views over the source, or over a descendant, or over such views, that do not read the migrated column and are
     * not among {@link #columnRules}, each with the columns that are the key ({@link SourceView}). A view that shows the
     * column (of a descendant: {@link #columnRules} knows the source's only) counts as one whose writes may write
     * anything.
     */
    public static Set<SourceView> views(Connection c, MigrationSpec spec, Set<RelationName> columnRules)
            throws SQLException {
        return views(c, spec.qualifiedSource(), spec.keyColumn(), spec.sourceColumn(), columnRules);
    }

    /**
     * @param source      the source table, quoted and qualified; {@code key} and {@code column} as stored
     * @param columnRules what {@link #columnRules} answered: those views are not repeated here
     */
    public static Set<SourceView> views(Connection c, String source, String key, String column,
                                        Set<RelationName> columnRules) throws SQLException {
        Map<Long, Set<Integer>> keys = new HashMap<>();
        Map<Long, Set<Integer>> values = new HashMap<>();
        for (long[] t : Queries.rows(c, KEY_AND_COLUMN_NUMBERS, rs -> new long[] {rs.getLong(1), rs.getInt(2), rs.getInt(3)},
                source, key, column)) {
            keys.computeIfAbsent(t[0], k -> new HashSet<>()).add((int) t[1]);
            values.computeIfAbsent(t[0], k -> new HashSet<>()).add((int) t[2]);
        }
        record View(RelationName name, long oid, List<ViewColumnOrigins.Origin> origins, boolean writesOwnWay,
                    List<String> columns, Set<Long> over) {
        }
        List<View> found = Queries.rows(c, VIEWS, rs -> new View(relation(rs), rs.getLong(3),
                ViewColumnOrigins.of(rs.getString(4)), rs.getBoolean(5), List.of((String[]) rs.getArray(6).getArray()),
                Set.of((Long[]) rs.getArray(7).getArray())), source);
        // a write through a view over one with INSTEAD OF triggers or rules runs them too
        Set<Long> ownWay = new HashSet<>();
        // a view over a view learns its columns once that one's are known: until nothing changes (views do not cycle)
        for (boolean changed = true; changed; ) {
            changed = false;
            for (View v : found) {
                for (ViewColumnOrigins.Origin o : v.origins() == null ? List.<ViewColumnOrigins.Origin>of() : v.origins()) {
                    changed |= follows(keys, v.oid(), o) | follows(values, v.oid(), o);
                }
                if ((v.writesOwnWay() || v.over().stream().anyMatch(ownWay::contains)) && ownWay.add(v.oid())) {
                    changed = true;
                }
            }
        }
        Set<SourceView> views = new HashSet<>();
        for (View v : found) {
            if (columnRules.contains(v.name())) {
                continue;
            }
            boolean opaque = ownWay.contains(v.oid()) || v.origins() == null || values.containsKey(v.oid());
            Set<String> keyColumns = new HashSet<>();
            for (int attnum : keys.getOrDefault(v.oid(), Set.of())) {
                keyColumns.add(v.columns().get(attnum - 1));
            }
            views.add(new SourceView(v.name(), opaque ? null : keyColumns));
        }
        return Set.copyOf(views);
    }

    /** Adds {@code o}'s column to {@code view}'s in {@code columns} when its origin is one of them; whether it was new. */
    private static boolean follows(Map<Long, Set<Integer>> columns, long view, ViewColumnOrigins.Origin o) {
        Set<Integer> of = columns.get(o.relation());
        return of != null && of.contains(o.relationColumn())
                && columns.computeIfAbsent(view, k -> new HashSet<>()).add(o.column());
    }

    private static RelationName relation(ResultSet rs) throws SQLException {
        return new RelationName(rs.getString(1), rs.getString(2));
    }
}
