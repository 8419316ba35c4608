package io.dualwrite.migrator.expand;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.MigrationState;
import io.dualwrite.control.Queries;
import io.dualwrite.control.ValueIndexes;
import io.dualwrite.migrator.UsageException;
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
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The expand step: target table, unique partial index on the target key WHERE the primary flag,
 * the control schema, and the migration registered in {@link Phase#EXPANDED}. Additive only
 * (nothing the application uses is changed), idempotent: a second run finds everything in place.
 */
public final class Expander {

    private Expander() {
    }

    /**
     * What expand finds before it creates anything: the migration it registers, whether it is registered already, whether
     * the target exists, and the source's types and collations (the target's columns get them).
     *
     * @param partitionColumns the source's partition key columns (empty when it is not partitioned)
     */
    public record Checked(MigrationSpec spec, boolean registered, boolean targetExists, String keyType, String keyCollation,
                          String valueType, String valueCollation, List<String> partitionColumns) {
    }

    /**
     * Every check expand makes before it changes anything (source table, key, column, its type's equality, an existing
     * target's shape, a migration of the table registered already or differently), each refusing with what to do.
     * Read-only: {@code dualwrite plan} runs it too, so it refuses what expand would, with the same words.
     */
    public static Checked check(Connection c, ExpandRequest r) throws SQLException {
        String sourceSchema = r.source().schema() != null ? r.source().schema() : schemaOf(c, r.source().table(), "--source");
        String sourceTable = r.source().table();
        String qSource = Identifiers.quote(sourceSchema) + "." + Identifiers.quote(sourceTable);
        requireTable(c, qSource, "source table " + sourceSchema + "." + sourceTable, "--source");
        String keyType = requireColumn(c, qSource, r.keyColumn(), "key column", "--key");
        String valueType = requireColumn(c, qSource, r.source().column(), "source column", "--source");
        String valueCollation = collation(c, qSource, r.source().column());
        if (r.keyColumn().equals(r.source().column())) {
            throw new UsageException("--key and the --source column are both '" + r.keyColumn() + "'; the key must be another column");
        }
        requireEquality(c, valueType, "source column " + sourceTable + "." + r.source().column());
        List<String> partitionColumns = KeyChecks.requireSingleColumnKey(c, qSource, sourceTable, r.keyColumn());
        String keyCollation = collation(c, qSource, r.keyColumn());

        String targetSchema = r.target().schema() != null ? r.target().schema() : sourceSchema;
        String targetTable = r.target().table();
        String qTarget = Identifiers.quote(targetSchema) + "." + Identifiers.quote(targetTable);
        String tk = r.targetKeyColumn();
        String tv = r.target().column();
        String flag = r.primaryFlagColumn();
        if (tk.equals(tv) || tk.equals(flag) || tv.equals(flag)) {
            throw new UsageException("--target-key, the --target column and --primary-flag must be three different columns");
        }

        String name = MigrationSpec.nameOf(sourceSchema, sourceTable, r.source().column());
        Optional<MigrationState> before = ControlSchema.isInstalled(c) ? ControlSchema.find(c, name) : Optional.empty();
        // a registered migration keeps its view: the driver's rewrites name it
        String syncView = before.isPresent() ? before.get().spec().syncView()
                : ControlSchema.unusedSyncViewName(c, sourceSchema, sourceTable, r.source().column());
        MigrationSpec spec = new MigrationSpec(sourceSchema, sourceTable, r.keyColumn(), r.source().column(),
                targetSchema, targetTable, tk, tv, flag, syncView);

        if (before.isPresent() && !before.get().spec().equals(spec)) {
            throw new UsageException("migration " + spec.name() + " is already registered with different settings: "
                    + before.get().spec() + ". Use the registered settings, or remove it from dualwrite.migration first.");
        }
        ControlSchema.requireOnlyMigrationOfTable(c, spec);

        boolean targetExists = tableExists(c, qTarget);
        if (targetExists) {
            String targetKeyType = requireColumn(c, qTarget, tk, "target key column", "--target-key");
            String targetKeyCollation = collation(c, qTarget, tk);
            if (!targetKeyType.equals(keyType) || !targetKeyCollation.equals(keyCollation)) {
                // the sync trigger, backfill, parity (in key ranges) and reverse sync join and compare the target key to the
                // source key: one type and one order on both sides
                throw new UsageException("target key column " + targetTable + "." + tk + " is " + targetKeyType + targetKeyCollation
                        + " but the key " + sourceTable + "." + r.keyColumn() + " is " + keyType + keyCollation
                        + "; the two are joined and compared in key ranges, which needs one type and one collation. Give the"
                        + " target key the same type and collation (ALTER TABLE ... ALTER COLUMN ... TYPE " + keyType
                        + keyCollation + "), or let expand create the table.");
            }
            String targetType = requireColumn(c, qTarget, tv, "target value column", "--target");
            String targetCollation = collation(c, qTarget, tv);
            if (!targetType.equals(valueType) || !targetCollation.equals(valueCollation)) {
                // READ_NEW serves reads from this column: they must compare, sort and describe themselves as the old one did
                throw new UsageException("target value column " + targetTable + "." + tv + " is " + targetType + targetCollation
                        + " but the source column " + sourceTable + "." + r.source().column() + " is " + valueType + valueCollation
                        + "; reads from the new table would compare, sort or report their type differently. Give the target"
                        + " column the same type and collation (ALTER TABLE ... ALTER COLUMN ... TYPE " + valueType
                        + valueCollation + "), or let expand create the table.");
            }
            String flagType = requireColumn(c, qTarget, flag, "primary flag column", "--primary-flag");
            if (!flagType.equals("boolean")) {
                throw new UsageException("primary flag column " + targetTable + "." + flag + " is " + flagType + "; it must be boolean");
            }
        }
        return new Checked(spec, before.isPresent(), targetExists, keyType, keyCollation, valueType, valueCollation,
                partitionColumns);
    }

    /**
     * Expands, after any other expand running in the database has finished ({@link ExpandLock}); {@code waiting} hears
     * once when this one waits. One run after another finds what the first created: the result says it is expanded
     * already.
     */
    public static ExpandResult expand(Connection c, ExpandRequest r, Consumer<String> waiting) throws SQLException {
        if (!c.getAutoCommit()) {
            throw new IllegalArgumentException("Expander needs an auto-commit connection (CREATE INDEX CONCURRENTLY)");
        }
        try (ExpandLock lock = ExpandLock.acquire(c, waiting)) {
            return expandAlone(c, r);
        }
    }

    private static ExpandResult expandAlone(Connection c, ExpandRequest r) throws SQLException {
        List<String> actions = new ArrayList<>();
        Checked checked = check(c, r);
        MigrationSpec spec = checked.spec();
        String sourceTable = spec.sourceTable();
        if (!checked.partitionColumns().isEmpty()) {
            actions.add("note: " + sourceTable + " is partitioned by " + String.join(", ", checked.partitionColumns())
                    + ", so PostgreSQL enforces " + r.keyColumn() + " unique only together with it; the migration needs it"
                    + " unique alone (an identity or sequence does that); parity reports a key found in two partitions");
        }
        String keyType = checked.keyType(), keyCollation = checked.keyCollation();
        String valueType = checked.valueType(), valueCollation = checked.valueCollation();
        String targetSchema = spec.targetSchema(), targetTable = spec.targetTable();
        String qSource = spec.qualifiedSource(), qTarget = spec.qualifiedTarget();
        String tk = spec.targetKeyColumn(), tv = spec.targetValueColumn(), flag = spec.primaryFlagColumn();

        boolean createdTable = false;
        if (!checked.targetExists()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + qTarget + " ("
                        + Identifiers.quote(tk) + " " + keyType + keyCollation + " NOT NULL, "
                        + Identifiers.quote(tv) + " " + valueType + valueCollation + " NOT NULL, "
                        + Identifiers.quote(flag) + " boolean NOT NULL DEFAULT false)");
            }
            createdTable = true;
            actions.add("created table " + targetSchema + "." + targetTable + " (" + tk + " " + keyType + keyCollation + ", " + tv + " "
                    + valueType + valueCollation + ", " + flag + " boolean)");
        }

        String indexName = indexName(targetSchema, targetTable, tk);
        boolean createdIndex = false;
        String existingIndex = findPrimaryIndex(c, qTarget, tk, flag);
        if (existingIndex == null) {
            boolean hasRows;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM " + qTarget + ")")) {
                rs.next();
                hasRows = rs.getBoolean(1);
            }
            String ddl = "CREATE UNIQUE INDEX " + (hasRows ? "CONCURRENTLY " : "") + "IF NOT EXISTS " + Identifiers.quote(indexName)
                    + " ON " + qTarget + " (" + Identifiers.quote(tk) + ") WHERE " + Identifiers.quote(flag);
            try (Statement s = c.createStatement()) {
                s.execute(ddl);
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) {
                    throw new UsageException("cannot create the unique index " + indexName + ": " + targetTable
                            + " already has two rows with " + flag + " = true for the same " + tk + ". Fix those rows"
                            + (hasRows ? ", drop the invalid index (DROP INDEX CONCURRENTLY " + Identifiers.quote(targetSchema)
                            + "." + Identifiers.quote(indexName) + ")" : "") + " and run expand again.", e);
                }
                throw e;
            }
            existingIndex = findPrimaryIndex(c, qTarget, tk, flag);
            if (existingIndex == null) {
                throw new UsageException("index " + indexName + " exists but is not a valid unique index on (" + tk + ") WHERE "
                        + flag + " (a failed CREATE INDEX CONCURRENTLY leaves an invalid one). Drop it and run expand again.");
            }
            createdIndex = true;
            actions.add("created unique index " + indexName + " ON " + targetTable + " (" + tk + ") WHERE " + flag
                    + (hasRows ? " (concurrently)" : ""));
        }

        lookupIndexes(c, qSource, spec.sourceColumn(), targetSchema, targetTable, tv, flag, actions);

        boolean installed = ControlSchema.isInstalled(c);
        try {
            Phase phase = ControlSchema.register(c, spec);
            if (!installed) {
                actions.add("installed the control schema dualwrite");
            }
            if (!checked.registered()) {
                actions.add("registered migration " + spec.name() + " in phase " + phase
                        + " (sync view dualwrite." + spec.syncView() + ")");
            }
            return new ExpandResult(spec, phase, checked.registered() && actions.isEmpty(), createdTable, createdIndex,
                    existingIndex, List.copyOf(actions));
        } catch (SQLException e) {
            if ("42710".equals(e.getSQLState()) || "42703".equals(e.getSQLState())) {
                throw new UsageException(e.getMessage(), e);
            }
            throw e;
        }
    }

    /**
     * The old column's indexes, mirrored on the new table's primary rows: each valid index whose one key is the column,
     * or an expression of it alone ({@code lower(email)}), gets its twin on the value column ({@code lower(address)})
     * WHERE the flag, unless the target has that key. From READ_NEW on the driver looks rows up by value in the new
     * table ({@code ValueLookups} in the rewriter), which without them would scan it. Never unique, even where the old
     * index is: a unique index on the value column turns the sync trigger's delete probe off ({@code SyncTrigger}, whose
     * placeholder rows would collide in it), and while the old column is written its own index refuses duplicates
     * (its unique twins are built when the fleet leaves READ_NEW: {@link ValueIndexes#uniqueTwins}).
     * Concurrently; one that cannot be built is a warning that says what to do, not a failure.
     */
    private static void lookupIndexes(Connection c, String qSource, String column, String targetSchema, String targetTable,
                                      String value, String flag, List<String> actions) throws SQLException {
        String qTarget = Identifiers.quote(targetSchema) + "." + Identifiers.quote(targetTable);
        Map<List<String>, String> present = ValueIndexes.keyIndexes(c, qTarget, value);
        int n = 0;
        for (String source : ValueIndexes.keyIndexes(c, qSource, column).values()) {
            String key = ValueIndexes.mirror(source, column, value);
            List<String> mirrored = ValueIndexes.normalizedTokens(key);
            if (present.containsKey(mirrored)) {
                continue;
            }
            boolean plain = mirrored.size() == 1;
            String name = indexName(targetSchema, targetTable, value, (plain ? "" : "_expr" + (++n)) + "_lookup_idx");
            String what = "index " + name + " ON " + targetTable + " (" + key + ") WHERE " + flag;
            try (Statement st = c.createStatement()) {
                st.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS " + Identifiers.quote(name) + " ON " + qTarget + " ("
                        + (plain ? key : "(" + key + ")") + ") WHERE " + Identifiers.quote(flag));
                actions.add("created " + what + " (concurrently), the twin of " + column + "'s index on (" + source
                        + "): lookups by value read the new table from READ_NEW on");
            } catch (SQLException e) {
                actions.add("warning: could not create " + what + ": " + e.getMessage() + ". Reads that look users up by"
                        + " that key would scan " + targetTable + " from READ_NEW on. Fix the cause, drop the invalid index"
                        + " (DROP INDEX CONCURRENTLY " + Identifiers.quote(targetSchema) + "." + Identifiers.quote(name)
                        + ") and run expand again.");
            }
            present.put(mirrored, key);
        }
    }

    /**
     * {@code <table>_<column>_primary_uidx}; when that is longer than PostgreSQL keeps, as much of it as fits and a
     * hash of the names, so it is never truncated into another relation's name (a 63-byte table name would be one).
     */
    static String indexName(String schema, String table, String column) {
        return indexName(schema, table, column, "_primary_uidx");
    }

    private static String indexName(String schema, String table, String column, String suffix) {
        return ValueIndexes.indexName(schema, table, column, suffix);
    }

    private static String schemaOf(Connection c, String table, String option) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT n.nspname FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace WHERE t.oid = to_regclass(?)")) {
            p.setString(1, Identifiers.quote(table));
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    throw new UsageException("table " + table + " (from " + option + ") does not exist on the search_path;"
                            + " check the name, or qualify it as schema.table.column");
                }
                return rs.getString(1);
            }
        }
    }

    /**
     * Parity, the backfill's recheck and the sync trigger compare old and new values with {@code IS DISTINCT FROM};
     * a type without an equality operator ({@code json}, {@code xml}, {@code point}) cannot be verified, so it is
     * refused before anything is created. PostgreSQL itself resolves the operator, as those statements will.
     */
    private static void requireEquality(Connection c, String type, String what) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT NULL::" + type + " IS DISTINCT FROM NULL::" + type);
        } catch (SQLException e) {
            if ("42883".equals(e.getSQLState())) {
                throw new UsageException(what + " is of type " + type + ", which has no equality operator, so parity"
                        + " cannot compare the old and new values. Migrate a column of a comparable type (for json:"
                        + " ALTER TABLE ... ALTER COLUMN ... TYPE jsonb), or add an equality operator for the type.", e);
            }
            throw e;
        }
    }

    private static boolean tableExists(Connection c, String qualified) throws SQLException {
        return Queries.isTrue(c, "SELECT to_regclass(?) IS NOT NULL", qualified);
    }

    private static void requireTable(Connection c, String qualified, String what, String option) throws SQLException {
        if (!tableExists(c, qualified)) {
            throw new UsageException(what + " does not exist; check " + option);
        }
    }

    private static String requireColumn(Connection c, String qualifiedTable, String column, String what, String option)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND NOT a.attisdropped AND a.attnum > 0""")) {
            p.setString(1, qualifiedTable);
            p.setString(2, column);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    throw new UsageException(what + " " + column + " does not exist in " + qualifiedTable + "; check " + option
                            + " (unquoted names are folded to lower case)");
                }
                return rs.getString(1);
            }
        }
    }

    /** {@code " COLLATE schema.name"} when the column's collation is not its type's default, else empty. */
    private static String collation(Connection c, String qualifiedTable, String column) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                SELECT CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                            THEN ' COLLATE ' || quote_ident(n.nspname) || '.' || quote_ident(co.collname) ELSE '' END
                FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                LEFT JOIN pg_collation co ON co.oid = a.attcollation LEFT JOIN pg_namespace n ON n.oid = co.collnamespace
                WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND NOT a.attisdropped""")) {
            p.setString(1, qualifiedTable);
            p.setString(2, column);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /**
     * A valid unique index on exactly (targetKey) whose predicate is the flag column, which is what
     * {@code ON CONFLICT (targetKey) WHERE flag} infers; null if none.
     */
    private static String findPrimaryIndex(Connection c, String qualifiedTable, String targetKey, String flag) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                SELECT ic.relname, pg_get_expr(i.indpred, i.indrelid)
                FROM pg_index i
                JOIN pg_class ic ON ic.oid = i.indexrelid
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                WHERE i.indrelid = to_regclass(?) AND i.indisunique AND i.indisvalid AND i.indexprs IS NULL
                  AND i.indnkeyatts = 1 AND a.attname = ? AND i.indpred IS NOT NULL
                ORDER BY ic.relname""")) {
            p.setString(1, qualifiedTable);
            p.setString(2, targetKey);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    String pred = rs.getString(2).trim();
                    if (pred.equals(flag) || pred.equals(Identifiers.quote(flag))
                            || pred.equals("(" + flag + " = true)") || pred.equals("(" + Identifiers.quote(flag) + " = true)")) {
                        return rs.getString(1);
                    }
                }
                return null;
            }
        }
    }
}
