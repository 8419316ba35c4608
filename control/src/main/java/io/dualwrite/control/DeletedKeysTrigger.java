package io.dualwrite.control;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * From NEW_ONLY on, statement triggers on the source that delete the target's primary rows of source rows deleted where
 * the driver does not see it: a foreign key's {@code ON DELETE CASCADE} into the source, a DELETE through a view or a
 * rule, {@code TRUNCATE … CASCADE} of a table that references it, a session without the driver. Until then the old
 * column went with its row (and the watch repaired the target); from NEW_ONLY on the target is the only copy, so without
 * them a primary row would outlive its key, and a key used again would inherit its value.
 *
 * <p>The driver's translated DELETE leaves the primary rows to them where they exist ({@code SourceTable#deletesFollowed}):
 * at the statement's end the trigger's DELETE takes a fresh snapshot under READ COMMITTED, so it sees a primary row a
 * writer of the key committed while the DELETE waited, as the sync view's function would. A translated TRUNCATE deletes
 * the rows itself; the trigger then finds none. Statement triggers, the DELETE one with a transition table: one {@code DELETE … USING} per statement, nothing per row.
 * {@code SECURITY DEFINER} as the {@link CaptureTrigger}'s, so that a writer without privileges on the target is
 * followed too. The installer creates the {@link OldColumnWriteTrigger} with them, which follows what such writers
 * write to the old column. The delete triggers stay after a rollback to READ_NEW (they delete only primary rows whose
 * key is gone, which the sync of every phase deletes too), and after the contract (they do not read the old column).
 *
 * <p>They fire ALWAYS, also where {@code session_replication_role} is {@code replica} (a bulk load, a restore script,
 * logical replication's apply), under which PostgreSQL skips the triggers left at their default: from NEW_ONLY on the
 * driver's translated DELETE leaves the primary rows to them, and a delete they miss leaves a value behind for a key used
 * again. Firing there too is safe: they delete only primary rows whose key is gone.
 */
public final class DeletedKeysTrigger {

    private DeletedKeysTrigger() {
    }

    /** The DELETE trigger's name on the source table (unquoted). */
    public static String deleteTriggerName(MigrationSpec spec) {
        return "dualwrite_" + Identifiers.truncate(spec.syncView(), ControlSchema.SYNC_VIEW_MAX_BYTES - 1) + "_deleted";
    }

    /** The TRUNCATE trigger's name on the source table (unquoted). */
    public static String truncateTriggerName(MigrationSpec spec) {
        return "dualwrite_" + Identifiers.truncate(spec.syncView(), ControlSchema.SYNC_VIEW_MAX_BYTES - 3) + "_truncated";
    }

    private static String functionName(MigrationSpec spec) {
        return ControlSchema.SCHEMA + "." + Identifiers.quote(Identifiers.truncate(spec.syncView(), 54) + "_deleted");
    }

    /**
     * The function that creates (or recreates) both triggers: {@code SECURITY DEFINER}, owned by the role that registered
     * the migration, so that an operator role ({@code ControlGrants}, EXECUTE) can move to NEW_ONLY without the
     * source table's TRIGGER privilege.
     */
    public static String installerName(MigrationSpec spec) {
        return ControlSchema.SCHEMA + "." + Identifiers.quote(Identifiers.truncate(spec.syncView(), 46) + "_follow_deletes")
                + "()";
    }

    /** Whether both triggers are on the source table and enabled (ALWAYS, or on origin only as before version 8). */
    public static boolean installed(Connection c, MigrationSpec spec) throws SQLException {
        return Queries.isTrue(c, "SELECT count(*) = 2 FROM pg_trigger WHERE tgrelid = to_regclass(?) AND tgname IN (?, ?)"
                + " AND tgenabled <> 'D'", spec.qualifiedSource(), deleteTriggerName(spec), truncateTriggerName(spec));
    }

    /** Creates or replaces the triggers' function and {@link #installerName}; at registration, which creates no trigger. */
    static void installFunctions(Connection c, MigrationSpec spec) throws SQLException {
        String source = spec.qualifiedSource();
        String function = functionName(spec) + "()";
        List<String> ddl = List.of(
                "DROP TRIGGER IF EXISTS " + Identifiers.quote(deleteTriggerName(spec)) + " ON " + source,
                "DROP TRIGGER IF EXISTS " + Identifiers.quote(truncateTriggerName(spec)) + " ON " + source,
                "CREATE TRIGGER " + Identifiers.quote(deleteTriggerName(spec)) + " AFTER DELETE ON " + source
                        + " REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION " + function,
                "CREATE TRIGGER " + Identifiers.quote(truncateTriggerName(spec)) + " AFTER TRUNCATE ON " + source
                        + " FOR EACH STATEMENT EXECUTE FUNCTION " + function);
        OldColumnWriteTrigger.installFunction(c, spec);
        StringBuilder installer = new StringBuilder("BEGIN\n");
        for (String statement : ddl) {
            installer.append("  EXECUTE ").append(Identifiers.literal(statement)).append(";\n");
        }
        // ENABLE ALWAYS needs the source's owner, CREATE TRIGGER only the TRIGGER privilege: without ownership they stay
        // at the default (firing except under session_replication_role = replica) rather than the move failing
        installer.append("  IF ").append(ownsSource(spec)).append(" THEN\n    EXECUTE ")
                .append(Identifiers.literal(enableAlwaysSql(spec, List.of(deleteTriggerName(spec), truncateTriggerName(spec)))))
                .append(";\n  END IF;\n");
        installer.append(OldColumnWriteTrigger.installerCode(spec)).append("END");
        try (Statement s = c.createStatement()) {
            s.execute("CREATE OR REPLACE FUNCTION " + function + " RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
                    + " SET search_path = pg_catalog, pg_temp AS $dualwrite$\n" + body(spec) + "\n$dualwrite$");
            s.execute("REVOKE ALL ON FUNCTION " + function + " FROM PUBLIC");
            s.execute("CREATE OR REPLACE FUNCTION " + installerName(spec) + " RETURNS void LANGUAGE plpgsql SECURITY DEFINER"
                    + " SET search_path = pg_catalog, pg_temp AS $dualwrite$\n" + installer + "\n$dualwrite$");
            s.execute("REVOKE ALL ON FUNCTION " + installerName(spec) + " FROM PUBLIC");
        }
    }

    /**
     * Creates (or recreates) both triggers through {@link #installerName}, in {@code c}'s current transaction (it locks
     * the source); the functions too when the migration was registered before they existed.
     */
    public static void install(Connection c, MigrationSpec spec) throws SQLException {
        if (!Queries.isTrue(c, "SELECT to_regprocedure(?) IS NOT NULL", installerName(spec))) {
            installFunctions(c, spec);
        }
        try (Statement s = c.createStatement()) {
            s.execute("SELECT " + installerName(spec));
        }
    }

    /**
     * Makes the triggers that are on the source and fire on origin only (created before they were created firing ALWAYS:
     * the control schema's upgrade to version 8) fire ALWAYS; leaves a disabled one disabled, and all of them where the
     * role does not own the source (ALTER TABLE needs the owner).
     */
    static void enableAlways(Connection c, MigrationSpec spec) throws SQLException {
        List<String> names = Queries.strings(c, "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(?) AND tgname IN (?, ?)"
                + " AND tgenabled = 'O' AND " + ownsSource(spec) + " ORDER BY tgname", spec.qualifiedSource(),
                deleteTriggerName(spec), truncateTriggerName(spec));
        if (!names.isEmpty()) {
            try (Statement s = c.createStatement()) {
                s.execute(enableAlwaysSql(spec, names));
            }
        }
    }

    private static String enableAlwaysSql(MigrationSpec spec, List<String> triggers) {
        StringBuilder b = new StringBuilder("ALTER TABLE " + spec.qualifiedSource());
        for (int i = 0; i < triggers.size(); i++) {
            b.append(i == 0 ? " " : ", ").append("ENABLE ALWAYS TRIGGER ").append(Identifiers.quote(triggers.get(i)));
        }
        return b.toString();
    }

    /** Whether the current role may ALTER the source table (owns it, or is a member of its owner), as SQL. */
    private static String ownsSource(MigrationSpec spec) {
        return "pg_catalog.pg_has_role((SELECT relowner FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass("
                + Identifiers.literal(spec.qualifiedSource()) + ")), 'USAGE')";
    }

    static String body(MigrationSpec spec) {
        // as a rewritten TRUNCATE: the primary rows of keys gone; after a DELETE, of the keys it deleted (a key the same
        // statement inserted again, in a WITH query, is not gone and keeps the row its insert gave it)
        return "BEGIN\n"
                + "  IF TG_OP = 'TRUNCATE' THEN\n"
                + "    " + spec.deletePrimaryRowsOfGoneKeys() + ";\n"
                + "  ELSE\n"
                + "    " + spec.deletePrimaryRowsOfGoneKeys() + " AND \"dw$e\"." + Identifiers.quote(spec.targetKeyColumn())
                + " IN (SELECT " + Identifiers.quote(spec.keyColumn()) + " FROM gone);\n"
                + "  END IF;\n"
                + "  RETURN NULL;\n"
                + "END";
    }
}
