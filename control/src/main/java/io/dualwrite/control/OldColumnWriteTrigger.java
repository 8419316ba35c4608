package io.dualwrite.control;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * In NEW_ONLY, row triggers on the source that carry a write of the old column to the target: the driver's translated
 * writes never assign the old column, so a value in it comes from where the driver does not see it (a function or
 * procedure the application calls, another table's trigger, a session on the plain URL), and it is the one to keep.
 * Without them such a write changed a column nothing reads any more: lost, without an error.
 *
 * <p>{@code AFTER UPDATE OF <column> … WHEN (OLD.<column> IS DISTINCT FROM NEW.<column>)}: the driver's writes never
 * call it (none names the column in its SET list); a key changed in the same statement moves the value. And, while the
 * column has no default and the table is not partitioned, {@code AFTER INSERT … WHEN (NEW.<column> IS NOT NULL)}: a
 * translated INSERT leaves the column to its default, so with a default the two could not be told apart (one set since
 * is checked for at each call), and a row that an UPDATE moves to another partition is inserted there with its stale
 * old value. Without it an INSERT outside the driver that gives the column a value is not followed. They write through the translated sync
 * view ({@link TranslatedSync}), whose exactness rests on the source row's lock, which the write holds. They act in
 * NEW_ONLY only, and also when another trigger made the write (one on another table that the application writes); not
 * when the target holds the value already (the reverse-sync mirror sets the old column from the target), nor inside a
 * reverse-sync batch ({@link CaptureTrigger#SWITCH} {@code off}), nor after a rollback to READ_NEW, where the driver
 * dual-writes again (they stay, as the delete triggers do: there each row whose column a write changes calls the
 * function once, to return at once). Created with the {@link DeletedKeysTrigger}s by the move to NEW_ONLY; the contract
 * drops them before the column; {@link ColumnUses} does not count them among what reads the column.
 */
public final class OldColumnWriteTrigger {

    private OldColumnWriteTrigger() {
    }

    /** The UPDATE trigger's name on the source table (unquoted). */
    public static String triggerName(MigrationSpec spec) {
        return "dualwrite_" + Identifiers.truncate(spec.syncView(), ControlSchema.SYNC_VIEW_MAX_BYTES - 3) + "_old_write";
    }

    /** The INSERT trigger's name on the source table (unquoted). */
    public static String insertTriggerName(MigrationSpec spec) {
        return "dualwrite_" + Identifiers.truncate(spec.syncView(), ControlSchema.SYNC_VIEW_MAX_BYTES - 4) + "_old_insert";
    }

    private static String functionName(MigrationSpec spec) {
        return ControlSchema.SCHEMA + "." + Identifiers.quote(Identifiers.truncate(spec.syncView(), 52) + "_old_write") + "()";
    }

    /** Whether the UPDATE trigger is on the source table (the INSERT one is there only while the column has no default). */
    public static boolean installed(Connection c, MigrationSpec spec) throws SQLException {
        return Queries.isTrue(c, "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(?) AND tgname = ?)",
                spec.qualifiedSource(), triggerName(spec));
    }

    /** Drops the triggers that are there: the contract's first step before the column goes (they depend on it). */
    public static List<String> dropSql(MigrationSpec spec) {
        return List.of("DROP TRIGGER IF EXISTS " + Identifiers.quote(triggerName(spec)) + " ON " + spec.qualifiedSource(),
                "DROP TRIGGER IF EXISTS " + Identifiers.quote(insertTriggerName(spec)) + " ON " + spec.qualifiedSource());
    }

    /** What the NEW_ONLY installer runs ({@link DeletedKeysTrigger#installerName}), as PL/pgSQL: drop, then create. */
    static String installerCode(MigrationSpec spec) {
        String v = Identifiers.quote(spec.sourceColumn());
        StringBuilder code = new StringBuilder();
        for (String drop : dropSql(spec)) {
            code.append("  EXECUTE ").append(Identifiers.literal(drop)).append(";\n");
        }
        // on origin only, unlike the delete triggers: they write through the translated sync view, whose trigger does not
        // fire under session_replication_role = replica (TranslatedSync#install); and they follow writers outside the driver,
        // where replica is how a restore or logical replication's apply keeps the table's triggers quiet
        code.append("  EXECUTE ").append(Identifiers.literal("CREATE TRIGGER " + Identifiers.quote(triggerName(spec))
                + " AFTER UPDATE OF " + v + " ON " + spec.qualifiedSource() + " FOR EACH ROW WHEN (OLD." + v
                + " IS DISTINCT FROM NEW." + v + ") EXECUTE FUNCTION " + functionName(spec))).append(";\n");
        String source = Identifiers.literal(spec.qualifiedSource()) + "::regclass";
        code.append("  IF NOT ").append(hasDefault(spec, source)).append(" AND (SELECT relkind FROM pg_class WHERE oid = ")
                .append(source).append(") <> 'p' THEN\n    EXECUTE ").append(Identifiers.literal("CREATE TRIGGER "
                        + Identifiers.quote(insertTriggerName(spec)) + " AFTER INSERT ON " + spec.qualifiedSource()
                        + " FOR EACH ROW WHEN (NEW." + v + " IS NOT NULL) EXECUTE FUNCTION " + functionName(spec)))
                .append(";\n  END IF;\n");
        return code.toString();
    }

    /**
     * Whether the old column of {@code relation} (a regclass expression) has a default: its own, or its domain's (a row
     * the driver inserts leaving the column out gets it, which must not overwrite the value the row was given).
     */
    private static String hasDefault(MigrationSpec spec, String relation) {
        return "EXISTS (SELECT FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_attrdef d"
                + " ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attrelid = " + relation + " AND a.attname = "
                + Identifiers.literal(spec.sourceColumn()) + " AND (d.adbin IS NOT NULL OR t.typdefault IS NOT NULL))";
    }

    /** Creates or replaces the triggers' function; at registration, with the installer. */
    static void installFunction(Connection c, MigrationSpec spec) throws SQLException {
        String k = Identifiers.quote(spec.keyColumn()), v = Identifiers.quote(spec.sourceColumn());
        String view = spec.qualifiedTranslatedSyncView();
        // nested IFs: OLD is null for an INSERT, and SQL does not promise to short-circuit
        String body = "BEGIN\n"
                + "  IF current_setting('" + CaptureTrigger.SWITCH + "', true) = 'off'\n"
                + "     OR (SELECT phase FROM dualwrite.migration WHERE name = " + Identifiers.literal(spec.name()) + ")"
                + " IS DISTINCT FROM 'NEW_ONLY' THEN\n"
                + "    RETURN NULL;\n"
                + "  END IF;\n"
                + "  IF TG_OP = 'INSERT' THEN\n"
                + "    IF " + hasDefault(spec, "TG_RELID") + " THEN\n"
                + "      RETURN NULL;\n"
                + "    END IF;\n"
                + "  ELSIF OLD." + k + " IS DISTINCT FROM NEW." + k + " THEN\n"
                + "    INSERT INTO " + view + " (k, v, deleted) VALUES (OLD." + k + ", NULL, true);\n"
                + "  ELSIF NEW." + v + " IS NOT DISTINCT FROM (SELECT " + Identifiers.quote(spec.targetValueColumn())
                + " FROM " + spec.qualifiedTarget() + " WHERE " + Identifiers.quote(spec.targetKeyColumn()) + " = NEW." + k
                + " AND " + Identifiers.quote(spec.primaryFlagColumn()) + ") THEN\n"
                + "    RETURN NULL;\n"
                + "  END IF;\n"
                + "  INSERT INTO " + view + " (k, v, deleted) VALUES (NEW." + k + ", NEW." + v + ", false);\n"
                + "  RETURN NULL;\n"
                + "END";
        try (Statement s = c.createStatement()) {
            s.execute("CREATE OR REPLACE FUNCTION " + functionName(spec) + " RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
                    + " SET search_path = pg_catalog, pg_temp AS $dualwrite$\n" + body + "\n$dualwrite$");
            s.execute("REVOKE ALL ON FUNCTION " + functionName(spec) + " FROM PUBLIC");
        }
    }
}
