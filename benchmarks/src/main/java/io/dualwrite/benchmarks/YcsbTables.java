package io.dualwrite.benchmarks;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The tables of the YCSB-like workload ({@link YcsbWorkload}): one copy of a {@code usertable} per variant, shaped
 * like YCSB's ({@code ycsb_key} and text fields), whose {@code field1} moves to {@code <table>_field1(ycsb_key,
 * field1, is_primary)}, each migration in its own phase (CONTRACTED's table without {@code field1}: the driver
 * translates the workload's SQL), so that the variants run side by side in one run.
 */
final class YcsbTables {

    /** A variant: its table, and the phase of its migration (null: raw PgJDBC on a table no migration names). */
    record Variant(String name, String table, Phase phase) {

        String target() {
            return table + "_field1";
        }

        MigrationSpec spec() {
            return new MigrationSpec("public", table, "ycsb_key", "field1", "public", target(), "ycsb_key", "field1",
                    "is_primary", ControlSchema.syncViewName(table, "field1"));
        }
    }

    static final Variant RAW = new Variant("raw", "usertable_raw", null);
    static final List<Variant> VARIANTS = List.of(RAW,
            new Variant("EXPANDED", "usertable_expanded", Phase.EXPANDED),
            new Variant("DUAL_WRITE", "usertable_dual_write", Phase.DUAL_WRITE),
            new Variant("READ_NEW", "usertable_read_new", Phase.READ_NEW),
            new Variant("NEW_ONLY", "usertable_new_only", Phase.NEW_ONLY),
            new Variant("CONTRACTED", "usertable_contracted", Phase.CONTRACTED));

    /**
     * Mismatching keys between {@code field1} and the primary target rows, orphans included: 0 in sync (the query of
     * the driver's {@code MigrationFixture.PARITY}, on these tables).
     */
    private static final String PARITY = """
            SELECT (SELECT count(*) FROM %1$s u LEFT JOIN %2$s e ON e.ycsb_key = u.ycsb_key AND e.is_primary
                     WHERE u.field1 IS DISTINCT FROM e.field1)
                 + (SELECT count(*) FROM %2$s e
                     WHERE e.is_primary AND NOT EXISTS (SELECT 1 FROM %1$s u WHERE u.ycsb_key = e.ycsb_key))""";

    private YcsbTables() {
    }

    /** Every variant's table with {@code rows} rows, its target backfilled, its migration registered and in its phase. */
    static void create(Connection c, int rows) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (Variant v : VARIANTS) {
                s.execute("CREATE TABLE " + v.table() + " (ycsb_key bigint PRIMARY KEY, field0 text, field1 text, field2 text)");
                s.execute("INSERT INTO " + v.table() + " SELECT i, 'field0 ' || i, 'user' || i || '@example.com', 'field2 ' || i"
                        + " FROM generate_series(1, " + rows + ") i");
                if (v.phase() != null) {
                    s.execute("CREATE TABLE " + v.target() + " (ycsb_key bigint NOT NULL, field1 text NOT NULL,"
                            + " is_primary boolean NOT NULL DEFAULT false)");
                    s.execute("CREATE UNIQUE INDEX ON " + v.target() + " (ycsb_key) WHERE is_primary");
                    s.execute("INSERT INTO " + v.target() + " SELECT ycsb_key, field1, true FROM " + v.table()
                            + " WHERE field1 IS NOT NULL");
                }
            }
        }
        for (Variant v : VARIANTS) {
            if (v.phase() != null) {
                // forced: the target was backfilled at creation; CONTRACTED drops field1
                Setup.walk(c, v.spec(), v.phase());
            }
        }
        if (!c.getAutoCommit()) {
            c.commit();
        }
        try (Statement s = c.createStatement()) {
            s.execute("VACUUM ANALYZE");
        }
    }

    /**
     * Rows in which the variant's data differs from raw's, which ran the same operations: a key on one side only, another
     * field0 or field2, or another field1 as the phase holds it (the table's column until the target is written, the
     * target's primary row from then on), and primary target rows of no row.
     */
    private static final String DIFFERS_FROM_RAW = """
            SELECT (SELECT count(*) FROM %1$s r FULL JOIN (SELECT u.ycsb_key, u.field0, %4$s AS field1, u.field2 FROM %2$s u
                      LEFT JOIN %3$s e ON e.ycsb_key = u.ycsb_key AND e.is_primary) v ON v.ycsb_key = r.ycsb_key
                     WHERE r.ycsb_key IS NULL OR v.ycsb_key IS NULL
                        OR (r.field0, r.field1, r.field2) IS DISTINCT FROM (v.field0, v.field1, v.field2))
                 + (SELECT count(*) FROM %3$s e
                     WHERE e.is_primary AND NOT EXISTS (SELECT 1 FROM %2$s u WHERE u.ycsb_key = e.ycsb_key))""";

    /** How many rows of the variant differ from raw's now ({@link #DIFFERS_FROM_RAW}; read on a raw connection). */
    static long differencesFromRaw(Connection c, Variant v) throws SQLException {
        String field1 = v.phase().writesNew() ? "e.field1" : "u.field1";
        return count(c, String.format(DIFFERS_FROM_RAW, RAW.table(), v.table(), v.target(), field1));
    }

    /** The variant's parity mismatches now (read on a raw connection). */
    static long parity(Connection c, Variant v) throws SQLException {
        return count(c, String.format(PARITY, v.table(), v.target()));
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
