package io.dualwrite.control;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import io.dualwrite.rewriter.lexer.Token;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The old column's indexes and their twins on the new table's primary rows. {@code expand} mirrors every index whose
 * key reads the column alone as a lookup index ({@code ValueLookups} in the rewriter reads by value from READ_NEW on).
 * Uniqueness is another matter: while the old column is written its own unique indexes refuse a duplicate, but from
 * NEW_ONLY on it is not written, and after the contract it is gone, so each unique index on it needs a unique twin on
 * the target, or the application could store what PostgreSQL refused before ({@code 23505}). Those twins are built
 * when the fleet leaves READ_NEW ({@code dualwrite phase NEW_ONLY}), not at expand: while the sync trigger may insert
 * its delete probe's placeholder value, a unique index on the value column could refuse it.
 */
public final class ValueIndexes {

    private ValueIndexes() {
    }

    /**
     * A unique index of the old column that the new table must keep from NEW_ONLY on.
     *
     * @param sourceIndex the old index: {@code unique index <name> ON <table> USING …}, from {@code pg_get_indexdef}
     * @param sourceName  the old index's name (a UNIQUE constraint's too), which errors name
     * @param name        the twin's name on the target
     * @param ddl         {@code CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS …} of the twin; null when it cannot be built
     * @param present     a valid unique twin exists
     * @param whyNot      when no twin can express it (it combines the column with other columns, or refuses a second
     *                    NULL): why; else null
     */
    public record UniqueTwin(String sourceIndex, String sourceName, String name, String ddl, boolean present,
                             String whyNot) {
    }

    /** The unique indexes of the old column and their twins, present or not; empty when the column has none (or is gone). */
    public static List<UniqueTwin> uniqueTwins(Connection c, MigrationSpec spec) throws SQLException {
        String column = spec.sourceColumn();
        String value = spec.targetValueColumn();
        String flag = Identifiers.quote(spec.primaryFlagColumn());
        List<String> sourceColumns = columns(c, spec.qualifiedSource());
        List<UniqueTwin> out = new ArrayList<>();
        int expressions = 0;
        try (PreparedStatement p = c.prepareStatement("""
                SELECT pg_get_indexdef(i.indexrelid), i.indnkeyatts, pg_get_indexdef(i.indexrelid, 1, true),
                       pg_get_expr(i.indpred, i.indrelid, true),
                       (SELECT relname FROM pg_class WHERE oid = i.indexrelid)
                FROM pg_index i
                WHERE i.indrelid = to_regclass(?) AND i.indisvalid AND i.indisunique
                ORDER BY i.indexrelid""")) {
            p.setString(1, spec.qualifiedSource());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    String definition = rs.getString(1).replaceFirst("^CREATE UNIQUE INDEX ", "unique index ");
                    // after USING: the keys, INCLUDE columns and the predicate, not the table's name
                    List<String> all = reads(normalizedTokens(definition.substring(definition.indexOf(" USING "))), sourceColumns);
                    if (!all.contains(column)) {
                        continue;
                    }
                    String key = rs.getString(3);
                    String predicate = rs.getString(4);
                    List<String> read = reads(normalizedTokens(key + (predicate == null ? "" : " " + predicate)), sourceColumns);
                    if (definition.contains(" NULLS NOT DISTINCT")) {
                        out.add(new UniqueTwin(definition, rs.getString(5), null, null, false, "NULLS NOT DISTINCT allows one"
                                + " NULL " + column + ", which from NEW_ONLY on is a row without a primary " + spec.targetTable()
                                + " row, where no index runs"));
                        continue;
                    }
                    if (rs.getInt(2) != 1 || !read.stream().allMatch(column::equals)) {
                        out.add(new UniqueTwin(definition, rs.getString(5), null, null, false, "it combines " + column + " with "
                                + String.join(", ", all.stream().filter(r -> !r.equals(column)).distinct().toList())
                                + ", which " + spec.targetTable() + " does not have"));
                        continue;
                    }
                    boolean plain = normalizedTokens(key).size() == 1;
                    String name = indexName(spec.targetSchema(), spec.targetTable(), value,
                            (plain ? "" : "_expr" + (++expressions)) + "_unique_idx");
                    String twinKey = mirror(key, column, value);
                    String twinPredicate = flag + (predicate == null ? "" : " AND (" + mirror(predicate, column, value) + ")");
                    String ddl = "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS " + Identifiers.quote(name) + " ON "
                            + spec.qualifiedTarget() + " (" + (plain ? twinKey : "(" + twinKey + ")") + ") WHERE " + twinPredicate;
                    out.add(new UniqueTwin(definition, rs.getString(5), name, ddl, validUnique(c, spec.targetSchema(), name),
                            null));
                }
            }
        }
        return out;
    }

    /**
     * The names of the unique indexes that read the value (a UNIQUE constraint's index has its name): the old column's
     * (while it exists) and those on the target that read the value column (its twins, once built, renamed or not): the
     * index's own columns ({@code indkey}), and the columns PostgreSQL records as dependencies of its expressions and
     * predicate (for a UNIQUE constraint's index it records none: the constraint depends on the column, the index on the
     * constraint). One query: the driver's follower asks at every poll. The translation refuses what only such an index
     * could decide ({@code SourceTable#valueUniqueIndexes}).
     */
    public static List<String> valueUniqueIndexes(Connection c, MigrationSpec spec) throws SQLException {
        return Queries.strings(c, """
                SELECT DISTINCT x.relname::text FROM pg_index i
                JOIN pg_class x ON x.oid = i.indexrelid
                JOIN pg_attribute a ON a.attrelid = i.indrelid
                WHERE i.indisunique AND ((i.indrelid = to_regclass(?) AND a.attname = ?)
                                         OR (i.indrelid = to_regclass(?) AND a.attname = ?))
                  AND (a.attnum = ANY (i.indkey::int2[])
                       OR EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
                                  AND d.refclassid = 'pg_class'::regclass AND d.refobjid = i.indrelid
                                  AND d.refobjsubid = a.attnum))
                ORDER BY 1""", spec.qualifiedSource(), spec.sourceColumn(), spec.qualifiedTarget(),
                spec.targetValueColumn());
    }

    /**
     * The names of the UNIQUE constraints of the old column alone that a twin stands for (the twin may be built only when
     * the fleet leaves READ_NEW, so that statements seen before are judged as they will be translated): an
     * {@code INSERT … ON CONFLICT ON CONSTRAINT} one of them arbitrates by the value as {@code ON CONFLICT (column)}
     * does, which the translation writes with the twin. Not a DEFERRABLE one, which PostgreSQL refuses as an arbiter
     * (55000). While the column exists, from the catalog; after the contract, which drops the constraints with it, from
     * the twins' restore notes ({@link ConstraintRestores}), whose {@code ADD CONSTRAINT … UNIQUE USING INDEX} re-adds
     * one.
     */
    public static Set<String> valueUniqueConstraints(Connection c, MigrationSpec spec) throws SQLException {
        Set<String> out = new TreeSet<>();
        for (UniqueTwin t : uniqueTwins(c, spec)) {
            if (t.ddl() != null) {
                out.addAll(Queries.strings(c, "SELECT conname::text FROM pg_constraint WHERE conindid = to_regclass(?)"
                        + " AND conrelid = to_regclass(?) AND contype = 'u' AND NOT condeferrable",
                        Identifiers.quote(spec.sourceSchema()) + "." + Identifiers.quote(t.sourceName()), spec.qualifiedSource()));
            }
        }
        for (ConstraintRestores.Restore r : ConstraintRestores.restores(c, spec)) {
            for (String command : r.index() ? r.commands() : List.<String>of()) {
                // ALTER TABLE <source> ADD CONSTRAINT <name> UNIQUE USING INDEX <name>, and nothing after it (DEFERRABLE)
                List<String> tokens = normalizedTokens(command);
                int add = tokens.size() - 7;
                if (add > 0 && tokens.subList(add, add + 7).equals(List.of("add", "constraint", tokens.get(add + 2), "unique",
                        "using", "index", tokens.get(add + 6)))) {
                    out.add(tokens.get(add + 2));
                }
            }
        }
        return out;
    }

    /** The valid one-key indexes of {@code table} whose key reads {@code column} alone: key as deparsed, by its normalized tokens. */
    public static Map<List<String>, String> keyIndexes(Connection c, String table, String column) throws SQLException {
        Map<List<String>, String> out = new LinkedHashMap<>();
        List<String> columns = columns(c, table);
        try (PreparedStatement p = c.prepareStatement("""
                SELECT pg_get_indexdef(i.indexrelid, 1, true) FROM pg_index i
                WHERE i.indrelid = to_regclass(?) AND i.indisvalid AND i.indnkeyatts = 1
                ORDER BY i.indexrelid""")) {
            p.setString(1, table);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    List<String> key = normalizedTokens(rs.getString(1));
                    List<String> read = reads(key, columns);
                    if (read.contains(column) && read.stream().allMatch(column::equals)) {
                        out.putIfAbsent(key, rs.getString(1));
                    }
                }
            }
        }
        return out;
    }

    /** {@code sql} with every name token {@code column} replaced by {@code value} (quoted). */
    public static String mirror(String sql, String column, String value) {
        return substitute(sql, column, Identifiers.quote(value));
    }

    /** {@code sql} with every name token {@code column} replaced by the SQL text {@code replacement}. */
    public static String substitute(String sql, String column, String replacement) {
        StringBuilder b = new StringBuilder();
        for (Token t : Lexer.tokenize(sql)) {
            b.append(t.isName() && t.normalized().equals(column) ? replacement : t.text());
        }
        return b.toString();
    }

    /** Significant tokens, names as PostgreSQL stores them: a key as written and as deparsed compare equal. */
    public static List<String> normalizedTokens(String sql) {
        List<String> out = new ArrayList<>();
        for (Token t : Statements.significant(Lexer.tokenize(sql))) {
            out.add(t.isName() ? t.normalized() : t.text());
        }
        return out;
    }

    /**
     * {@code <table>_<column><suffix>}; when that is longer than PostgreSQL keeps, as much of it as fits and a hash of
     * the names, so it is never truncated into another relation's name (a 63-byte table name would be one).
     */
    public static String indexName(String schema, String table, String column, String suffix) {
        String n = table + "_" + column + suffix;
        if (Identifiers.bytes(n) <= Identifiers.MAX_BYTES) {
            return n;
        }
        // the primary index's hash kept as it always was: expand finds an index it made by its definition, not its name
        String hash = Names.hash(Identifiers.quote(schema) + "." + Identifiers.quote(table) + "." + Identifiers.quote(column)
                + (suffix.equals("_primary_uidx") ? "" : suffix));
        return Identifiers.truncate(n, Identifiers.MAX_BYTES - hash.length() - 1) + "_" + hash;
    }

    private static List<String> reads(List<String> tokens, List<String> columns) {
        return tokens.stream().filter(columns::contains).toList();
    }

    private static List<String> columns(Connection c, String table) throws SQLException {
        return Queries.strings(c, "SELECT a.attname::text FROM pg_attribute a"
                + " WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped", table);
    }

    private static boolean validUnique(Connection c, String schema, String name) throws SQLException {
        return Queries.isTrue(c, "SELECT i.indisvalid AND i.indisunique FROM pg_index i WHERE i.indexrelid = to_regclass(?)",
                Identifiers.quote(schema) + "." + Identifiers.quote(name));
    }
}
