package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The one-statement dual write: the application's write becomes a data-modifying CTE whose
 * RETURNING rows feed the sync view. Inserting into the view counts one per row, so the outer
 * statement reports the application's own update count.
 *
 * <p>With RETURNING (the application's own list, or the generated-keys list the driver asks
 * for), the sync insert moves into a second CTE and the outer query returns the write's rows:
 * the application's items verbatim, then the two hidden columns {@value #HIDDEN_KEY}, {@value #HIDDEN_VALUE}.
 */
public final class DualWriteForm {

    /** Trailing columns of a RETURNING form that the driver hides. */
    public static final int HIDDEN_COLUMNS = 2;

    /**
     * Labels of the hidden columns, key first: the driver recognises a result set of a RETURNING
     * form by the label of its first hidden column, so both sides use these constants.
     */
    public static final String HIDDEN_KEY = "dw$k";
    public static final String HIDDEN_VALUE = "dw$v";
    private static final String AS_KEY = " AS \"" + HIDDEN_KEY + "\"";
    private static final String AS_VALUE = " AS \"" + HIDDEN_VALUE + "\"";
    /** The CTE of the application's write. */
    private static final String WRITE = "\"dw$w\"";

    /**
     * One write to rewrite.
     *
     * @param withPrefix the application's own {@code WITH [RECURSIVE] a AS (…), …} up to the end of
     *                   its last CTE, or null
     * @param app        the application's write (without its WITH clause and trailing ;)
     * @param qualifier  how RETURNING names the target row; null for an INSERT without alias
     * @param delete     DELETE (the row loses its target row) rather than INSERT/UPDATE
     * @param appReturns {@code app} ends with its own RETURNING list
     * @param merge      {@code app} is a MERGE (PostgreSQL 17 and later): a row it deleted gives the sync a NULL value
     *                   ({@code merge_action()}), which removes the primary row as a DELETE's sync does
     */
    public record Form(MigrationSpec spec, String withPrefix, String app, String qualifier, boolean delete,
                       boolean appReturns, boolean merge) {

        public Form(MigrationSpec spec, String withPrefix, String app, String qualifier, boolean delete,
                    boolean appReturns) {
            this(spec, withPrefix, app, qualifier, delete, appReturns, false);
        }

        /** The update-count form (no RETURNING of the application's). */
        public String plain() {
            if (appReturns) {
                throw new IllegalStateException("the application's write has RETURNING");
            }
            String q = q();
            String ret = delete
                    ? " RETURNING " + q + key(spec) + AS_KEY
                    : " RETURNING " + q + key(spec) + AS_KEY + ", " + value() + AS_VALUE;
            return head() + app + ret + ") " + syncInsert(spec, List.of(WRITE), delete);
        }

        /**
         * {@link #plain} for an INSERT or UPDATE whose values are all non-NULL ({@code Rewrite.IfNotNull}): the sync
         * view trigger's upsert for a value, in the statement.
         */
        public String plainUpsert() {
            if (appReturns || delete) {
                throw new IllegalStateException("an upsert form is for an INSERT or UPDATE without RETURNING");
            }
            String q = q();
            return head() + app + " RETURNING " + q + key(spec) + AS_KEY + ", " + q + column(spec) + AS_VALUE + ") "
                    + upsertTarget(spec, List.of(WRITE));
        }

        /**
         * The result-set form. {@code list} null: the application's own RETURNING list, kept
         * verbatim; else the list to return (the write must have none of its own).
         */
        public String returning(String list) {
            String q = q();
            String hidden = hidden(q + key(spec), delete ? "NULL" : value());
            String write = list == null ? app + ", " + hidden : app + " RETURNING " + list + ", " + hidden;
            return head() + write + "), \"dw$s\" AS (" + syncInsert(spec, List.of(WRITE), delete) + ") SELECT * FROM " + WRITE;
        }

        private String q() {
            return qualifier == null ? "" : qualifier + ".";
        }

        private String value() {
            return merge ? "CASE WHEN merge_action() = 'DELETE' THEN NULL ELSE " + q() + column(spec) + " END"
                    : q() + column(spec);
        }

        private String head() {
            return (withPrefix == null ? "WITH " : withPrefix + ", ") + WRITE + " AS (";
        }
    }

    private DualWriteForm() {
    }

    /**
     * The sync insert's WHERE clause: a constant condition, so PostgreSQL evaluates it once per statement (a
     * one-time filter) and, only where row-level security applies to the session, calls the control schema's
     * guard, which refuses the statement unless the table's policies make the rewrite exact (control module,
     * {@code ControlTables.RLS_GUARD}). Without row-level security it costs one catalog lookup.
     *
     * <p>Before that, a session whose {@code session_replication_role} is {@code replica} is refused (control module,
     * {@code ControlTables.REPLICA_GUARD}): PostgreSQL then fires no trigger left at its default, the sync views' INSTEAD
     * OF triggers among them, and a view's trigger cannot be made to fire ALWAYS; the view would count the rows and
     * apply none, the target silently left behind. The direct upsert shares the guard: one rule for every write that syncs.
     */
    public static String rlsGuard(MigrationSpec spec) {
        return " WHERE " + rlsCondition(spec);
    }

    /** {@link #rlsGuard}'s condition alone. */
    static String rlsCondition(MigrationSpec spec) {
        String table = Identifiers.literal(spec.qualifiedSource()) + "::pg_catalog.regclass";
        String control = Identifiers.quote(MigrationSpec.CONTROL_SCHEMA);
        return "(pg_catalog.current_setting('session_replication_role') <> 'replica' OR " + control
                + ".refuse_replica_role(" + table + ")) AND (NOT pg_catalog.row_security_active(" + table + ") OR "
                + control + ".refuse_asymmetric_rls(" + table + "))";
    }

    private static String key(MigrationSpec spec) {
        return Identifiers.quote(spec.keyColumn());
    }

    private static String column(MigrationSpec spec) {
        return Identifiers.quote(spec.sourceColumn());
    }

    /**
     * The upsert of the named writes' (CTEs') hidden key and non-NULL value into the target's primary rows, behind the
     * row-level security guard: the statement the sync views' triggers run for a value, so one count per row too.
     */
    static String upsertTarget(MigrationSpec spec, List<String> writes) {
        String fk = Identifiers.quote(spec.targetKeyColumn());
        String value = Identifiers.quote(spec.targetValueColumn());
        String flag = Identifiers.quote(spec.primaryFlagColumn());
        StringBuilder b = new StringBuilder("INSERT INTO ").append(spec.qualifiedTarget()).append(" (").append(fk)
                .append(", ").append(value).append(", ").append(flag).append(") ");
        unionAll(b, writes.size(), i -> "SELECT \"" + HIDDEN_KEY + "\", \"" + HIDDEN_VALUE + "\", true FROM " + writes.get(i)
                + rlsGuard(spec));
        return b.append(" ON CONFLICT (").append(fk).append(") WHERE ").append(flag).append(" DO UPDATE SET ")
                .append(value).append(" = EXCLUDED.").append(value).toString();
    }

    /** {@code key AS "dw$k", value AS "dw$v"}: the two columns a write's RETURNING gives the sync. */
    static String hidden(String key, String value) {
        return key + AS_KEY + ", " + value + AS_VALUE;
    }

    /** {@code INSERT INTO} the migration's sync view, its columns named. */
    static String intoSyncView(MigrationSpec spec) {
        return intoSyncView(spec.qualifiedSyncView());
    }

    /** {@code INSERT INTO} a sync view ({@code qualifiedView}: the dual write's or the translated phases'), its columns named. */
    static String intoSyncView(String qualifiedView) {
        return "INSERT INTO " + qualifiedView + " (k, v, deleted)";
    }

    /**
     * The sync insert of the hidden columns of the named writes (CTEs), in their order, each behind the
     * row-level security guard: one count per row, so the statement's update count is the application's.
     */
    static String syncInsert(MigrationSpec spec, List<String> writes, boolean delete) {
        return syncInsert(spec, spec.qualifiedSyncView(), writes, delete);
    }

    /** {@link #syncInsert(MigrationSpec, List, boolean)} into the sync view {@code qualifiedView}. */
    static String syncInsert(MigrationSpec spec, String qualifiedView, List<String> writes, boolean delete) {
        StringBuilder b = new StringBuilder(intoSyncView(qualifiedView)).append(' ');
        unionAll(b, writes.size(), i -> "SELECT \"" + HIDDEN_KEY + "\", " + (delete ? "NULL, true" : "\"" + HIDDEN_VALUE
                + "\", false") + " FROM " + writes.get(i) + rlsGuard(spec));
        return b.toString();
    }

    /** Leaves a chain of UNION ALL holds: far below the depth at which PostgreSQL's analysis runs out of stack (54001). */
    private static final int CHAIN = 512;

    /**
     * The {@code n} SELECTs {@code select} gives (one per write: a translated multi-row VALUES has one per row) joined by
     * UNION ALL: a chain of up to {@link #CHAIN}, longer ones as parenthesized chains in a balanced tree, since PostgreSQL
     * analyses a set operation recursively and a chain of some thousands exceeds its stack where the original
     * statement did not.
     */
    static void unionAll(StringBuilder b, int n, IntFunction<String> select) {
        unionAll(b, 0, n, select);
    }

    private static void unionAll(StringBuilder b, int from, int to, IntFunction<String> select) {
        if (to - from <= CHAIN) {
            for (int i = from; i < to; i++) {
                b.append(i == from ? "" : " UNION ALL ").append(select.apply(i));
            }
            return;
        }
        int middle = from + (to - from) / 2;
        b.append('(');
        unionAll(b, from, middle, select);
        b.append(") UNION ALL (");
        unionAll(b, middle, to, select);
        b.append(')');
    }
}
