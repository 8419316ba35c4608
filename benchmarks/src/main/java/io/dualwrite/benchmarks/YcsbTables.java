package io.dualwrite.benchmarks;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.phase.PhaseWriter;
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
 * field1, is_primary)}, each migration in its own phase, so that the variants run side by side in one run.
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
            new Variant("READ_NEW", "usertable_read_new", Phase.READ_NEW));

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
            if (v.phase() == null) {
                continue;
            }
            ControlSchema.register(c, v.spec()); // EXPANDED
            for (Phase phase : List.of(Phase.DUAL_WRITE, Phase.READ_NEW)) {
                if (phase.ordinal() <= v.phase().ordinal()) {
                    // forced: the target was backfilled at creation, no backfill run to satisfy the gate
                    PhaseWriter.change(c, PhaseWriter.Request.of(v.spec().name(), phase, "bench", "ycsb").forced(true));
                }
            }
        }
        if (!c.getAutoCommit()) {
            c.commit();
        }
        try (Statement s = c.createStatement()) {
            s.execute("VACUUM ANALYZE");
        }
    }

    /** The variant's parity mismatches now (read on a raw connection). */
    static long parity(Connection c, Variant v) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(String.format(PARITY, v.table(), v.target()))) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
