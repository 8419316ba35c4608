package io.dualwrite.control;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The sync of a migration whose source table has row-level security: row triggers on the source that hand every
 * committed change of the old column (and of the key, and every delete) to the sync view, so the application's writes
 * reach PostgreSQL unchanged and the driver passes them through while the old column is written.
 *
 * <p>Why not the driver's rewrite there. A rewritten write reads back the rows it changes (its RETURNING feeds the
 * sync view), and PostgreSQL then applies the table's SELECT policies to them as well: with a SELECT policy narrower
 * than the UPDATE or DELETE one, {@code DELETE FROM users} deletes the rows the role may delete plainly, and only those
 * it may also see when rewritten. A row trigger sees exactly the rows the statement changed, whatever the policies.
 * Each change goes through the same sync view as a rewritten write, so the backfill's protocol (fresh snapshots, the
 * sync lock, the delete counter, the probe) holds unchanged.
 *
 * <p>When it acts: in DUAL_WRITE and READ_NEW. In NEW_ONLY the driver's translated writes keep the target themselves
 * and never assign the old column, so the capture acts only on an UPDATE that changes it (a statement an instance
 * still ran in READ_NEW after the move, or a writer outside the driver: the value written is the one to keep) and on
 * deletes (synced twice, which is idempotent); not on INSERTs, whose old column a translated INSERT leaves at its
 * default, which need not be the value the application gave. Not when a trigger fired it (the reverse-sync mirror
 * sets the old column from the target) nor inside a reverse-sync batch ({@code dualwrite.capture = off} for its
 * transaction). The function is {@code SECURITY DEFINER}
 * (owned by whoever ran {@code expand}), so writers outside the driver, which hold no privilege on the sync view, keep
 * working and are kept in step too. Contract drops the triggers with the column.
 */
public final class CaptureTrigger {

    /** The setting a transaction turns {@code off} to write the old column without the capture (reverse-sync). */
    public static final String SWITCH = "dualwrite.capture";

    private CaptureTrigger() {
    }

    /** The row trigger's name on the source table (unquoted); the TRUNCATE trigger's adds {@code _truncate}. */
    public static String triggerName(MigrationSpec spec) {
        return "dualwrite_" + Identifiers.truncate(spec.syncView(), ControlSchema.SYNC_VIEW_MAX_BYTES - 1) + "_capture";
    }

    public static String truncateTriggerName(MigrationSpec spec) {
        return "dualwrite_" + Identifiers.truncate(spec.syncView(), ControlSchema.SYNC_VIEW_MAX_BYTES - 10) + "_truncate";
    }

    private static String functionName(MigrationSpec spec) {
        return ControlSchema.SCHEMA + "." + Identifiers.quote(Identifiers.truncate(spec.syncView(), 54) + "_capture");
    }

    /** Whether the source table's row-level security is enabled: then the migration is synced by this trigger. */
    static boolean rowSecurityEnabled(Connection c, MigrationSpec spec) throws SQLException {
        return Queries.isTrue(c, "SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass(?)", spec.qualifiedSource());
    }

    /**
     * The source and its descendants, quoted and qualified, each with whether it is a partition and whether it has the
     * row trigger and the TRUNCATE trigger. A partition gets its row trigger from its parent's (PostgreSQL clones row
     * triggers, with their name, to partitions, also to those attached later); an inheritance child's rows fire only
     * its own triggers, and nothing clones a TRUNCATE trigger, so those go on each.
     */
    private static final String RELATIONS = "WITH RECURSIVE " + SourceRelatives.SOURCE_AND_DESCENDANTS + """

            SELECT format('%I.%I', n.nspname, c.relname), c.relispartition,
                   EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = ?),
                   EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = ?)
            FROM t JOIN pg_class c ON c.oid = t.oid JOIN pg_namespace n ON n.oid = c.relnamespace
            ORDER BY c.oid <> to_regclass(?)""";

    private record Relation(String name, boolean partition, boolean rowTrigger, boolean truncateTrigger) {
    }

    private static List<Relation> relations(Connection c, MigrationSpec spec) throws SQLException {
        return Queries.rows(c, RELATIONS, rs -> new Relation(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3),
                rs.getBoolean(4)), spec.qualifiedSource(), triggerName(spec), truncateTriggerName(spec), spec.qualifiedSource());
    }

    /**
     * Whether the capture sees every write of the source's rows, i.e. whether the driver may pass the writes through: both
     * triggers on the source and on each partition and inheritance child (one attached or created since {@code expand}
     * lacks them until it runs again).
     */
    public static boolean coversEveryRow(Connection c, MigrationSpec spec) throws SQLException {
        List<Relation> relations = relations(c, spec);
        return !relations.isEmpty() && relations.stream().allMatch(r -> r.rowTrigger() && r.truncateTrigger());
    }

    /** Installs the capture when the source table has row-level security enabled; idempotent. */
    public static void installIfRowSecurity(Connection c, MigrationSpec spec) throws SQLException {
        if (rowSecurityEnabled(c, spec)) {
            install(c, spec);
        }
    }

    /**
     * Creates or replaces the function and the triggers on the source and its descendants, in {@code c}'s current
     * transaction.
     */
    static void install(Connection c, MigrationSpec spec) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE OR REPLACE FUNCTION " + functionName(spec) + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
                    + " SET search_path = pg_catalog, pg_temp AS $dualwrite$\n" + body(spec) + "\n$dualwrite$");
            s.execute("REVOKE ALL ON FUNCTION " + functionName(spec) + "() FROM PUBLIC");
            for (String drop : dropSql(c, spec)) {
                s.execute(drop);
            }
            // on origin only: what they sync goes through the sync view, whose trigger PostgreSQL does not fire under
            // session_replication_role = replica whatever these do; and replica is how a restore or logical replication's
            // apply keeps a table's triggers quiet
            for (Relation r : relations(c, spec)) {
                if (!r.partition()) {
                    s.execute("CREATE TRIGGER " + Identifiers.quote(triggerName(spec)) + " AFTER INSERT OR UPDATE OR DELETE"
                            + " ON " + r.name() + " FOR EACH ROW EXECUTE FUNCTION " + functionName(spec) + "()");
                }
                s.execute("CREATE TRIGGER " + Identifiers.quote(truncateTriggerName(spec)) + " AFTER TRUNCATE ON "
                        + r.name() + " FOR EACH STATEMENT EXECUTE FUNCTION " + functionName(spec) + "()");
            }
        }
    }

    /**
     * The statements that drop the triggers there are, the source's first (which drops the row triggers PostgreSQL
     * cloned to partitions); the function stays: harmless, replaced by the next install.
     */
    public static List<String> dropSql(Connection c, MigrationSpec spec) throws SQLException {
        List<String> drops = new ArrayList<>();
        for (Relation r : relations(c, spec)) {
            if (r.rowTrigger() && !r.partition()) {
                drops.add("DROP TRIGGER IF EXISTS " + Identifiers.quote(triggerName(spec)) + " ON " + r.name());
            }
            if (r.truncateTrigger()) {
                drops.add("DROP TRIGGER IF EXISTS " + Identifiers.quote(truncateTriggerName(spec)) + " ON " + r.name());
            }
        }
        return drops;
    }

    static String body(MigrationSpec spec) {
        String k = Identifiers.quote(spec.keyColumn()), v = Identifiers.quote(spec.sourceColumn());
        String view = spec.qualifiedSyncView();
        String name = spec.name().replace("'", "''");
        String toView = "    INSERT INTO " + view + " (k, v, deleted) VALUES ";
        // nested IFs: OLD is null for an INSERT and NEW for a DELETE, and SQL does not promise to short-circuit AND
        return "DECLARE\n"
                + "  dw_phase text;\n"
                + "BEGIN\n"
                + "  IF pg_trigger_depth() > 1 OR current_setting('" + SWITCH + "', true) = 'off' THEN RETURN NULL; END IF;\n"
                + "  IF TG_OP = 'UPDATE' THEN\n"
                + "    IF OLD." + k + " IS NOT DISTINCT FROM NEW." + k + " AND OLD." + v + " IS NOT DISTINCT FROM NEW." + v
                + " THEN RETURN NULL; END IF;\n"
                + "  END IF;\n"
                + "  SELECT phase INTO dw_phase FROM dualwrite.migration WHERE name = '" + name + "';\n"
                + "  IF dw_phase IS NULL OR dw_phase NOT IN ('DUAL_WRITE', 'READ_NEW', 'NEW_ONLY') THEN RETURN NULL; END IF;\n"
                // NEW_ONLY: the driver's translated writes keep the target themselves and never set the old column (an
                // INSERT leaves it NULL or at its default, an UPDATE assigns only the key): leave those alone
                + "  IF dw_phase = 'NEW_ONLY' THEN\n"
                + "    IF TG_OP = 'UPDATE' THEN\n"
                + "      IF OLD." + v + " IS NOT DISTINCT FROM NEW." + v + " THEN RETURN NULL; END IF;\n"
                + "    ELSIF TG_OP = 'INSERT' THEN\n"
                + "      RETURN NULL;\n"
                + "    END IF;\n"
                + "  END IF;\n"
                // the same as a rewritten TRUNCATE
                + "  IF TG_OP = 'TRUNCATE' THEN\n"
                + "    " + spec.deletePrimaryRowsOfGoneKeys() + ";\n"
                + "  ELSIF TG_OP = 'DELETE' THEN\n"
                + toView + "(OLD." + k + ", NULL, true);\n"
                + "  ELSE\n"
                + "    IF TG_OP = 'UPDATE' THEN\n"
                + "      IF OLD." + k + " IS DISTINCT FROM NEW." + k + " THEN\n"
                + "  " + toView + "(OLD." + k + ", NULL, true);\n"
                + "      END IF;\n"
                + "    END IF;\n"
                + toView + "(NEW." + k + ", NEW." + v + ", false);\n"
                + "  END IF;\n"
                + "  RETURN NULL;\n"
                + "END";
    }
}
