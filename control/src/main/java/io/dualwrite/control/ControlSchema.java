package io.dualwrite.control;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code dualwrite} schema in the application's own database: the single source of truth for
 * which migrations exist and which phase every driver instance must apply (DESIGN principle 6).
 *
 * <p>Tables:
 * <ul>
 *   <li>{@code migration}: one row per migration (spec + phase);</li>
 *   <li>{@code phase_change}: the audit log of every phase change;</li>
 *   <li>{@code backfill_checkpoint}: the backfill's totals and completion (its per-range positions are the migrator's);</li>
 *   <li>{@code instance}: every live driver instance and the phase it applies (its acknowledgement).</li>
 * </ul>
 * Per migration, a sync view {@code dualwrite.sync_<table>_<column>} whose INSTEAD OF INSERT
 * trigger applies one key's new value to the target table: rewritten writes end in
 * {@code INSERT INTO} that view, which makes the statement's update count exact and gives the
 * sync its own snapshot per command (see {@link #syncFunctionBody}).
 *
 * <p>Everything here is idempotent: running it twice changes nothing the second time.
 */
public final class ControlSchema {

    public static final String SCHEMA = "dualwrite";

    /** Serialises concurrent installs and registrations across processes. */
    private static final long INSTALL_LOCK = 0x6475_616c_7772_6974L; // "dualwrit"

    private ControlSchema() {
    }

    /** Whether the control schema exists in the database {@code c} points at. */
    public static boolean isInstalled(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regclass('dualwrite.migration') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Creates the control schema if absent. */
    public static void install(Connection c) throws SQLException {
        inTransaction(c, () -> {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + INSTALL_LOCK + ")");
                s.execute("CREATE SCHEMA IF NOT EXISTS dualwrite");
                s.execute("""
                        CREATE TABLE IF NOT EXISTS dualwrite.migration (
                          name                text PRIMARY KEY,
                          source_schema       text NOT NULL,
                          source_table        text NOT NULL,
                          key_column          text NOT NULL,
                          source_column       text NOT NULL,
                          target_schema       text NOT NULL,
                          target_table        text NOT NULL,
                          target_key_column   text NOT NULL,
                          target_value_column text NOT NULL,
                          primary_flag_column text NOT NULL,
                          sync_view           text NOT NULL,
                          phase               text NOT NULL CHECK (phase IN
                                                ('EXPANDED','DUAL_WRITE','READ_NEW','NEW_ONLY','CONTRACTED')),
                          phase_changed_at    timestamptz NOT NULL DEFAULT now(),
                          created_at          timestamptz NOT NULL DEFAULT now()
                        )""");
                s.execute("""
                        CREATE TABLE IF NOT EXISTS dualwrite.phase_change (
                          id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                          migration  text NOT NULL REFERENCES dualwrite.migration(name),
                          from_phase text,
                          to_phase   text NOT NULL,
                          changed_by text NOT NULL,
                          reason     text,
                          changed_at timestamptz NOT NULL DEFAULT now()
                        )""");
                s.execute("""
                        CREATE TABLE IF NOT EXISTS dualwrite.backfill_checkpoint (
                          migration    text PRIMARY KEY REFERENCES dualwrite.migration(name),
                          rows_copied  bigint NOT NULL DEFAULT 0,
                          batches      bigint NOT NULL DEFAULT 0,
                          total_rows   bigint,
                          started_at   timestamptz NOT NULL DEFAULT now(),
                          updated_at   timestamptz NOT NULL DEFAULT now(),
                          completed_at timestamptz
                        )""");
                // columns added after the first release: ADD COLUMN IF NOT EXISTS upgrades older schemas in place
                s.execute("""
                        ALTER TABLE dualwrite.migration
                          ADD COLUMN IF NOT EXISTS shadow_sample_rate double precision NOT NULL DEFAULT 0
                            CHECK (shadow_sample_rate BETWEEN 0 AND 1),
                          ADD COLUMN IF NOT EXISTS last_parity_mismatches bigint,
                          ADD COLUMN IF NOT EXISTS last_parity_at timestamptz""");
                s.execute("""
                        CREATE TABLE IF NOT EXISTS dualwrite.instance (
                          id           text PRIMARY KEY,
                          host         text NOT NULL,
                          pid          bigint NOT NULL,
                          started_at   timestamptz NOT NULL,
                          heartbeat_at timestamptz NOT NULL DEFAULT now(),
                          applied      jsonb NOT NULL DEFAULT '{}'
                        )""");
            }
            return null;
        });
    }

    /**
     * Records that a driver instance is alive and which phase it applies to each migration; the
     * backfill waits for these acknowledgements before it starts.
     */
    public static void heartbeat(Connection c, String instanceId, String host, long pid, java.time.Instant startedAt,
                                 String appliedJson) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                INSERT INTO dualwrite.instance (id, host, pid, started_at, heartbeat_at, applied)
                VALUES (?, ?, ?, ?, now(), ?::jsonb)
                ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), applied = EXCLUDED.applied""")) {
            p.setString(1, instanceId);
            p.setString(2, host);
            p.setLong(3, pid);
            p.setObject(4, java.time.OffsetDateTime.ofInstant(startedAt, java.time.ZoneOffset.UTC));
            p.setString(5, appliedJson);
            p.executeUpdate();
        }
    }

    /** Live instances (heartbeat younger than {@code staleAfterMillis}) that do not apply {@code phase} to the migration yet. */
    public static List<String> instancesNotOn(Connection c, String migration, Phase phase, long staleAfterMillis)
            throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("""
                SELECT id || ' (' || host || ', pid ' || pid || ', applies ' || coalesce(applied ->> ?, 'nothing') || ')'
                FROM dualwrite.instance
                WHERE heartbeat_at > now() - make_interval(secs => ? / 1000.0)
                  AND (applied ->> ?) IS DISTINCT FROM ?
                ORDER BY id""")) {
            p.setString(1, migration);
            p.setLong(2, staleAfterMillis);
            p.setString(3, migration);
            p.setString(4, phase.name());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /**
     * Registers a migration in phase {@code EXPANDED} and creates its sync view and trigger.
     * Re-registering the same spec is a no-op; a different spec under the same name is refused.
     *
     * @return the phase the migration is in after the call (an existing migration keeps its phase)
     */
    public static Phase register(Connection c, MigrationSpec spec) throws SQLException {
        install(c);
        return inTransaction(c, () -> {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + INSTALL_LOCK + ")");
                Optional<MigrationState> existing = find(c, spec.name());
                if (existing.isPresent() && !existing.get().spec().equals(spec)) {
                    throw new SQLException("migration " + spec.name() + " is already registered as "
                            + existing.get().spec() + "; it differs from the requested " + spec
                            + ". Drop it from dualwrite.migration first, or use the registered settings.", "42710");
                }
                String keyType = columnType(c, spec.sourceSchema(), spec.sourceTable(), spec.keyColumn());
                String valueType = columnType(c, spec.sourceSchema(), spec.sourceTable(), spec.sourceColumn());
                String probe = probeLiteral(c, spec);
                s.execute("CREATE SEQUENCE IF NOT EXISTS " + deleteCounterName(spec));
                // the trigger runs as the application's role; a counter tells nothing, so any role may advance it
                s.execute("GRANT USAGE, SELECT ON SEQUENCE " + deleteCounterName(spec) + " TO PUBLIC");
                String view = "dualwrite." + Identifiers.quote(spec.syncView());
                String function = "dualwrite." + Identifiers.quote(spec.syncView() + "_apply");
                s.execute("CREATE OR REPLACE VIEW " + view + " AS SELECT NULL::" + keyType + " AS k, NULL::" + valueType
                        + " AS v, false AS deleted WHERE false");
                s.execute("CREATE OR REPLACE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql AS $dualwrite$\n"
                        + syncFunctionBody(spec, probe, syncLockKey(c, spec)) + "\n$dualwrite$");
                s.execute("DROP TRIGGER IF EXISTS apply ON " + view);
                s.execute("CREATE TRIGGER apply INSTEAD OF INSERT ON " + view + " FOR EACH ROW EXECUTE FUNCTION " + function + "()");
                if (existing.isPresent()) {
                    return existing.get().phase();
                }
                try (PreparedStatement p = c.prepareStatement("""
                        INSERT INTO dualwrite.migration (name, source_schema, source_table, key_column, source_column,
                          target_schema, target_table, target_key_column, target_value_column, primary_flag_column,
                          sync_view, phase) VALUES (?,?,?,?,?,?,?,?,?,?,?,'EXPANDED')""")) {
                    int i = 0;
                    p.setString(++i, spec.name());
                    p.setString(++i, spec.sourceSchema());
                    p.setString(++i, spec.sourceTable());
                    p.setString(++i, spec.keyColumn());
                    p.setString(++i, spec.sourceColumn());
                    p.setString(++i, spec.targetSchema());
                    p.setString(++i, spec.targetTable());
                    p.setString(++i, spec.targetKeyColumn());
                    p.setString(++i, spec.targetValueColumn());
                    p.setString(++i, spec.primaryFlagColumn());
                    p.setString(++i, spec.syncView());
                    p.executeUpdate();
                }
                recordChange(c, spec.name(), null, Phase.EXPANDED, "expand", "migration registered");
                return Phase.EXPANDED;
            }
        });
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
        b.append("  PERFORM pg_advisory_xact_lock_shared(").append(lockKey).append(");\n");
        b.append("  PERFORM nextval('").append(deleteCounterName(spec).replace("'", "''")).append("');\n");
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
        return SCHEMA + "." + Identifiers.quote(truncate(spec.syncView(), 55) + "_deletes");
    }

    private static String truncate(String name, int max) {
        return name.length() <= max ? name : name.substring(0, max);
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
            p.setString(1, SCHEMA + "." + Identifiers.quote(spec.syncView() + "_apply") + "()");
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() && rs.getString(1).contains(PROBE_MARK);
            }
        }
    }

    /** The SQL type of a column as {@code format_type} spells it, or an error naming the column. */
    public static String columnType(Connection c, String schema, String table, String column) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND NOT a.attisdropped AND a.attnum > 0""")) {
            p.setString(1, Identifiers.quote(schema) + "." + Identifiers.quote(table));
            p.setString(2, column);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("column " + schema + "." + table + "." + column
                            + " does not exist; check --source / --key (names are case-sensitive once quoted)", "42703");
                }
                return rs.getString(1);
            }
        }
    }

    /** Every registered migration with its phase; empty when the control schema is absent. */
    public static List<MigrationState> load(Connection c) throws SQLException {
        List<MigrationState> out = new ArrayList<>();
        if (!isInstalled(c)) {
            return out;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(SELECT_MIGRATION + " ORDER BY name")) {
            while (rs.next()) {
                out.add(read(rs));
            }
        }
        return out;
    }

    public static Optional<MigrationState> find(Connection c, String name) throws SQLException {
        if (!isInstalled(c)) {
            return Optional.empty();
        }
        try (PreparedStatement p = c.prepareStatement(SELECT_MIGRATION + " WHERE name = ?")) {
            p.setString(1, name);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** Like {@link #find} but fails with a message listing the migrations that do exist. */
    public static MigrationState require(Connection c, String name) throws SQLException {
        Optional<MigrationState> m = find(c, name);
        if (m.isPresent()) {
            return m.get();
        }
        List<String> names = load(c).stream().map(s -> s.spec().name()).toList();
        throw new SQLException("no migration named '" + name + "'"
                + (names.isEmpty() ? "; none is registered: run dualwrite expand first" : "; registered: " + names), "42704");
    }

    /**
     * Sets the phase and writes the audit entry, in one transaction.
     *
     * @return the phase before the change
     */
    public static Phase setPhase(Connection c, String name, Phase phase, String changedBy, String reason) throws SQLException {
        return inTransaction(c, () -> {
            Phase before;
            try (PreparedStatement p = c.prepareStatement("SELECT phase FROM dualwrite.migration WHERE name = ? FOR UPDATE")) {
                p.setString(1, name);
                try (ResultSet rs = p.executeQuery()) {
                    before = rs.next() ? Phase.valueOf(rs.getString(1)) : null;
                }
            }
            if (before == null) {
                require(c, name); // throws, naming the migrations that do exist
            }
            if (before != phase) {
                try (PreparedStatement p = c.prepareStatement(
                        "UPDATE dualwrite.migration SET phase = ?, phase_changed_at = now() WHERE name = ?")) {
                    p.setString(1, phase.name());
                    p.setString(2, name);
                    p.executeUpdate();
                }
                recordChange(c, name, before, phase, changedBy, reason);
                notifyFleet(c, name);
            }
            return before;
        });
    }

    /** The channel every driver instance LISTENs on; the payload is the migration's name. */
    public static final String CHANNEL = "dualwrite_control";

    /** Wakes every instance's follower at commit; polling covers a lost notification. */
    private static void notifyFleet(Connection c, String name) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
            p.setString(1, name);
            p.execute();
        }
    }

    /**
     * The share of reads (0 to 1) that, in DUAL_WRITE, are also run against the target table and
     * compared (shadow reads); 0 turns shadow reads off.
     */
    public static void setShadowSampleRate(Connection c, String name, double rate) throws SQLException {
        if (!(rate >= 0 && rate <= 1)) {
            throw new SQLException("shadow sample rate must be between 0 and 1 (0.01 = 1 % of reads), got " + rate, "22023");
        }
        inTransaction(c, () -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE dualwrite.migration SET shadow_sample_rate = ? WHERE name = ?")) {
                p.setDouble(1, rate);
                p.setString(2, name);
                if (p.executeUpdate() == 0) {
                    require(c, name);
                }
            }
            notifyFleet(c, name);
            return null;
        });
    }

    /** Keeps the latest parity result, for gates and for JMX. */
    public static void recordParity(Connection c, String name, long mismatches) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "UPDATE dualwrite.migration SET last_parity_mismatches = ?, last_parity_at = now() WHERE name = ?")) {
            p.setLong(1, mismatches);
            p.setString(2, name);
            p.executeUpdate();
        }
    }

    private static void recordChange(Connection c, String name, Phase from, Phase to, String by, String reason) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO dualwrite.phase_change (migration, from_phase, to_phase, changed_by, reason) VALUES (?,?,?,?,?)")) {
            p.setString(1, name);
            p.setString(2, from == null ? null : from.name());
            p.setString(3, to.name());
            p.setString(4, by);
            p.setString(5, reason);
            p.executeUpdate();
        }
    }

    private static final String SELECT_MIGRATION = """
            SELECT name, source_schema, source_table, key_column, source_column, target_schema, target_table,
                   target_key_column, target_value_column, primary_flag_column, sync_view, phase,
                   shadow_sample_rate, last_parity_mismatches, last_parity_at
            FROM dualwrite.migration""";

    private static MigrationState read(ResultSet rs) throws SQLException {
        MigrationSpec spec = new MigrationSpec(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11));
        long parity = rs.getLong(14);
        Long lastParity = rs.wasNull() ? null : parity;
        return new MigrationState(spec, Phase.valueOf(rs.getString(12)), rs.getDouble(13), lastParity,
                rs.getObject(15, java.time.OffsetDateTime.class));
    }

    /** Default name of the sync view for a source column. */
    public static String syncViewName(String sourceTable, String sourceColumn) {
        return "sync_" + sourceTable + "_" + sourceColumn;
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    /** Runs work in one transaction on c, restoring c's auto-commit mode afterwards. */
    private static <T> T inTransaction(Connection c, SqlWork<T> work) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        if (!autoCommit) {
            return work.run();
        }
        c.setAutoCommit(false);
        try {
            T result = work.run();
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }
}
