package io.dualwrite.control;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The least-privilege setup of a migration's roles, as GRANT and REVOKE statements ({@code dualwrite grant} prints and
 * applies them, {@code dualwrite plan} shows them).
 *
 * <ul>
 *   <li><b>Application role</b>: DML on the source and target tables and INSERT on the sync view (the sync trigger runs
 *       as the caller, so it writes the target with the application's privileges); SELECT on the phase
 *       ({@code migration}), the schema version and the recorded source columns; its heartbeats ({@code instance}) and
 *       statement evidence; EXECUTE on {@value ControlTables#ROLLBACK_READS}, the one phase change it may make. It gets
 *       no UPDATE on {@code migration} and nothing on the audit log, checkpoints or parity tables: it cannot change the
 *       phase. Whatever it held in the control schema before is revoked first.</li>
 *   <li><b>Operator role</b>: the owner of the control schema (whoever ran {@code dualwrite expand}) is one already. A
 *       separate role named here gets DML on every control table (phase changes through the gates, audit entries,
 *       backfill, parity, watch) and on the source and target, and EXECUTE on each migration's
 *       {@link DeletedKeysTrigger#installerName} (phase NEW_ONLY creates those triggers); the commands that change tables ({@code expand},
 *       {@code contract}, {@code reverse-sync} after the drop) still need the owner of the source table, because
 *       PostgreSQL has no privilege for ALTER TABLE.</li>
 * </ul>
 */
public final class ControlGrants {

    private static final String SCHEMA = Identifiers.quote(ControlSchema.SCHEMA);

    private ControlGrants() {
    }

    /**
     * The statements, in order; lines starting with {@code --} say why and are not executed.
     *
     * @param operatorRole null when the operator is the control schema's owner (nothing to grant)
     */
    public static List<String> statements(List<MigrationSpec> specs, String appRole, String operatorRole) {
        String app = Identifiers.quote(appRole);
        Set<String> schemas = new LinkedHashSet<>();
        Set<String> tables = new LinkedHashSet<>();
        Set<String> syncViews = new LinkedHashSet<>();
        for (MigrationSpec spec : specs) {
            schemas.add(Identifiers.quote(spec.sourceSchema()));
            schemas.add(Identifiers.quote(spec.targetSchema()));
            tables.add(spec.qualifiedSource());
            tables.add(spec.qualifiedTarget());
            syncViews.add(spec.qualifiedSyncView());
            syncViews.add(spec.qualifiedTranslatedSyncView());
        }
        String rollbackReads = ControlTables.ROLLBACK_READS + "(text, text, text)";
        List<String> out = new ArrayList<>();
        out.add("-- application role " + app + ": dual writes, heartbeats, statement evidence; reads the phase, cannot change it");
        out.add("GRANT USAGE ON SCHEMA " + String.join(", ", schemas) + " TO " + app);
        out.add("GRANT SELECT, INSERT, UPDATE, DELETE ON " + String.join(", ", tables) + " TO " + app);
        out.add("GRANT USAGE ON SCHEMA " + SCHEMA + " TO " + app);
        out.add("REVOKE ALL ON ALL TABLES IN SCHEMA " + SCHEMA + " FROM " + app);
        out.add("GRANT SELECT ON " + control("schema_version") + ", " + control("migration") + ", " + control("source_column")
                + " TO " + app);
        out.add("GRANT SELECT, INSERT, UPDATE (heartbeat_at, applied) ON " + control("instance") + " TO " + app);
        out.add("GRANT SELECT, INSERT, UPDATE (executions, last_seen, translatable, refusal) ON "
                + control("statement_evidence") + " TO " + app);
        out.add("GRANT INSERT ON " + String.join(", ", syncViews) + " TO " + app);
        out.add("GRANT EXECUTE ON FUNCTION " + rollbackReads + " TO " + app);
        if (operatorRole == null) {
            out.add("-- operator: the owner of the control schema (the role that ran dualwrite expand) has every privilege it needs");
            return out;
        }
        String op = Identifiers.quote(operatorRole);
        out.add("-- operator role " + op + ": phase changes through the gates, audit, backfill, parity, watch;"
                + " expand, contract and reverse-sync after the drop alter the source table and need its owner");
        out.add("GRANT USAGE ON SCHEMA " + String.join(", ", schemas) + " TO " + op);
        out.add("GRANT SELECT, INSERT, UPDATE, DELETE ON " + String.join(", ", tables) + " TO " + op);
        out.add("GRANT USAGE ON SCHEMA " + SCHEMA + " TO " + op);
        out.add("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + SCHEMA + " TO " + op);
        out.add("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA " + SCHEMA + " TO " + op);
        out.add("GRANT EXECUTE ON FUNCTION " + rollbackReads + " TO " + op);
        // phase NEW_ONLY creates the triggers that follow deletes, which needs the source table's TRIGGER privilege
        for (MigrationSpec spec : specs) {
            out.add("GRANT EXECUTE ON FUNCTION " + DeletedKeysTrigger.installerName(spec) + " TO " + op);
        }
        return out;
    }

    /**
     * Why the statements would not give least privilege, one sentence each (empty: they would): a role that does not
     * exist, an application role that is a superuser or acts as the control schema's owner (no grant limits either),
     * or one role named for both.
     */
    public static List<String> problems(Connection c, String appRole, String operatorRole) throws SQLException {
        List<String> out = new ArrayList<>();
        if (appRole.equals(operatorRole)) {
            out.add("--app-role and --operator-role name the same role " + Identifiers.quote(appRole)
                    + ": the application could then change the phase; give the operator a role of its own");
        }
        for (String role : operatorRole == null ? List.of(appRole) : List.of(appRole, operatorRole)) {
            if (!exists(c, role)) {
                out.add("role " + Identifiers.quote(role) + " does not exist: create it first (CREATE ROLE "
                        + Identifiers.quote(role) + " LOGIN PASSWORD '…'), then run dualwrite grant again");
            }
        }
        if (!out.isEmpty()) {
            return out;
        }
        try (PreparedStatement p = c.prepareStatement("""
                SELECT r.rolsuper, pg_has_role(r.oid, c.relowner, 'USAGE'), pg_get_userbyid(c.relowner)
                FROM pg_roles r, pg_class c WHERE r.rolname = ? AND c.oid = 'dualwrite.migration'::regclass""")) {
            p.setString(1, appRole);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    out.add("application role " + Identifiers.quote(appRole) + " is a superuser: no grant limits it;"
                            + " run the application as a role without SUPERUSER");
                } else if (rs.getBoolean(2)) {
                    out.add("application role " + Identifiers.quote(appRole) + " owns the control schema or is a member of"
                            + " its owner " + Identifiers.quote(rs.getString(3)) + ", so it may change the phase whatever is"
                            + " granted: run dualwrite expand as the operator (or REASSIGN OWNED BY the application role TO the"
                            + " operator role, or REVOKE the membership), then run dualwrite grant again");
                }
            }
        }
        return out;
    }

    /** Runs the statements (not the comments) in one transaction: all of them or none. */
    public static void apply(Connection c, List<String> statements) throws SQLException {
        Transactions.inTransaction(c, () -> {
            try (Statement s = c.createStatement()) {
                for (String sql : statements) {
                    if (!sql.startsWith("--")) {
                        s.execute(sql);
                    }
                }
            }
            return null;
        });
    }

    private static boolean exists(Connection c, String role) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            p.setString(1, role);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String control(String table) {
        return SCHEMA + "." + Identifiers.quote(table);
    }
}
