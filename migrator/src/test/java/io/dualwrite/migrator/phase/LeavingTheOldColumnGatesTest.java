package io.dualwrite.migrator.phase;

import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each refusal of {@code dualwrite phase NEW_ONLY} and {@code dualwrite contract} on its own, through the CLI: an
 * untranslatable statement seen within the soak window (sent by a real driver instance, and seeded as one would
 * record it), a live instance not acknowledging, the soak not passed, and a NOT NULL old column.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LeavingTheOldColumnGatesTest {

    private static final String MIGRATION = "users.email";

    private static Run run(TestDatabase db, String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--url", db.jdbcUrl(), "--user", db.user()));
        if (!args[0].equals("status")) {
            all.addAll(List.of("--migration", MIGRATION));
        }
        return cli(all.toArray(String[]::new));
    }

    private static void ok(Run r) {
        assertThat(r.code()).as(r.toString()).isZero();
    }

    /** Expanded, backfilled, in READ_NEW through the CLI; no driver instance yet. */
    private static void readNew(TestDatabase db) throws SQLException {
        Fixtures.createUsers(db, 300);
        Fixtures.expandAndDualWrite(db);
        ok(run(db, "backfill"));
        ok(run(db, "phase", "READ_NEW"));
    }

    private static void newOnlySince(TestDatabase db, String interval) throws SQLException {
        readNew(db);
        ok(run(db, "phase", "NEW_ONLY"));
        db.execute("UPDATE dualwrite.migration SET phase_changed_at = now() - interval '" + interval + "'");
    }

    private static void seenUntranslatable(TestDatabase db, String lastSeen) throws SQLException {
        db.execute("INSERT INTO dualwrite.statement_evidence (migration, fingerprint, instance, sample, executions,"
                + " first_seen, last_seen, translatable, refusal) VALUES ('users.email', '00c0ffee00c0ffee', 'app-old',"
                + " 'ALTER TABLE users ALTER COLUMN email TYPE varchar(?)', 1, now() - interval '3 days', " + lastSeen
                + ", false, 'ALTER TABLE naming the column cannot be translated')");
    }

    private static boolean columnExists(TestDatabase db) throws SQLException {
        return db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                + " AND column_name = 'email'") == 1;
    }

    @Test
    void newOnlyIsRefusedAfterARealInstanceSentAStatementTheTranslationRefuses(TestDatabase db) throws Exception {
        readNew(db);
        try (Connection app = db.connectDualwrite(); Statement s = app.createStatement()) {
            s.executeQuery("SELECT email FROM users WHERE id = 1").close();
            assertThatThrownBy(() -> s.execute("COPY users (email) FROM STDIN")).isInstanceOf(SQLException.class);
            long deadline = System.currentTimeMillis() + 10_000;
            while (db.queryLong("SELECT count(*) FROM dualwrite.statement_evidence") < 2 && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            Run refused = run(db, "phase", "NEW_ONLY");
            assertThat(refused.code()).as(refused.toString()).isEqualTo(1);
            String fingerprint = db.queryString("SELECT fingerprint FROM dualwrite.statement_evidence WHERE sample LIKE 'COPY%'");
            assertThat(refused.err()).contains("cannot be translated without the old column", "fingerprint " + fingerprint,
                    "COPY users (email) FROM STDIN", "dualwrite status --statements");

            Run status = run(db, "status", "--statements");
            ok(status);
            assertThat(status.out()).contains("users.email: ", "UNTRANSLATABLE " + fingerprint + "  COPY users (email) FROM STDIN",
                    "why: ");
            assertThat(status.out().indexOf("UNTRANSLATABLE")).as("untranslatable first")
                    .isLessThan(status.out().indexOf("SELECT email FROM users WHERE id = ?"));
            Run json = run(db, "status", "--statements", "--json");
            ok(json);
            assertThat(json.out()).contains("\"fingerprint\":\"" + fingerprint + "\"", "\"translatable\":false", "\"executions\":1",
                    "\"instances\":[\"");
        }
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("READ_NEW");
    }

    @Test
    void newOnlyIsRefusedWhileAnUntranslatableStatementIsWithinTheSoakWindow(TestDatabase db) throws Exception {
        readNew(db);
        seenUntranslatable(db, "now() - interval '2 hours'");
        Run refused = run(db, "phase", "NEW_ONLY");
        assertThat(refused.code()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("1 statement(s)", "last 24h00m", "fingerprint 00c0ffee00c0ffee from instance app-old",
                "ALTER TABLE naming the column cannot be translated");
        ok(run(db, "phase", "NEW_ONLY", "--soak", "1h")); // seen before the window
    }

    @Test
    void newOnlyIsRefusedWhileALiveInstanceDoesNotAcknowledgeReadNew(TestDatabase db) throws Exception {
        readNew(db);
        try (Connection c = db.connect()) {
            Fleet.heartbeat(c, "laggard", "host-b", 7, Instant.now(), "{\"users.email\":\"DUAL_WRITE\"}");
        }
        Run refused = run(db, "phase", "--wait", "1s", "NEW_ONLY");
        assertThat(refused.code()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("waiting up to 1s for every live instance to apply READ_NEW: host-b pid 7",
                "instances not yet on READ_NEW", "host-b pid 7");
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("READ_NEW");
    }

    @Test
    void newOnlyNamesFunctionsWhoseCodeNamesTheTableAndTheColumn(TestDatabase db) throws Exception {
        readNew(db);
        db.execute("CREATE FUNCTION email_of(p_id bigint) RETURNS text LANGUAGE sql STABLE AS"
                + " 'SELECT email FROM users WHERE id = p_id'");
        Run moved = run(db, "phase", "NEW_ONLY");
        ok(moved);
        assertThat(moved.out()).contains("note: the code of function email_of(bigint) names the table and the column: if it"
                + " reads the column, a call now returns stale values");
    }

    @Test
    void newOnlyIsRefusedWhileTheOldColumnIsNotNullWithoutDefault(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 300);
        db.execute("UPDATE users SET email = 'n' || id || '@example.com' WHERE email IS NULL;"
                + " ALTER TABLE users ALTER COLUMN email SET NOT NULL");
        Fixtures.expandAndDualWrite(db);
        ok(run(db, "backfill"));
        ok(run(db, "phase", "READ_NEW"));
        Run refused = run(db, "phase", "NEW_ONLY");
        assertThat(refused.code()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("is NOT NULL without a default",
                "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"email\" DROP NOT NULL");
        db.execute("ALTER TABLE \"public\".\"users\" ALTER COLUMN \"email\" DROP NOT NULL");
        ok(run(db, "phase", "NEW_ONLY", "--reason", "drill"));
        assertThat(db.queryString("SELECT reason FROM dualwrite.phase_change ORDER BY id DESC LIMIT 1"))
                .contains("drill", "was NOT NULL in READ_NEW", "SET NOT NULL");
        // the application keeps its constraint: the record says NOT NULL, and the translation refuses a NULL as the column did
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.source_column WHERE name = 'email' AND not_null")).isEqualTo(1);
    }

    @Test
    void contractIsRefusedWhileAnUntranslatableStatementIsWithinTheSoakWindow(TestDatabase db) throws Exception {
        newOnlySince(db, "2 days");
        seenUntranslatable(db, "now() - interval '2 hours'");
        Run dry = run(db, "contract", "--dry-run");
        assertThat(dry.code()).as(dry.toString()).isEqualTo(1);
        // --dry-run reports every gate's verdict on stdout, exit 1 when one does not hold
        assertThat(dry.out()).contains("[NOT MET] every statement the fleet sent", "fingerprint 00c0ffee00c0ffee", "cannot be translated");
        assertThat(columnExists(db)).isTrue();
        ok(run(db, "contract", "--soak", "1h", "--dry-run"));
    }

    @Test
    void contractIsRefusedUntilEveryLiveInstanceAppliesNewOnly(TestDatabase db) throws Exception {
        newOnlySince(db, "2 days");
        try (Connection c = db.connect()) {
            Fleet.heartbeat(c, "laggard", "host-c", 9, Instant.now(), "{\"users.email\":\"READ_NEW\"}");
        }
        Run refused = run(db, "contract");
        assertThat(refused.code()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("instances not yet on NEW_ONLY", "host-c pid 9", "applies READ_NEW");
        assertThat(columnExists(db)).isTrue();
    }

    @Test
    void contractIsRefusedUntilTheSoakHasPassed(TestDatabase db) throws Exception {
        newOnlySince(db, "3 hours");
        Run refused = run(db, "contract", "--soak", "24h");
        assertThat(refused.code()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("the soak time has not passed", "3h00m", "21h00m left");
        assertThat(columnExists(db)).isTrue();
        ok(run(db, "contract", "--soak", "2h"));
        assertThat(columnExists(db)).isFalse();
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("CONTRACTED");
    }
}
