package io.dualwrite.control;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * In NEW_ONLY, a row trigger on the source that carries a change of the old column to the target: the driver's translated
 * writes never assign the old column, so a change of it comes from where the driver does not see it (a function or
 * procedure the application calls, another table's trigger, a session on the plain URL), and its value is the one to
 * keep. Without it such a write changed a column nothing reads any more: lost, without an error.
 *
 * <p>{@code AFTER UPDATE OF <column>} with {@code WHEN (OLD.<column> IS DISTINCT FROM NEW.<column>)}, so the driver's
 * writes never call it (none names the column in its SET list). A key changed in the same statement moves the value.
 * It writes through the translated sync view ({@link TranslatedSync}), whose exactness rests on the source row's lock,
 * which this UPDATE holds. It acts in NEW_ONLY only, and also when another trigger made the change (one on another
 * table that the application writes); not when the target holds the value already (the reverse-sync mirror sets the
 * old column from the target), nor inside a reverse-sync batch ({@link CaptureTrigger#SWITCH} {@code off}), nor after a
 * rollback to READ_NEW, where the driver dual-writes again (it stays, as the delete triggers do: there each row whose
 * column an UPDATE changes calls it once, to return at once). Not followed: an INSERT outside the driver that gives the
 * column a value (a translated INSERT leaves the column at its default, which need not be NULL, so the two cannot be
 * told apart). Created with the {@link DeletedKeysTrigger}s by the move to NEW_ONLY; the contract drops it before the
 * column; {@link ColumnUses} does not count it among what reads the column.
 */
public final class OldColumnWriteTrigger {

    private OldColumnWriteTrigger() {
    }

    /** The trigger's name on the source table (unquoted). */
    public static String triggerName(MigrationSpec spec) {
        return "dualwrite_" + Identifiers.truncate(spec.syncView(), ControlSchema.SYNC_VIEW_MAX_BYTES - 3) + "_old_write";
    }

    private static String functionName(MigrationSpec spec) {
        return ControlSchema.SCHEMA + "." + Identifiers.quote(Identifiers.truncate(spec.syncView(), 52) + "_old_write") + "()";
    }

    /** Whether the trigger is on the source table. */
    public static boolean installed(Connection c, MigrationSpec spec) throws SQLException {
        return Queries.isTrue(c, "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(?) AND tgname = ?)",
                spec.qualifiedSource(), triggerName(spec));
    }

    /** Drops the trigger if it is there: the contract's first step before the column goes (it depends on the column). */
    public static String dropSql(MigrationSpec spec) {
        return "DROP TRIGGER IF EXISTS " + Identifiers.quote(triggerName(spec)) + " ON " + spec.qualifiedSource();
    }

    /** What the NEW_ONLY installer runs ({@link DeletedKeysTrigger#installerName}): drop, then create. */
    static String[] installSql(MigrationSpec spec) {
        String v = Identifiers.quote(spec.sourceColumn());
        return new String[] {dropSql(spec),
                "CREATE TRIGGER " + Identifiers.quote(triggerName(spec)) + " AFTER UPDATE OF " + v + " ON "
                        + spec.qualifiedSource() + " FOR EACH ROW WHEN (OLD." + v + " IS DISTINCT FROM NEW." + v
                        + ") EXECUTE FUNCTION " + functionName(spec)};
    }

    /** Creates or replaces the trigger's function; at registration, with the installer. */
    static void installFunction(Connection c, MigrationSpec spec) throws SQLException {
        String k = Identifiers.quote(spec.keyColumn()), v = Identifiers.quote(spec.sourceColumn());
        String view = spec.qualifiedTranslatedSyncView();
        String body = "BEGIN\n"
                + "  IF current_setting('" + CaptureTrigger.SWITCH + "', true) = 'off'\n"
                + "     OR (SELECT phase FROM dualwrite.migration WHERE name = " + Identifiers.literal(spec.name()) + ")"
                + " IS DISTINCT FROM 'NEW_ONLY'\n"
                + "     OR OLD." + k + " IS NOT DISTINCT FROM NEW." + k + " AND NEW." + v + " IS NOT DISTINCT FROM (SELECT "
                + Identifiers.quote(spec.targetValueColumn()) + " FROM " + spec.qualifiedTarget() + " WHERE "
                + Identifiers.quote(spec.targetKeyColumn()) + " = NEW." + k + " AND " + Identifiers.quote(spec.primaryFlagColumn())
                + ") THEN\n"
                + "    RETURN NULL;\n"
                + "  END IF;\n"
                + "  IF OLD." + k + " IS DISTINCT FROM NEW." + k + " THEN\n"
                + "    INSERT INTO " + view + " (k, v, deleted) VALUES (OLD." + k + ", NULL, true);\n"
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
