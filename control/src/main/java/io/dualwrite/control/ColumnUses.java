package io.dualwrite.control;

import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What in the database, besides the application's SQL, uses the old column. The driver translates the application's
 * statements; SQL stored in the database keeps reading the column, which from NEW_ONLY on is stale and after the
 * contract gone. The phase gates refuse NEW_ONLY while any of it exists, and contract lists and refuses it.
 */
public final class ColumnUses {

    /**
     * @param object   as PostgreSQL describes it ({@code view user_emails}, {@code policy p on table users},
     *                 {@code default value for column lower_email of table users} for a generated column)
     * @param readsIt  whether it reads the column (a view, a rule, a policy, a generated column, a trigger with
     *                 {@code UPDATE OF} or {@code WHEN} on it, a function with a SQL-standard body, another table's
     *                 foreign key referencing it): {@code DROP COLUMN} refuses to drop it without {@code CASCADE} (a
     *                 generated column on 14: drops it too); else it goes with the column (its indexes, statistics, the
     *                 table's own constraints on it, its default)
     */
    public record Dependent(String object, boolean readsIt) {
    }

    /**
     * A view's dependency is its {@code _RETURN} rule's: named as the view, the way PostgreSQL's own errors do. A
     * constraint of the table itself (a CHECK, a foreign key from the column) depends on the column normally, yet
     * {@code DROP COLUMN} drops it without {@code CASCADE}; a foreign key of another table that references the column
     * does not go. A generated column reads it however its dependency is recorded: from 15 on its expression's
     * ({@code default value for column domain of table users}, normal), on 14 the column itself, automatic, so that
     * {@code DROP COLUMN} there takes the generated column with it without a word.
     */
    private static final String DEPENDENTS = """
            SELECT DISTINCT CASE WHEN r.rulename = '_RETURN' THEN pg_describe_object('pg_class'::regclass, r.ev_class, 0)
                                 ELSE pg_describe_object(d.classid, d.objid, d.objsubid) END,
                   d.deptype = 'n' AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE d.classid = 'pg_constraint'::regclass
                                                     AND k.oid = d.objid AND k.conrelid = d.refobjid)
                   OR d.classid = 'pg_class'::regclass AND d.objsubid <> 0
            FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
            WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = to_regclass(?) AND a.attname = ? AND NOT a.attisdropped
              AND d.deptype IN ('n', 'a')
              AND NOT (d.classid = 'pg_trigger'::regclass
                       AND d.objid IN (SELECT t.oid FROM pg_trigger t WHERE t.tgrelid = d.refobjid AND t.tgname IN (?, ?)))
            ORDER BY 1""";

    private ColumnUses() {
    }

    /** What PostgreSQL records as depending on the old column, in the order of its descriptions. */
    public static List<Dependent> dependents(Connection c, MigrationSpec spec) throws SQLException {
        List<Dependent> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(DEPENDENTS)) {
            p.setString(1, spec.qualifiedSource());
            p.setString(2, spec.sourceColumn());
            p.setString(3, OldColumnWriteTrigger.triggerName(spec)); // dualwrite's, dropped by the contract first
            p.setString(4, OldColumnWriteTrigger.insertTriggerName(spec));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new Dependent(rs.getString(1), rs.getBoolean(2)));
                }
            }
        }
        return out;
    }

    /** The objects of {@link #dependents} that read the column. */
    public static List<String> readers(Connection c, MigrationSpec spec) throws SQLException {
        return dependents(c, spec).stream().filter(Dependent::readsIt).map(Dependent::object).toList();
    }

    /**
     * The definitions of the enabled triggers on the source table, other than dualwrite's capture, whose code reads or
     * sets the old column. PostgreSQL records no dependency on what a function's code reads, so this reads the code: in
     * PL/pgSQL a field of the trigger's row ({@code NEW.email}, {@code OLD."email"}), which on this table can only be
     * the old column, or any mention when the trigger has transition tables (their rows carry the column); in another
     * procedural language any mention as a word. C and internal functions are not read.
     */
    public static List<String> triggersUsing(Connection c, MigrationSpec spec) throws SQLException {
        String name = identifier(spec.sourceColumn());
        Pattern word = word(spec.sourceColumn());
        Pattern field = Pattern.compile("(?i:(?<![\\w$.])(?:NEW|OLD))\\s*\\.\\s*" + name + "(?![\\w$\"])");
        List<String> using = new ArrayList<>();
        for (TriggerCode t : triggers(c, spec)) {
            Pattern uses = "plpgsql".equals(t.language()) && !t.transitionTables() ? field : word;
            if (t.enabled() && !t.language().equals("c") && !t.language().equals("internal") && t.code() != null
                    && uses.matcher(t.code()).find()) {
                using.add(t.definition());
            }
        }
        return using;
    }

    /**
     * The source table's triggers, other than dualwrite's, whose function's code names the old column as a word,
     * enabled or not, as PostgreSQL describes them ({@code trigger audit on table users}): a wider net than
     * {@link #triggersUsing}, for review, as the name may be some other table's column.
     */
    public static List<String> triggersNaming(Connection c, MigrationSpec spec) throws SQLException {
        Pattern word = Pattern.compile("(?<![\\w$])\"?" + Pattern.quote(spec.sourceColumn()) + "\"?(?![\\w$])",
                Pattern.CASE_INSENSITIVE);
        List<String> naming = new ArrayList<>();
        for (TriggerCode t : triggers(c, spec)) {
            if (t.code() != null && word.matcher(t.code()).find()) {
                naming.add(t.description());
            }
        }
        return naming;
    }

    /**
     * The functions and procedures of the database, other than dualwrite's, extensions' and the source table's trigger
     * functions ({@link #triggersUsing} reads those), whose code names both the source table and the old column as words,
     * as PostgreSQL describes them ({@code function email_of(bigint)}): a function the application calls that reads the
     * column returns stale values from NEW_ONLY on and fails after the contract, and PostgreSQL records no dependency on
     * what a function's code reads (only on a SQL-standard body, which {@link #readers} sees). Named for review: the words
     * may belong to something else. C and internal functions are not read.
     */
    public static List<String> functionsNaming(Connection c, MigrationSpec spec) throws SQLException {
        Pattern table = word(spec.sourceTable());
        Pattern column = word(spec.sourceColumn());
        List<String> naming = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("""
                SELECT pg_describe_object('pg_proc'::regclass, p.oid, 0), p.prosrc
                FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE l.lanname NOT IN ('c', 'internal')
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema', ?) AND n.nspname NOT LIKE 'pg\\_%'
                  AND strpos(lower(p.prosrc), lower(?)) > 0
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
                  AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgfoid = p.oid AND t.tgrelid = to_regclass(?))
                ORDER BY 1""")) {
            p.setString(1, ControlSchema.SCHEMA);
            p.setString(2, spec.sourceColumn());
            p.setString(3, spec.qualifiedSource());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    String code = rs.getString(2);
                    if (column.matcher(code).find() && table.matcher(code).find()) {
                        naming.add(rs.getString(1));
                    }
                }
            }
        }
        return naming;
    }

    /** An identifier as SQL may write it: quoted exactly, or unquoted in any case when it folds to itself. */
    private static String identifier(String name) {
        return "(?:\"" + Pattern.quote(name.replace("\"", "\"\"")) + "\""
                + (name.equals(name.toLowerCase(Locale.ROOT)) ? "|(?i:" + Pattern.quote(name) + ")" : "") + ")";
    }

    /** The identifier as a word of code. */
    private static Pattern word(String name) {
        return Pattern.compile("(?<![\\w$])" + identifier(name) + "(?![\\w$\"])");
    }

    /** A trigger on the source table and its function's code. */
    private record TriggerCode(String description, String definition, String language, String code, boolean transitionTables,
                               boolean enabled) {
    }

    /** The source table's triggers other than PostgreSQL's internal ones and dualwrite's own, by description. */
    private static List<TriggerCode> triggers(Connection c, MigrationSpec spec) throws SQLException {
        List<TriggerCode> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("""
                SELECT pg_describe_object('pg_trigger'::regclass, t.oid, 0), pg_get_triggerdef(t.oid), l.lanname, p.prosrc,
                       t.tgoldtable IS NOT NULL OR t.tgnewtable IS NOT NULL, t.tgenabled <> 'D'
                FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_language l ON l.oid = p.prolang
                WHERE t.tgrelid = to_regclass(?) AND NOT t.tgisinternal AND t.tgname NOT IN (?, ?, ?, ?, ?, ?)
                ORDER BY 1""")) {
            p.setString(1, spec.qualifiedSource());
            p.setString(2, CaptureTrigger.triggerName(spec));
            p.setString(3, CaptureTrigger.truncateTriggerName(spec));
            p.setString(4, DeletedKeysTrigger.deleteTriggerName(spec));
            p.setString(5, DeletedKeysTrigger.truncateTriggerName(spec));
            p.setString(6, OldColumnWriteTrigger.triggerName(spec));
            p.setString(7, OldColumnWriteTrigger.insertTriggerName(spec));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new TriggerCode(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getBoolean(5), rs.getBoolean(6)));
                }
            }
        }
        return out;
    }
}
