package io.dualwrite.control;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The registry in the {@code dualwrite} schema of the application's own database: which migrations
 * exist, what each moves where, and the phase every driver instance must apply (DESIGN principle 6).
 * The tables themselves are {@link ControlTables}'; the sync view per migration is {@link SyncTrigger}'s;
 * phase changes go through
 * {@code io.dualwrite.control.phase.PhaseWriter} only.
 *
 * <p>Everything here is idempotent: running it twice changes nothing the second time.
 */
public final class ControlSchema {

    public static final String SCHEMA = MigrationSpec.CONTROL_SCHEMA;

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

    /**
     * Registers a migration in phase {@code EXPANDED} and creates its sync view and trigger, and the
     * {@link CaptureTrigger} when the source table has row-level security. Re-registering the same spec
     * only re-creates those (run {@code dualwrite expand} again after enabling row-level security); a
     * different spec under the same name is refused.
     *
     * @return the phase the migration is in after the call (an existing migration keeps its phase)
     */
    public static Phase register(Connection c, MigrationSpec spec) throws SQLException {
        ControlTables.install(c);
        return Transactions.inTransaction(c, () -> {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + ControlTables.INSTALL_LOCK + ")");
                Optional<MigrationState> existing = find(c, spec.name());
                if (existing.isPresent() && !existing.get().spec().equals(spec)) {
                    throw new SQLException("migration " + spec.name() + " is already registered as "
                            + existing.get().spec() + "; it differs from the requested " + spec
                            + ". Drop it from dualwrite.migration first, or use the registered settings.", "42710");
                }
                if (existing.isPresent()) {
                    SyncTrigger.install(c, spec);
                    TranslatedSync.install(c, spec);
                    DeletedKeysTrigger.installFunctions(c, spec);
                    CaptureTrigger.installIfRowSecurity(c, spec);
                    return existing.get().phase();
                }
                requireOwnSyncView(c, spec);
                requireOnlyMigrationOfTable(c, spec);
                SyncTrigger.install(c, spec);
                TranslatedSync.install(c, spec);
                DeletedKeysTrigger.installFunctions(c, spec);
                CaptureTrigger.installIfRowSecurity(c, spec);
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
                PhaseLog.append(c, spec.name(), null, Phase.EXPANDED, "expand", "migration registered");
                return Phase.EXPANDED;
            }
        });
    }

    /** Another migration's sync view would be replaced by this one's: refused, naming both. */
    private static void requireOwnSyncView(Connection c, MigrationSpec spec) throws SQLException {
        if (Identifiers.bytes(spec.syncView()) > SYNC_VIEW_MAX_BYTES) {
            throw new SQLException("sync view name " + spec.syncView() + " is longer than " + SYNC_VIEW_MAX_BYTES
                    + " bytes; PostgreSQL would truncate it or a name derived from it. Use ControlSchema.syncViewName.", "42622");
        }
        try (PreparedStatement p = c.prepareStatement("SELECT name FROM dualwrite.migration WHERE sync_view = ? AND name <> ?")) {
            p.setString(1, spec.syncView());
            p.setString(2, spec.name());
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next()) {
                    throw new SQLException("sync view dualwrite." + spec.syncView() + " belongs to migration " + rs.getString(1)
                            + "; migration " + spec.name() + " needs its own. Use ControlSchema.unusedSyncViewName.", "42710");
                }
            }
        }
    }

    /**
     * A second migration of the same table is refused: a statement on the table (a DELETE, an INSERT, {@code SELECT *})
     * would need both migrations' rewrites at once, which the rewriter does not combine, so from the second one's
     * DUAL_WRITE on the application's writes there would be refused. A migration stays registered after its contract
     * (the driver translates the legacy SQL from then on), so this holds for a contracted one too. Nothing to check
     * before the control schema exists.
     */
    public static void requireOnlyMigrationOfTable(Connection c, MigrationSpec spec) throws SQLException {
        if (!Queries.isTrue(c, "SELECT to_regclass('dualwrite.migration') IS NOT NULL")) {
            return;
        }
        try (PreparedStatement p = c.prepareStatement("SELECT name, phase FROM dualwrite.migration"
                + " WHERE source_schema = ? AND source_table = ? AND name <> ?")) {
            p.setString(1, spec.sourceSchema());
            p.setString(2, spec.sourceTable());
            p.setString(3, spec.name());
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next()) {
                    throw new SQLException("table " + spec.qualifiedSource() + " already has migration " + rs.getString(1)
                            + " (phase " + rs.getString(2) + "); dualwrite migrates one column per table: a statement on the"
                            + " table would need the rewrites of both migrations at once, which the driver does not combine,"
                            + " and a migration stays registered after its contract, where the driver goes on translating."
                            + " Several migrations of one table are not supported: migrate " + spec.sourceColumn()
                            + " without dualwrite.", "0A000");
                }
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
        ControlTables.requireKnownVersion(c);
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
        ControlTables.requireKnownVersion(c);
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
        throw noSuchMigration(c, name);
    }

    /** The error for an unknown migration name, listing the names that do exist. */
    public static SQLException noSuchMigration(Connection c, String name) throws SQLException {
        List<String> names = load(c).stream().map(s -> s.spec().name()).toList();
        return new SQLException("no migration named '" + name + "'"
                + (names.isEmpty() ? "; none is registered: run dualwrite expand first" : "; registered: " + names), "42704");
    }

    /**
     * The share of reads (0 to 1) that, in DUAL_WRITE, are also run against the target table and
     * compared (shadow reads); 0 turns shadow reads off.
     */
    public static void setShadowSampleRate(Connection c, String name, double rate) throws SQLException {
        if (!(rate >= 0 && rate <= 1)) {
            throw new SQLException("shadow sample rate must be between 0 and 1 (0.01 = 1 % of reads), got " + rate, "22023");
        }
        Transactions.inTransaction(c, () -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE dualwrite.migration SET shadow_sample_rate = ? WHERE name = ?")) {
                p.setDouble(1, rate);
                p.setString(2, name);
                if (p.executeUpdate() == 0) {
                    require(c, name);
                }
            }
            PhaseLog.notifyFleet(c, name);
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

    /**
     * Records the source table's live columns in {@code dualwrite.source_column} from the catalog, replacing
     * the rows recorded before: position, name, type, collation (when not the type's default), NOT NULL and
     * default (a domain's own when the column has none, and its NOT NULL: what a row leaving the column out gets). Called while the old column still exists: entering READ_NEW and NEW_ONLY (the phase writer),
     * and just before the contract drops it.
     *
     * @param keepOldColumnNotNull the old column stays NOT NULL in the record when the record before said so, whatever
     *                             the catalog says: NEW_ONLY's gate has the operator drop the constraint (the driver no
     *                             longer writes the column), which the application must not notice, so the translation
     *                             goes on refusing a NULL as the column did
     * @return whether the record kept a NOT NULL the catalog no longer has
     */
    public static boolean recordSourceColumns(Connection c, MigrationSpec spec, boolean keepOldColumnNotNull)
            throws SQLException {
        boolean wasNotNull = keepOldColumnNotNull && sourceColumns(c, spec.name()).stream()
                .anyMatch(col -> col.name().equals(spec.sourceColumn()) && col.notNull());
        try (PreparedStatement p = c.prepareStatement("DELETE FROM dualwrite.source_column WHERE migration = ?")) {
            p.setString(1, spec.name());
            p.executeUpdate();
        }
        try (PreparedStatement p = c.prepareStatement("""
                INSERT INTO dualwrite.source_column (migration, position, name, type, collation_name, not_null, default_sql)
                SELECT ?, row_number() OVER (ORDER BY a.attnum), a.attname, format_type(a.atttypid, a.atttypmod),
                       CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                            THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END,
                       a.attnotnull OR t.typnotnull OR (? AND a.attname = ?),
                       CASE WHEN a.attgenerated = '' THEN coalesce(pg_get_expr(d.adbin, d.adrelid), t.typdefault) END
                FROM pg_attribute a
                JOIN pg_type t ON t.oid = a.atttypid
                LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                LEFT JOIN pg_collation co ON co.oid = a.attcollation
                LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
                WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped""")) {
            p.setString(1, spec.name());
            p.setBoolean(2, wasNotNull);
            p.setString(3, spec.sourceColumn());
            p.setString(4, spec.qualifiedSource());
            if (p.executeUpdate() == 0) {
                throw new SQLException("cannot record the columns of " + spec.qualifiedSource() + ": the table does not exist"
                        + " (renamed or dropped?); restore it, or check the migration's source in dualwrite.migration", "42P01");
            }
        }
        return wasNotNull && !Queries.isTrue(c, "SELECT attnotnull FROM pg_attribute WHERE attrelid = to_regclass(?)"
                + " AND attname = ? AND NOT attisdropped", spec.qualifiedSource(), spec.sourceColumn());
    }

    /** The source table's columns as last recorded ({@link #recordSourceColumns}), by position; empty when never recorded. */
    public static List<SourceColumn> sourceColumns(Connection c, String migration) throws SQLException {
        List<SourceColumn> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("""
                SELECT position, name, type, collation_name, not_null, default_sql FROM dualwrite.source_column
                WHERE migration = ? ORDER BY position""")) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new SourceColumn(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getBoolean(5), rs.getString(6)));
                }
            }
        }
        return out;
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
                rs.getObject(15, OffsetDateTime.class));
    }

    /**
     * The longest sync view name: then its trigger function ({@code _apply}), delete counter ({@code _deletes}) and
     * the reverse-sync mirror's trigger ({@code dualwrite_…_mirror}) fit in 63 bytes too, so PostgreSQL never
     * truncates one migration's object into another's name.
     */
    public static final int SYNC_VIEW_MAX_BYTES = Identifiers.MAX_BYTES - "dualwrite_".length() - "_mirror".length();

    /** {@link #syncViewName(String, String, String)} of a table in {@code public}. */
    public static String syncViewName(String sourceTable, String sourceColumn) {
        return syncViewName("public", sourceTable, sourceColumn);
    }

    /**
     * Default name of the sync view for a source column: {@code sync_<table>_<column>} for a table in {@code public}
     * when it fits in {@link #SYNC_VIEW_MAX_BYTES}; else as much of it as fits and a hash of the three names, so
     * that equal tables in two schemas, or two long names with one prefix, get two views.
     */
    public static String syncViewName(String sourceSchema, String sourceTable, String sourceColumn) {
        String readable = "sync_" + sourceTable + "_" + sourceColumn;
        if ("public".equals(sourceSchema) && Identifiers.bytes(readable) <= SYNC_VIEW_MAX_BYTES) {
            return readable;
        }
        return hashedSyncViewName(readable, sourceSchema, sourceTable, sourceColumn);
    }

    /**
     * The sync view name for a migration about to be registered: {@link #syncViewName(String, String, String)}, or its
     * hashed form when another registered migration has that name already ({@code sync_a_b_c} is both
     * {@code a_b.c} and {@code a.b_c}).
     */
    public static String unusedSyncViewName(Connection c, String sourceSchema, String sourceTable, String sourceColumn)
            throws SQLException {
        String name = syncViewName(sourceSchema, sourceTable, sourceColumn);
        boolean taken = load(c).stream().anyMatch(m -> m.spec().syncView().equals(name)
                && !(m.spec().sourceSchema().equals(sourceSchema) && m.spec().sourceTable().equals(sourceTable)
                && m.spec().sourceColumn().equals(sourceColumn)));
        return taken ? hashedSyncViewName("sync_" + sourceTable + "_" + sourceColumn, sourceSchema, sourceTable, sourceColumn)
                : name;
    }

    private static String hashedSyncViewName(String readable, String schema, String table, String column) {
        String hash = Names.hash(Identifiers.quote(schema) + "." + Identifiers.quote(table) + "." + Identifiers.quote(column));
        return Identifiers.truncate(readable, SYNC_VIEW_MAX_BYTES - hash.length() - 1) + "_" + hash;
    }
}
