package io.dualwrite.migrator.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.SyncTrigger;
import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.migrator.parity.ParityCheck;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.util.Arrays;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(PostgresExtension.class)
class DualwriteCliTest {

    private static String[] conn(TestDatabase db) {
        return new String[] {"--url", db.jdbcUrl(), "--user", db.user()};
    }

    private static String[] args(TestDatabase db, String command, String... rest) {
        String[] c = conn(db);
        String[] all = new String[1 + c.length + rest.length];
        all[0] = command;
        System.arraycopy(c, 0, all, 1, c.length);
        System.arraycopy(rest, 0, all, 1 + c.length, rest.length);
        return all;
    }

    @Test
    void helpExitsZeroEverywhere() {
        Run top = cli("--help");
        assertThat(top.code()).as(top.toString()).isZero();
        assertThat(top.out()).contains("expand", "phase", "backfill", "parity", "status", "Exit codes");
        for (String sub : new String[] {"expand", "phase", "backfill", "parity", "status"}) {
            Run r = cli(sub, "--help");
            assertThat(r.code()).as(sub + ": " + r).isZero();
            assertThat(r.out()).contains("--url", "--json");
        }
    }

    @Test
    void unknownOptionOrMissingCommandIsUsageError() {
        Run r = cli("status", "--url", "jdbc:postgresql://localhost/x", "--bogus");
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("--bogus");
        assertThat(cli().code()).isEqualTo(2);
        assertThat(cli("frobnicate").code()).isEqualTo(2);
        Run missing = cli("parity", "--url", "jdbc:postgresql://localhost/x");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--migration");
    }

    @Test
    void badUrlOrUnreachableServerIsExit2WithClearMessageAndNoStackTrace() {
        Run bad = cli("status", "--url", "mysql://localhost/app");
        assertThat(bad.code()).as(bad.toString()).isEqualTo(2);
        assertThat(bad.err()).contains("--url must be a PostgreSQL JDBC URL");
        Run down = cli("status", "--url", "jdbc:postgresql://127.0.0.1:1/app", "--user", "nobody");
        assertThat(down.code()).as(down.toString()).isEqualTo(2);
        assertThat(down.err()).contains("could not connect to jdbc:postgresql://127.0.0.1:1/app", "Check --url");
        assertThat(down.err()).doesNotContain("\tat ");
        Run json = cli("status", "--url", "jdbc:postgresql://127.0.0.1:1/app", "--json");
        assertThat(json.code()).isEqualTo(2);
        JsonObject o = JsonParser.parseString(json.out()).getAsJsonObject();
        assertThat(o.get("ok").getAsBoolean()).isFalse();
    }

    @Test
    void dualwriteUrlIsAccepted(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 10);
        Run r = cli("status", "--url", db.dualwriteUrl(), "--user", db.user());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("no migrations");
    }

    @Test
    void expandCreatesTableIndexControlSchemaAndIsIdempotent(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 100);
        Run first = cli(Fixtures.expandArgs(db));
        assertThat(first.code()).as(first.toString()).isZero();
        assertThat(first.out()).contains("created table", "created unique index", "registered migration users.email", "EXPANDED");
        assertThat(db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                + " WHERE attrelid = 'email_address'::regclass AND attname = 'user_id'")).isEqualTo("bigint");
        assertThat(db.queryLong("SELECT count(*) FROM pg_index WHERE indrelid = 'email_address'::regclass AND indisunique"))
                .isEqualTo(1);
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration WHERE name = 'users.email'")).isEqualTo("EXPANDED");
        assertThat(db.queryLong("SELECT count(*) FROM pg_views WHERE schemaname = 'dualwrite' AND viewname = 'sync_users_email'"))
                .isEqualTo(1);

        Run second = cli(Fixtures.expandArgs(db));
        assertThat(second.code()).as(second.toString()).isZero();
        assertThat(second.out()).contains("already expanded");

        String[] json = Arrays.copyOf(Fixtures.expandArgs(db), Fixtures.expandArgs(db).length + 1);
        json[json.length - 1] = "--json";
        Run third = cli(json);
        assertThat(third.code()).isZero();
        assertThat(JsonParser.parseString(third.out()).getAsJsonObject().get("alreadyExpanded").getAsBoolean()).isTrue();
    }

    /** The application looks users up by email: from READ_NEW on those lookups read email_address, which needs the same index. */
    @Test
    void expandGivesTheTargetALookupIndexWhenTheColumnHasOne(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 100);
        String indexes = "SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                + " AND a.attnum = i.indkey[0] WHERE i.indrelid = 'email_address'::regclass AND a.attname = 'address'";
        Run without = cli(Fixtures.expandArgs(db));
        assertThat(without.code()).as(without.toString()).isZero();
        assertThat(without.out()).doesNotContain("lookup");
        assertThat(db.queryLong(indexes)).isZero();

        // a case-insensitive login's index too, and not one over another column as well
        db.execute("CREATE INDEX users_email_idx ON users (email); CREATE INDEX users_email_lower ON users (lower(email));"
                + " CREATE INDEX users_name_email ON users ((name || email))");
        Run with = cli(Fixtures.expandArgs(db));
        assertThat(with.code()).as(with.toString()).isZero();
        assertThat(with.out()).contains("created index email_address_address_lookup_idx",
                "created index email_address_address_expr1_lookup_idx").doesNotContain("expr2");
        assertThat(db.queryLong(indexes)).isEqualTo(1);
        assertThat(db.queryString("SELECT pg_get_indexdef('email_address_address_lookup_idx'::regclass)"))
                .endsWith("(address) WHERE is_primary");
        assertThat(db.queryString("SELECT pg_get_indexdef('email_address_address_expr1_lookup_idx'::regclass)"))
                .endsWith("(lower(address)) WHERE is_primary");
        Run again = cli(Fixtures.expandArgs(db));
        assertThat(again.out()).contains("already expanded");
        assertThat(db.queryLong("SELECT count(*) FROM pg_index WHERE indrelid = 'email_address'::regclass")).isEqualTo(3);
    }

    /**
     * A unique column gets a plain twin: a unique index on the value column would turn the sync trigger's delete probe
     * off (its placeholder rows would collide), and the old column's own index refuses duplicates while it is written.
     */
    @Test
    void aUniqueColumnsTwinIsNotUniqueAndKeepsTheDeleteProbe(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 100);
        db.execute("ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)");
        Run r = cli(Fixtures.expandArgs(db));
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("created index email_address_address_lookup_idx");
        assertThat(db.queryString("SELECT pg_get_indexdef('email_address_address_lookup_idx'::regclass)"))
                .startsWith("CREATE INDEX").endsWith("(address) WHERE is_primary");
        try (Connection c = db.connect()) {
            assertThat(SyncTrigger.hasDeleteProbe(c, ControlSchema.require(c, "users.email").spec())).isTrue();
        }
    }

    @Test
    void expandOnExistingTargetWithRowsBuildsIndexConcurrently(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 10);
        db.execute("CREATE TABLE email_address (user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false)");
        db.execute("INSERT INTO email_address VALUES (1, 'old@example.com', false), (1, 'u1@example.com', true)");
        Run r = cli(Fixtures.expandArgs(db));
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("(concurrently)").doesNotContain("created table");
    }

    @Test
    void expandValidatesNamesAndKeyUniqueness(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 10);
        String[] a = Fixtures.expandArgs(db);
        a[6] = "users.mail";
        Run noColumn = cli(a);
        assertThat(noColumn.code()).as(noColumn.toString()).isEqualTo(2);
        assertThat(noColumn.err()).contains("source column mail does not exist");

        a = Fixtures.expandArgs(db);
        a[6] = "customers.email";
        Run noTable = cli(a);
        assertThat(noTable.code()).isEqualTo(2);
        assertThat(noTable.err()).contains("customers", "does not exist");

        a = Fixtures.expandArgs(db);
        a[8] = "name";
        Run notUnique = cli(a);
        assertThat(notUnique.code()).as(notUnique.toString()).isEqualTo(2);
        assertThat(notUnique.err()).contains("is not unique");
        assertThat(db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'email_address'")).isZero();
    }

    @Test
    void phaseChangesAreAuditedAndUnsupportedPhasesRefused(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 10);
        assertThat(cli(Fixtures.expandArgs(db)).code()).isZero();

        Run dw = cli(args(db, "phase", "--migration", "users.email", "DUAL_WRITE", "--reason", "deploy 42"));
        assertThat(dw.code()).as(dw.toString()).isZero();
        assertThat(dw.out()).contains("EXPANDED -> DUAL_WRITE", "rollback: dualwrite phase", "EXPANDED");
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("DUAL_WRITE");
        assertThat(db.queryString("SELECT from_phase || '>' || to_phase || ' ' || reason FROM dualwrite.phase_change"
                + " ORDER BY id DESC LIMIT 1")).isEqualTo("EXPANDED>DUAL_WRITE deploy 42");
        assertThat(db.queryString("SELECT changed_by FROM dualwrite.phase_change ORDER BY id DESC LIMIT 1")).startsWith("cli@");

        Run newOnly = cli(args(db, "phase", "--migration", "users.email", "NEW_ONLY"));
        assertThat(newOnly.code()).isEqualTo(1);
        assertThat(newOnly.err()).contains("one step at a time", "go to READ_NEW first");

        Run readNew = cli(args(db, "phase", "--migration", "users.email", "READ_NEW"));
        assertThat(readNew.code()).as(readNew.toString()).isEqualTo(1);
        assertThat(readNew.err()).contains("the backfill has not completed");

        Run bogus = cli(args(db, "phase", "--migration", "users.email", "SIDEWAYS"));
        assertThat(bogus.code()).isEqualTo(2);
        assertThat(bogus.err()).contains("valid phases");

        Run unknown = cli(args(db, "phase", "--migration", "users.name", "DUAL_WRITE"));
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("no migration named 'users.name'");

        assertThat(cli(args(db, "backfill", "--migration", "users.email")).code()).isZero();
        Run rn = cli(args(db, "phase", "--migration", "users.email", "READ_NEW", "--json"));
        assertThat(rn.code()).as(rn.toString()).isZero();
        assertThat(JsonParser.parseString(rn.out()).getAsJsonObject().get("from").getAsString()).isEqualTo("DUAL_WRITE");

        Run skip = cli(args(db, "phase", "--migration", "users.email", "EXPANDED"));
        assertThat(skip.code()).as("an instance still reading new must never meet one that no longer writes it").isEqualTo(1);
        assertThat(skip.err()).contains("go to DUAL_WRITE first");
        assertThat(cli(args(db, "phase", "--migration", "users.email", "DUAL_WRITE")).code()).isZero();
        assertThat(cli(args(db, "phase", "--migration", "users.email", "EXPANDED")).code()).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.phase_change")).isEqualTo(5); // register + 4 changes
    }

    @Test
    void backfillRefusesInExpanded(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 10);
        assertThat(cli(Fixtures.expandArgs(db)).code()).isZero();
        Run r = cli(args(db, "backfill", "--migration", "users.email"));
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("EXPANDED", "DUAL_WRITE first");
        assertThat(db.queryLong("SELECT count(*) FROM email_address")).isZero();
    }

    @Test
    void parityIsZeroWhenCleanAndListsDeliberateDrift(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 1000);
        Fixtures.expandAndDualWrite(db);
        Run bf = cli(args(db, "backfill", "--migration", "users.email", "--batch-size", "100"));
        assertThat(bf.code()).as(bf.toString()).isZero();
        assertThat(bf.out()).contains("complete");
        Run clean = cli(args(db, "parity", "--migration", "users.email"));
        assertThat(clean.code()).as(clean.toString()).isZero();
        assertThat(clean.out()).contains("0 mismatches");

        // drift written around the driver: a changed value, a missing row, a row that should be gone, an orphan
        db.execute("UPDATE users SET email = 'changed@example.com' WHERE id = 5");
        db.execute("DELETE FROM email_address WHERE user_id = 8");
        db.execute("UPDATE users SET email = NULL WHERE id = 9");
        db.execute("INSERT INTO email_address VALUES (999999, 'ghost@example.com', true)");
        Run drift = cli(args(db, "parity", "--migration", "users.email"));
        assertThat(drift.code()).as(drift.toString()).isEqualTo(1);
        assertThat(drift.out()).contains("4 mismatches", "1 orphaned", "id=5", "'changed@example.com'", "'u5@example.com'",
                "id=8", "id=9", "id=999999", "(no row)");

        Run full = cli(args(db, "parity", "--migration", "users.email", "--mode", "full"));
        assertThat(full.code()).as(full.toString()).isEqualTo(1);
        assertThat(full.out()).contains("4 mismatches", "1 orphaned", "id=5", "id=999999", "(no row)");

        Run json = cli(args(db, "parity", "--migration", "users.email", "--json", "--limit", "2"));
        assertThat(json.code()).isEqualTo(1);
        JsonObject o = JsonParser.parseString(json.out()).getAsJsonObject();
        assertThat(o.get("mismatches").getAsLong()).isEqualTo(4);
        JsonArray samples = o.getAsJsonArray("samples");
        assertThat(samples).hasSize(2);
        assertThat(samples.get(0).getAsJsonObject().get("key").getAsString()).isEqualTo("5");

        try (Connection c = db.connect()) {
            var result = ParityCheck.run(c, "users.email", 10);
            assertThat(result.mismatches()).isEqualTo(4);
            assertThat(result.samples()).extracting(m -> m.key()).containsExactly("5", "8", "9", "999999");
        }
    }

    /** Drift is advised on as the phase allows: --repair only once the backfill has copied the old column. */
    @Test
    void parityAdvisesWhatRemovesTheDriftInEachPhase(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 100);
        assertThat(cli(Fixtures.expandArgs(db)).code()).isZero();
        Run expanded = cli(args(db, "parity", "--migration", "users.email"));
        assertThat(expanded.code()).as(expanded.toString()).isEqualTo(1);
        assertThat(expanded.out()).contains("next: in EXPANDED", "dualwrite phase --url", "--migration users.email DUAL_WRITE",
                "then dualwrite backfill --url").doesNotContain("--repair");
        Run full = cli(args(db, "parity", "--migration", "users.email", "--mode", "full"));
        assertThat(full.out()).contains("next: in EXPANDED").doesNotContain("--repair");

        assertThat(cli(args(db, "phase", "--migration", "users.email", "DUAL_WRITE")).code()).isZero();
        Run notBackfilled = cli(args(db, "parity", "--migration", "users.email"));
        assertThat(notBackfilled.out()).contains("the backfill has not completed", "dualwrite backfill --url")
                .doesNotContain("--repair");

        assertThat(cli(args(db, "backfill", "--migration", "users.email")).code()).isZero();
        db.execute("UPDATE users SET email = 'changed@example.com' WHERE id = 5"); // around the driver
        Run drift = cli(args(db, "parity", "--migration", "users.email"));
        assertThat(drift.out()).contains("repair: dualwrite parity --url", "--migration users.email --repair");
        // and the repair it names does what it says
        assertThat(cli(args(db, "parity", "--migration", "users.email", "--repair")).code()).isZero();

        db.execute("UPDATE dualwrite.migration SET phase = 'NEW_ONLY' WHERE name = 'users.email'");
        db.execute("UPDATE users SET email = 'stale@example.com' WHERE id = 6"); // the old column, no longer written
        Run newOnly = cli(args(db, "parity", "--migration", "users.email"));
        assertThat(newOnly.out()).contains("next: in NEW_ONLY", "dualwrite reverse-sync --url").doesNotContain("--repair");
    }

    @Test
    void statusJsonParses(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 500);
        Fixtures.expandAndDualWrite(db);
        assertThat(cli(args(db, "backfill", "--migration", "users.email", "--batch-size", "100", "--max-batches", "2",
                "--workers", "1")).code()).isZero();
        Run text = cli(args(db, "status"));
        assertThat(text.code()).as(text.toString()).isZero();
        long pages = db.queryLong("SELECT next_page FROM dualwrite.backfill_range");
        long planned = db.queryLong("SELECT hi_page FROM dualwrite.backfill_range");
        assertThat(pages).isPositive().isLessThan(planned);
        long scanned = db.queryLong("SELECT count(*) FROM users WHERE ctid < '(" + pages + ",0)'");
        assertThat(text.out()).contains("users.email", "DUAL_WRITE", "pages " + pages + "/" + planned, scanned + " rows scanned");

        Run r = cli(args(db, "status", "--json"));
        assertThat(r.code()).as(r.toString()).isZero();
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        JsonObject m = o.getAsJsonArray("migrations").get(0).getAsJsonObject();
        assertThat(m.get("migration").getAsString()).isEqualTo("users.email");
        assertThat(m.get("phase").getAsString()).isEqualTo("DUAL_WRITE");
        JsonObject bf = m.getAsJsonObject("backfill");
        assertThat(bf.get("pagesDone").getAsLong()).isEqualTo(pages);
        assertThat(bf.get("rowsScanned").getAsLong()).isEqualTo(scanned);
        assertThat(bf.get("batches").getAsLong()).isEqualTo(2);
        assertThat(bf.get("complete").getAsBoolean()).isFalse();
        assertThat(m.getAsJsonArray("recentChanges")).hasSize(2);
    }
    @Test
    void aMoveToReadNewNotesTheStatementsThatNameAnotherMigrationsTableToo(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 10);
        Fixtures.expandAndDualWrite(db);
        db.execute("CREATE TABLE orders(id bigint PRIMARY KEY, user_id bigint, note text)");
        Run orders = cli("expand", "--url", db.jdbcUrl(), "--user", db.user(), "--source", "orders.note", "--key", "id",
                "--target", "order_note.body", "--target-key", "order_id", "--primary-flag", "is_primary");
        assertThat(orders.code()).as(orders.toString()).isZero();
        // as the driver records a statement that names both tables: for each migration; and one for users.email alone
        String join = "SELECT o.note, u.email FROM orders o JOIN users u ON u.id = o.user_id";
        db.execute("INSERT INTO dualwrite.statement_evidence (migration, fingerprint, instance, sample, executions, translatable)"
                + " VALUES ('users.email', 'f1', 'i1', '" + join + "', 3, true), ('orders.note', 'f1', 'i1', '" + join
                + "', 3, true), ('users.email', 'f2', 'i1', 'SELECT email FROM users', 1, true)");
        Run move = cli("phase", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email", "--force", "READ_NEW");
        assertThat(move.code()).as(move.toString()).isZero();
        assertThat(move.out()).contains("note: the fleet sends statements that name this migration's table and another"
                + " migration's", join + " (also orders.note)").doesNotContain("SELECT email FROM users");
        Run back = cli("phase", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email", "DUAL_WRITE");
        assertThat(back.out()).as("only where the migration starts to rewrite reads").doesNotContain("note: the fleet sends");
    }
}
