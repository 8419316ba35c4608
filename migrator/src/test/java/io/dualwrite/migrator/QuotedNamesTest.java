package io.dualwrite.migrator;

import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.migrator.backfill.Backfill;
import io.dualwrite.migrator.backfill.BackfillOptions;
import io.dualwrite.migrator.backfill.BackfillResult;
import io.dualwrite.migrator.parity.ParityCheck;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A migration whose every name needs quoting — quotes (single and double), spaces, mixed case, in schema, table
 * and columns — through expand, backfill (one worker and parallel), parity (chunked, full, repair), reverse sync (its
 * mirror), contract's dry run, the contract and the reverse sync that re-adds the column.
 * Each statement the migrator builds splices these names; one that forgets to quote, or splices the migration's
 * name as a literal, fails with a syntax error or touches another object.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class QuotedNamesTest {

    private static final String TABLE = "\"Sales Team\".\"Ac'count Holders\"";
    private static final String KEY = "\"User ID\"";
    private static final String VALUE = "\"E'mail \"\"Addr\"\"\"";
    private static final String TARGET = "\"Mail 'Box\".\"Addr Value\"";
    private static final String TARGET_KEY = "\"Owner ID\"";
    private static final String TARGET_VALUE = "\"Ad'dress\"";
    private static final String FLAG = "\"Is Primary\"";
    /** {@code MigrationSpec.name()}: the names as stored, the schema first as it is not public. */
    private static final String MIGRATION = "Sales Team.Ac'count Holders.E'mail \"Addr\"";
    private static final int ROWS = 4000;

    private static Run run(TestDatabase db, String... args) {
        String[] base = {"--url", db.jdbcUrl(), "--user", db.user()};
        String[] all = Arrays.copyOf(args, args.length + base.length);
        System.arraycopy(base, 0, all, args.length, base.length);
        return cli(all);
    }

    private static void expandAndDualWrite(TestDatabase db) throws SQLException {
        db.execute("CREATE SCHEMA \"Sales Team\"");
        db.execute("CREATE SCHEMA \"Mail 'Box\"");
        db.execute("CREATE TABLE " + TABLE + " (" + KEY + " bigint PRIMARY KEY, \"Full Name\" text, " + VALUE + " text)");
        db.execute("INSERT INTO " + TABLE + " SELECT g, 'n' || g, CASE WHEN g % 7 = 0 THEN NULL"
                + " ELSE 'o''brien-' || g || '@example.com' END FROM generate_series(1, " + ROWS + ") g");
        db.execute("ANALYZE " + TABLE);
        Run e = run(db, "expand", "--source", TABLE + "." + VALUE, "--key", KEY, "--target", TARGET + "." + TARGET_VALUE,
                "--target-key", TARGET_KEY, "--primary-flag", FLAG);
        assertThat(e.code()).as(e.toString()).isZero();
        assertThat(db.queryString("SELECT name FROM dualwrite.migration")).isEqualTo(MIGRATION);
        Run p = run(db, "phase", "--migration", MIGRATION, "DUAL_WRITE");
        assertThat(p.code()).as(p.toString()).isZero();
    }

    private static long targetRows(TestDatabase db) throws SQLException {
        return db.queryLong("SELECT count(*) FROM " + TARGET + " WHERE " + FLAG);
    }

    @Test
    void parallelBackfillThenParityChunkedFullAndRepair(TestDatabase db) throws Exception {
        expandAndDualWrite(db);
        Run b = run(db, "backfill", "--migration", MIGRATION, "--workers", "2", "--batch-size", "300");
        assertThat(b.code()).as(b.toString()).isZero();
        assertThat(b.out()).contains("backfill of " + MIGRATION + " complete");
        assertThat(targetRows(db)).isEqualTo(ROWS - ROWS / 7);
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.backfill_range WHERE migration = '"
                + MIGRATION.replace("'", "''") + "' AND completed_at IS NOT NULL")).as("two ranges, both done").isEqualTo(2);
        assertThat(db.queryString("SELECT " + TARGET_VALUE + " FROM " + TARGET + " WHERE " + TARGET_KEY + " = 1"))
                .isEqualTo("o'brien-1@example.com");

        Run chunked = run(db, "parity", "--migration", MIGRATION, "--chunk-size", "1000", "--workers", "2");
        assertThat(chunked.code()).as(chunked.toString()).isZero();
        assertThat(chunked.out()).contains("0 mismatches");
        Run full = run(db, "parity", "--migration", MIGRATION, "--mode", "full");
        assertThat(full.code()).as(full.toString()).isZero();

        // drift the driver would never leave: a stale value, a missing primary row, an orphan
        db.execute("UPDATE " + TABLE + " SET " + VALUE + " = 'changed behind the driver' WHERE " + KEY + " = 10");
        db.execute("DELETE FROM " + TARGET + " WHERE " + TARGET_KEY + " = 20");
        db.execute("DELETE FROM " + TABLE + " WHERE " + KEY + " = 30");
        Run drift = run(db, "parity", "--migration", MIGRATION, "--chunk-size", "1000", "--no-rollback");
        assertThat(drift.code()).as(drift.toString()).isEqualTo(1);
        assertThat(drift.out()).contains("3 mismatches", "(1 orphaned target rows)");
        try (Connection c = db.connect()) {
            assertThat(ParityCheck.run(c, MIGRATION, 10).mismatches()).as("full mode agrees").isEqualTo(3);
        }
        Run repair = run(db, "parity", "--migration", MIGRATION, "--chunk-size", "1000", "--repair");
        assertThat(repair.code()).as(repair.toString()).isZero();
        assertThat(repair.out()).contains("3 rows repaired");
        assertThat(db.queryString("SELECT " + TARGET_VALUE + " FROM " + TARGET + " WHERE " + TARGET_KEY + " = 10"))
                .isEqualTo("changed behind the driver");
    }

    @Test
    void singleWorkerBackfillThroughTheApiAndReverseSync(TestDatabase db) throws Exception {
        expandAndDualWrite(db);
        try (Connection c = db.connect()) {
            BackfillResult r = Backfill.run(c, MIGRATION, new BackfillOptions(500, 0, false), null);
            assertThat(r.outcome()).isEqualTo(BackfillResult.Outcome.COMPLETED);
            assertThat(r.rowsScannedThisRun()).isEqualTo(ROWS);
            assertThat(ParityCheck.run(c, MIGRATION, 10).mismatches()).isZero();
            // NEW_ONLY set with plain SQL: this test is about the names, not the gates
            try (PreparedStatement p = c.prepareStatement("UPDATE dualwrite.migration SET phase = 'NEW_ONLY' WHERE name = ?")) {
                p.setString(1, MIGRATION);
                assertThat(p.executeUpdate()).isEqualTo(1);
            }
        }
        db.execute("UPDATE " + TARGET + " SET " + TARGET_VALUE + " = 'new side wins' WHERE " + TARGET_KEY + " = 5");
        Run rs = run(db, "reverse-sync", "--migration", MIGRATION, "--batch-size", "700");
        assertThat(rs.code()).as(rs.toString()).isZero();
        assertThat(rs.out()).contains("1 old values rewritten", "parity 0 mismatches");
        assertThat(db.queryString("SELECT " + VALUE + " FROM " + TABLE + " WHERE " + KEY + " = 5")).isEqualTo("new side wins");
        Run dry = run(db, "contract", "--migration", MIGRATION, "--soak", "0", "--dry-run");
        assertThat(dry.code()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("ALTER TABLE " + TABLE + " DROP COLUMN " + VALUE + ";");
        // the mirror, with these names, keeps the old column in step
        db.execute("UPDATE " + TARGET + " SET " + TARGET_VALUE + " = 'mirrored' WHERE " + TARGET_KEY + " = 6");
        assertThat(db.queryString("SELECT " + VALUE + " FROM " + TABLE + " WHERE " + KEY + " = 6")).isEqualTo("mirrored");
        // dropped, then re-added and filled by reverse-sync
        Run contract = run(db, "contract", "--migration", MIGRATION, "--soak", "0");
        assertThat(contract.code()).as(contract.toString()).isZero();
        db.execute("UPDATE " + TARGET + " SET " + TARGET_VALUE + " = 'after the drop' WHERE " + TARGET_KEY + " = 8");
        Run back = run(db, "reverse-sync", "--migration", MIGRATION);
        assertThat(back.code()).as(back.toString()).isZero();
        assertThat(back.out()).contains("re-added the column: ALTER TABLE " + TABLE + " ADD COLUMN " + VALUE, "parity 0 mismatches");
        assertThat(db.queryString("SELECT " + VALUE + " FROM " + TABLE + " WHERE " + KEY + " = 8")).isEqualTo("after the drop");
    }
}
