package io.dualwrite.migrator.faults;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.migrator.backfill.Backfill;
import io.dualwrite.migrator.backfill.BackfillOptions;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.dualwrite.migrator.Fixtures.cli;
import static io.dualwrite.migrator.faults.Saboteur.Fault.restart;
import static io.dualwrite.migrator.faults.Saboteur.Fault.terminate;
import static org.assertj.core.api.Assertions.assertThat;

/** Acceptance 1 of issue 13 for {@code parity} and {@code parity --repair}: killed backends and a server restart mid-run. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ParityFaultsTest {

    private static final int USERS = 60_000;
    /** Every 40th primary target row differs: 1,500 keys for the chunks to narrow down and re-check one by one. */
    private static final String DRIFT = "UPDATE email_address SET address = 'drifted-' || user_id WHERE is_primary AND user_id % 40 = 0";
    private static final List<Saboteur.Fault> PLAN = List.of(terminate(0.1), terminate(0.25), restart(0.4), terminate(0.55));

    private static void drifted(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, USERS);
        Fixtures.expandAndDualWrite(db);
        try (Connection c = db.connect()) {
            Backfill.run(c, "users.email", new BackfillOptions(5000, 0, false), null);
        }
        db.execute(DRIFT);
    }

    /** The share of run {@code runId}'s chunks recorded. */
    private static String chunksChecked(int runId) {
        return "SELECT count(*) FILTER (WHERE mismatches IS NOT NULL)::float8 / nullif(count(*), 0) FROM dualwrite.parity_chunk"
                + " WHERE migration = 'users.email' AND run_id = " + runId;
    }

    private static Run parity(TestDatabase db, String... more) {
        String[] base = {"parity", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email", "--json",
                "--chunk-size", "500", "--workers", "2", "--retry-for", "60s"};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return cli(all);
    }

    private static Run underFaults(TestDatabase db, int runId, String... more) throws Exception {
        Saboteur saboteur = new Saboteur(db, "dualwrite-parity", chunksChecked(runId), PLAN);
        Run run;
        try (saboteur) {
            run = CompletableFuture.supplyAsync(() -> parity(db, more)).get(240, TimeUnit.SECONDS);
        }
        System.out.println("parity " + String.join(" ", more) + " under faults: " + saboteur.done() + "\n" + run.err());
        assertThat(saboteur.done()).as("every planned fault hit the running parity").hasSize(PLAN.size());
        assertThat(run.err()).contains("lost the connection (", "resuming with the chunks not checked yet");
        return run;
    }

    private static JsonObject json(Run run) {
        return JsonParser.parseString(run.out()).getAsJsonObject();
    }

    @Test
    void countsTheSameMismatchesThroughKilledBackendsAndARestart(TestDatabase db) throws Exception {
        drifted(db);
        Run undisturbed = parity(db);
        assertThat(undisturbed.code()).as(undisturbed.toString()).isEqualTo(1);
        long expected = json(undisturbed).get("mismatches").getAsLong();
        assertThat(expected).isEqualTo(USERS / 40 - USERS / 280); // every 7th email is NULL: no primary row to drift

        Run disturbed = underFaults(db, 2);
        assertThat(disturbed.code()).as(disturbed.toString()).isEqualTo(1);
        JsonObject o = json(disturbed);
        assertThat(o.get("mismatches").getAsLong()).isEqualTo(expected);
        assertThat(o.get("sourceRows").getAsLong()).isEqualTo(USERS);
        assertThat(db.queryLong("SELECT last_parity_mismatches FROM dualwrite.migration")).isEqualTo(expected);
    }

    @Test
    void repairCompletesThroughKilledBackendsAndARestart(TestDatabase db) throws Exception {
        drifted(db);
        Run repaired = underFaults(db, 1, "--repair");
        assertThat(repaired.code()).as(repaired.toString()).isZero();
        assertThat(json(repaired).get("mismatches").getAsLong()).isZero();

        Run after = parity(db);
        assertThat(after.code()).as(after.toString()).isZero();
        assertThat(json(after).get("mismatches").getAsLong()).isZero();
    }
}
