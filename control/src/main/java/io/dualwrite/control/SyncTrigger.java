package io.dualwrite.control;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * Per migration, the sync view {@code dualwrite.sync_<table>_<column>} and its INSTEAD OF INSERT
 * trigger, which applies one key's new value to the target table. Rewritten writes end in
 * {@code INSERT INTO} that view: the statement's update count stays exact (one per row) and the sync
 * gets a fresh snapshot per command (see {@link #syncFunctionBody}).
 */
public final class SyncTrigger {

    private SyncTrigger() {
    }

    /** Creates or replaces the view, its function and trigger, and the delete counter; idempotent. */
    static void install(Connection c, MigrationSpec spec) throws SQLException {
        String keyType = ControlSchema.columnType(c, spec.sourceSchema(), spec.sourceTable(), spec.keyColumn());
        String valueType = ControlSchema.columnType(c, spec.sourceSchema(), spec.sourceTable(), spec.sourceColumn());
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SEQUENCE IF NOT EXISTS " + deleteCounterName(spec));
            // the trigger runs as the application's role; a counter tells nothing, so any role may advance it
            s.execute("GRANT USAGE, SELECT ON SEQUENCE " + deleteCounterName(spec) + " TO PUBLIC");
            String view = spec.qualifiedSyncView();
            String function = ControlSchema.SCHEMA + "." + Identifiers.quote(spec.syncView() + "_apply");
            s.execute("CREATE OR REPLACE VIEW " + view + " AS SELECT NULL::" + keyType + " AS k, NULL::" + valueType
                    + " AS v, false AS deleted WHERE false");
            refreshFunction(c, spec);
            s.execute("DROP TRIGGER IF EXISTS apply ON " + view);
            // fires on origin only, and cannot fire ALWAYS (PostgreSQL refuses ENABLE ALWAYS on a view's trigger): a rewritten
            // write refuses a session_replication_role = replica session instead (ControlTables.REPLICA_GUARD)
            s.execute("CREATE TRIGGER apply INSTEAD OF INSERT ON " + view + " FOR EACH ROW EXECUTE FUNCTION " + function + "()");
        }
    }

    /**
     * Replaces the installed trigger function with one whose delete probe fits the target as it is now: a unique index
     * added on the value column ({@link ValueIndexes#uniqueTwins}) turns the probe off, whose placeholder it could refuse.
     * The view and its trigger stay; in-flight writes finish with the function they started with.
     */
    public static void refreshFunction(Connection c, MigrationSpec spec) throws SQLException {
        String function = ControlSchema.SCHEMA + "." + Identifiers.quote(spec.syncView() + "_apply");
        try (Statement s = c.createStatement()) {
            s.execute("CREATE OR REPLACE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql AS $dualwrite$\n"
                    + syncFunctionBody(spec, probeLiteral(c, spec), syncLockKey(c, spec)) + "\n$dualwrite$");
        }
    }

    /**
     * The trigger body that applies one key's value to the target table. It runs as a VOLATILE
     * plpgsql function, so under READ COMMITTED each command takes a fresh snapshot (a plain
     * data-modifying CTE shares the statement's older snapshot: DESIGN, "Concurrency").
     *
     * <p>A new value is an upsert: its unique-index check waits for, and then overwrites, a copy the
     * backfill has not committed yet. A NULL value or a deleted source row is the racy branch, because a
     * DELETE neither sees nor waits for a copy the backfill has not committed. So it
     * <ol>
     *   <li>holds the migration's sync lock in shared mode until commit and advances its delete counter: the
     *       backfill's barrier ({@link #syncLockKey}, {@link #deleteCounterName}) tells from these whether a
     *       delete may have raced its batch, and then rechecks the batch's copies;</li>
     *   <li>deletes the primary target row; when there is none, a probe insert ({@code ON CONFLICT DO NOTHING})
     *       waits for an uncommitted copy of the key and then either conflicts with it (READ COMMITTED: the
     *       next DELETE, with a fresh snapshot, removes it; REPEATABLE READ: 40001, the application retries
     *       instead of the row surviving as drift), or inserts a placeholder that the next DELETE removes
     *       and that a concurrent backfill copy of the key must wait for.</li>
     * </ol>
     */
    /** The line that opens the probe in the trigger body (what {@link #hasDeleteProbe} looks for). */
    private static final String PROBE_MARK = "IF NOT FOUND THEN -- probe";

    static String syncFunctionBody(MigrationSpec spec, String probeLiteral, long lockKey) {
        String target = spec.qualifiedTarget();
        String fk = Identifiers.quote(spec.targetKeyColumn());
        String value = Identifiers.quote(spec.targetValueColumn());
        String flag = Identifiers.quote(spec.primaryFlagColumn());
        String insert = "INSERT INTO " + target + " (" + fk + ", " + value + ", " + flag + ") VALUES (NEW.k, %s, true)"
                + " ON CONFLICT (" + fk + ") WHERE " + flag + " DO %s";
        String delete = "DELETE FROM " + target + " WHERE " + fk + " = NEW.k AND " + flag;
        StringBuilder b = new StringBuilder();
        b.append("BEGIN\n");
        b.append("  IF NEW.v IS NOT NULL AND NOT NEW.deleted THEN\n");
        b.append("    ").append(String.format(insert, "NEW.v", "UPDATE SET " + value + " = EXCLUDED." + value)).append(";\n");
        b.append("    RETURN NEW;\n");
        b.append("  END IF;\n");
        // one command, not two (each plpgsql command costs an executor start): the lock is taken in a subquery in
        // FROM, which PostgreSQL does not flatten (its target list is volatile) and must run before the outer row,
        // whose nextval advances the counter, exists. So the counter still moves only while the lock is held, which
        // is the order the backfill's barrier relies on.
        b.append("  PERFORM nextval('").append(deleteCounterName(spec).replace("'", "''"))
                .append("') FROM (SELECT pg_advisory_xact_lock_shared(").append(lockKey).append(")) AS sync_lock;\n");
        b.append("  ").append(delete).append(";\n");
        if (probeLiteral != null) {
            b.append("  ").append(PROBE_MARK).append("\n");
            b.append("    ").append(String.format(insert, probeLiteral, "NOTHING")).append(";\n");
            b.append("    ").append(delete).append(";\n");
            b.append("  END IF;\n");
        }
        b.append("  RETURN NEW;\n");
        b.append("END");
        return b.toString();
    }

    /**
     * The advisory lock key a migration's sync trigger holds in shared mode while it deletes (until its
     * transaction ends); a backfill batch that can take it exclusively knows no such delete is in flight.
     */
    public static long syncLockKey(Connection c, MigrationSpec spec) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT hashtextextended(?, 0)")) {
            p.setString(1, "dualwrite.sync:" + spec.name());
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The sequence a migration's sync trigger advances on every delete (qualified and quoted). */
    public static String deleteCounterName(MigrationSpec spec) {
        return ControlSchema.SCHEMA + "." + Identifiers.quote(Identifiers.truncate(spec.syncView(), 55) + "_deletes");
    }

    /**
     * A placeholder value the probe may write (the next command deletes it), or null if the type has none
     * known to be safe: NULL when the column allows it, else a constant of the column's type. Also null when
     * the target has more than this tool put there on the value column (another unique or exclusion index, a
     * CHECK, a user trigger): a placeholder could collide, fail a check, or reach a trigger or a change feed.
     */
    private static String probeLiteral(Connection c, MigrationSpec spec) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                SELECT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND (i.indisunique OR i.indisexclusion)
                                 AND (a.attnum = ANY (i.indkey::int2[]) OR i.indexprs IS NOT NULL))
                    OR EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = a.attrelid AND k.contype IN ('c', 'x')
                                 AND a.attnum = ANY (k.conkey))
                    OR EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = a.attrelid AND NOT g.tgisinternal)
                FROM pg_attribute a WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND NOT a.attisdropped""")) {
            p.setString(1, spec.qualifiedTarget());
            p.setString(2, spec.targetValueColumn());
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next() && rs.getBoolean(1)) {
                    return null;
                }
            }
        }
        try (PreparedStatement p = c.prepareStatement("""
                SELECT t.typcategory, format_type(a.atttypid, a.atttypmod), a.attnotnull, t.typname
                FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND NOT a.attisdropped""")) {
            p.setString(1, spec.qualifiedTarget());
            p.setString(2, spec.targetValueColumn());
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("target column " + spec.qualifiedTarget() + "." + spec.targetValueColumn()
                            + " does not exist; run dualwrite expand, which creates it", "42703");
                }
                String type = rs.getString(2);
                if (!rs.getBoolean(3)) {
                    return "NULL::" + type;
                }
                String name = rs.getString(4);
                return switch (rs.getString(1)) {
                    case "S" -> "''::" + type;
                    case "N" -> "0::" + type;
                    case "B" -> "false::" + type;
                    case "E" -> "enum_first(NULL::" + type + ")";
                    case "A" -> "'{}'::" + type;
                    case "R" -> "'empty'::" + type;
                    case "T" -> "'0'::" + type;
                    case "I" -> "'0.0.0.0'::" + type;
                    case "U" -> switch (name) {
                        case "uuid" -> "'00000000-0000-0000-0000-000000000000'::uuid";
                        case "bytea" -> "'\\x'::bytea";
                        case "jsonb", "json" -> "'null'::" + name;
                        default -> null;
                    };
                    case "D" -> Set.of("date", "timestamp", "timestamptz").contains(name) ? "'epoch'::" + type
                            : Set.of("time", "timetz").contains(name) ? "'allballs'::" + type : null;
                    default -> null;
                };
            }
        }
    }

    /**
     * Whether the installed sync trigger of {@code spec} probes before it deletes, i.e. whether an unlocked backfill
     * is exact (see {@link #syncFunctionBody}). Read from the installed function, not from the target's current
     * shape: a constraint added or dropped since {@code expand} changes nothing until expand runs again.
     */
    public static boolean hasDeleteProbe(Connection c, MigrationSpec spec) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT prosrc FROM pg_proc WHERE oid = to_regprocedure(?)")) {
            p.setString(1, ControlSchema.SCHEMA + "." + Identifiers.quote(spec.syncView() + "_apply") + "()");
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() && rs.getString(1).contains(PROBE_MARK);
            }
        }
    }

}
