package io.dualwrite.migrator.parity;

import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.migrator.Writers;
import io.dualwrite.migrator.backfill.Backfill;
import io.dualwrite.migrator.backfill.BackfillOptions;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChunkedParityTest {

    private static final int USERS = 20_000;

    private static void backfilled(TestDatabase db) throws SQLException {
        Fixtures.createUsers(db, USERS);
        Fixtures.expandAndDualWrite(db);
        try (Connection c = db.connect()) {
            Backfill.run(c, "users.email", new BackfillOptions(5000, 0, false), null);
        }
    }

    private static ChunkedParity.Result check(TestDatabase db, boolean resume, boolean repair) throws SQLException {
        try (Connection c = db.connect()) {
            return ChunkedParity.run(c, db::connect, "users.email", new ChunkedParity.Options(2, 1000, resume, repair, 20));
        }
    }

    private static void breakIt(TestDatabase db) throws SQLException {
        db.execute("UPDATE users SET email = 'changed@example.com' WHERE id = 5");        // stale target value
        db.execute("DELETE FROM email_address WHERE user_id = 12008");                     // missing target row
        db.execute("UPDATE users SET email = NULL WHERE id = 9");                          // target row that should be gone
        db.execute("INSERT INTO email_address VALUES (20500, 'ghost@example.com', true)"); // orphan beyond the last key
        db.execute("DELETE FROM users WHERE id = 17001");                                  // orphan inside the range
        db.execute("UPDATE email_address SET address = 'typo@example.com' WHERE user_id = 19998");
    }

    @Test
    void reportsTheOffendingKeysAndRepairBringsItBackToZero(TestDatabase db) throws Exception {
        backfilled(db);
        ChunkedParity.Result clean = check(db, false, false);
        assertThat(clean.mismatches()).isZero();
        assertThat(clean.chunks()).isEqualTo(20);
        assertThat(clean.sourceRows()).isEqualTo(USERS);

        breakIt(db);
        ChunkedParity.Result broken = check(db, false, false);
        assertThat(broken.mismatches()).isEqualTo(6);
        assertThat(broken.orphans()).isEqualTo(2);
        assertThat(broken.chunksDiffering()).isEqualTo(5);
        assertThat(broken.samples()).extracting(Mismatch::key).containsExactly("5", "9", "12008", "17001", "19998", "20500");
        try (Connection c = db.connect()) {
            assertThat(ParityCheck.run(c, "users.email", 10).mismatches()).as("full mode agrees").isEqualTo(6);
        }
        assertThat(db.queryString("SELECT string_agg(array_to_string(offending, ','), ';' ORDER BY chunk_no)"
                + " FROM dualwrite.parity_chunk WHERE run_id = " + broken.runId() + " AND mismatches > 0"))
                .isEqualTo("5,9;12008;17001;19998;20500");

        Run cliRun = cli("parity", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email", "--chunk-size", "1000");
        assertThat(cliRun.code()).isEqualTo(1);
        assertThat(cliRun.out()).contains("6 mismatches", "2 orphaned", "id=12008", "--repair");
        assertThat(db.queryLong("SELECT last_parity_mismatches FROM dualwrite.migration")).as("recorded for the gates").isEqualTo(6);

        Run repaired = cli("parity", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email", "--repair");
        assertThat(repaired.code()).as(repaired.toString()).isZero();
        assertThat(repaired.out()).contains("0 mismatches", "6 rows repaired");
        assertThat(db.queryLong("SELECT last_parity_mismatches FROM dualwrite.migration")).isZero();
        assertThat(check(db, false, false).mismatches()).isZero();
        try (Connection c = db.connect()) {
            assertThat(ParityCheck.run(c, "users.email", 10).mismatches()).isZero();
        }
        assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 5 AND is_primary")).isEqualTo("changed@example.com");
        assertThat(db.queryLong("SELECT count(*) FROM email_address WHERE user_id IN (9, 17001, 20500)")).isZero();
    }

    @Test
    void resumeChecksOnlyTheChunksNotCheckedYet(TestDatabase db) throws Exception {
        backfilled(db);
        breakIt(db);
        ChunkedParity.Result first = check(db, false, false);
        // as if the run had been killed after its first 8 chunks
        db.execute("UPDATE dualwrite.parity_chunk SET mismatches = NULL, source_rows = NULL WHERE run_id = " + first.runId()
                + " AND chunk_no >= 8");
        ChunkedParity.Result resumed = check(db, true, false);
        assertThat(resumed.runId()).isEqualTo(first.runId());
        assertThat(resumed.chunks()).isEqualTo(13);
        assertThat(resumed.mismatches()).isEqualTo(6);
        assertThat(resumed.sourceRows()).isEqualTo(USERS - 1);
    }

    @Test
    void neverReportsFalseDriftUnderConcurrentWrites(TestDatabase db) throws Exception {
        backfilled(db);
        long total = 0, falseAlarms = 0;
        try (Writers w = new Writers(db, 8, USERS)) {
            while (w.ops.get() < 200) {
                Thread.sleep(10);
            }
            for (int i = 0; i < 4; i++) {
                ChunkedParity.Result r = check(db, false, false);
                total += r.mismatches();
                falseAlarms += r.falseAlarms();
            }
            assertThat(w.ops.get()).isGreaterThan(500);
        }
        assertThat(total).as("drift reported while 8 writers ran").isZero();
        System.out.println("parity under 8 writers: racing keys re-checked clean: " + falseAlarms);
    }
}
