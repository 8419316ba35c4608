package io.dualwrite.migrator.watch;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.dualwrite.migrator.Fixtures;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code dualwrite watch}: prerequisites and refusals, catching up on what the slot kept, --repair, --json, --stop. */
class WatchCliTest {

    private static String[] watch(TestDatabase db, String... more) {
        String[] base = {"watch", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", WatchHarness.MIGRATION};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void refusesWithoutLogicalWalLevel() throws SQLException {
        try (TestDatabase db = PostgresServer.get().createDatabase()) {
            Fixtures.createUsers(db, 10);
            Fixtures.expandAndDualWrite(db);
            Fixtures.Run r = Fixtures.cli(watch(db, "--until-caught-up"));
            assertThat(r.code()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).contains("wal_level is 'replica'", "wal_level = logical", "restart the server")
                    .startsWith("refused: ").doesNotContain("watching");
            assertThat(db.queryLong("SELECT count(*) FROM pg_publication")).isZero();
        }
    }

    @Test
    void refusesOutsideTheDualWritePhases() throws SQLException {
        try (TestDatabase db = PostgresServer.logical().createDatabase()) {
            Fixtures.createUsers(db, 10);
            assertThat(Fixtures.cli(Fixtures.expandArgs(db)).code()).isZero();
            Fixtures.Run r = Fixtures.cli(watch(db, "--until-caught-up"));
            assertThat(r.code()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).contains("only in DUAL_WRITE and READ_NEW", "EXPANDED");
            // the refusal is all it says: no word of a slot it did not create
            assertThat(r.err()).startsWith("refused: ").doesNotContain("watching", "slot");
            assertThat(r.out()).isEmpty();
            assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots")).isZero();
        }
    }

    @Test
    void refusesASourceTableWithoutReplicaIdentity() throws Exception {
        try (WatchHarness h = new WatchHarness(50, "CREATE TABLE guests (note text) INHERITS (users)")) {
            Fixtures.Run r = Fixtures.cli(watch(h.db, "--until-caught-up"));
            assertThat(r.code()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).contains("no replica identity", "guests", "REPLICA IDENTITY FULL");
            // nothing published: the application's UPDATE and DELETE on the child still work
            assertThat(h.db.queryLong("SELECT count(*) FROM pg_publication")).isZero();
            h.db.execute("INSERT INTO guests (id, name, email) VALUES (900, 'g', 'g@example.com')");
            h.db.execute("DELETE FROM guests WHERE id = 900");
        }
    }

    @Test
    void catchesUpOnWhatTheSlotKeptThenRepairsThenStops() throws Exception {
        try (WatchHarness h = new WatchHarness(100)) {
            Fixtures.Run first = Fixtures.cli(watch(h.db, "--until-caught-up")); // creates the slot; nothing to check
            assertThat(first.code()).as(first.toString()).isZero();
            assertThat(first.err()).startsWith("watching users.email from slot dualwrite_watch_");

            h.db.execute("UPDATE users SET email = 'offline@example.com' WHERE id = 3"); // while no watch runs
            Fixtures.Run found = Fixtures.cli(watch(h.db, "--until-caught-up"));
            assertThat(found.code()).as(found.toString()).isEqualTo(1);
            assertThat(found.out()).contains("drift MISMATCH 3: old='offline@example.com' new='u3@example.com'",
                    "1 drifted (0 repaired)", "--repair");
            assertThat(h.db.queryString("SELECT key || ' ' || kind || ' ' || repaired FROM dualwrite.watch_log")).isEqualTo("3 MISMATCH false");
            assertThat(h.parity()).isEqualTo(1);

            h.db.execute("UPDATE users SET email = NULL WHERE id = 4");
            Fixtures.Run repaired = Fixtures.cli(watch(h.db, "--until-caught-up", "--repair", "--json"));
            assertThat(repaired.code()).as(repaired.toString()).isZero();
            JsonObject j = JsonParser.parseString(repaired.out()).getAsJsonObject();
            assertThat(j.get("ok").getAsBoolean()).isTrue();
            assertThat(j.get("drifts").getAsLong()).isEqualTo(1);
            assertThat(j.get("repaired").getAsLong()).isEqualTo(1);
            assertThat(j.getAsJsonArray("samples").get(0).getAsJsonObject().get("key").getAsString()).isEqualTo("4");
            // key 3 was reported by the earlier run (its position confirmed): parity --repair is its repair
            assertThat(h.parity()).isEqualTo(1);

            Fixtures.Run stop = Fixtures.cli(watch(h.db, "--stop"));
            assertThat(stop.code()).as(stop.toString()).isZero();
            assertThat(stop.out()).contains("slot and publication dropped");
            assertThat(h.db.queryLong("SELECT count(*) FROM pg_replication_slots")).isZero();
            assertThat(h.db.queryLong("SELECT count(*) FROM pg_publication")).isZero();
            assertThat(Fixtures.cli(watch(h.db, "--stop")).out()).contains("no slot or publication to drop");
        }
    }

    @Test
    void usageErrors() throws Exception {
        try (WatchHarness h = new WatchHarness(10)) {
            Fixtures.Run r = Fixtures.cli(watch(h.db, "--grace", "soon"));
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("--grace must be a duration");
            Fixtures.Run json = Fixtures.cli(watch(h.db, "--batch-keys", "0", "--json"));
            assertThat(json.code()).isEqualTo(2);
            assertThat(json.out()).contains("\"ok\":false");
        }
    }
}
