package io.dualwrite.migrator.faults;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.dualwrite.migrator.Fixtures.cli;
import static io.dualwrite.migrator.faults.Saboteur.Fault.restart;
import static io.dualwrite.migrator.faults.Saboteur.Fault.terminate;
import static org.assertj.core.api.Assertions.assertThat;

/** Acceptance 1 of issue 13 for {@code reverse-sync} and {@code contract}: killed backends and a server restart mid-run. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReverseSyncAndContractFaultsTest {

    private static final int USERS = 60_000;

    private static Run command(TestDatabase db, String... args) {
        String[] base = {"--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email", "--retry-for", "60s"};
        String[] all = new String[args.length + base.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(base, 0, all, args.length, base.length);
        return cli(all);
    }

    @Test
    void reverseSyncCompletesThroughKilledBackendsAndARestart(TestDatabase db) throws Exception {
        Fixtures.newOnly(db, USERS);
        // NEW_ONLY writes left the old column behind: every 3rd address changed in the new table only
        db.execute("UPDATE email_address SET address = 'new-' || user_id WHERE is_primary AND user_id % 3 = 0");
        long stale = db.queryLong(Fixtures.PARITY);
        assertThat(stale).isPositive();
        List<Saboteur.Fault> plan = List.of(terminate(0.1), terminate(0.25), restart(0.4), terminate(0.55));
        String keysDone = "SELECT coalesce(last_key::float8, 0) / " + USERS + " FROM dualwrite.reverse_sync"
                + " WHERE migration = 'users.email' AND completed_at IS NULL";
        Run run;
        Saboteur saboteur = new Saboteur(db, "dualwrite-reverse-sync", keysDone, plan);
        try (saboteur) {
            run = CompletableFuture.supplyAsync(() -> command(db, "reverse-sync", "--batch-size", "250", "--json"))
                    .get(240, TimeUnit.SECONDS);
        }
        // read once the saboteur has stopped: the command may end while a fault's call (a restart) is still returning
        System.out.println("reverse-sync under faults: " + saboteur.done() + "\n" + run.err());
        assertThat(saboteur.done()).as("every planned fault hit the running reverse-sync").hasSize(plan.size());
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.err()).contains("lost the connection (", "resuming after key");
        JsonObject o = JsonParser.parseString(run.out()).getAsJsonObject();
        assertThat(o.get("parityMismatches").getAsLong()).isZero();
        // the same result as an undisturbed run: every stale value rewritten (a rewritten batch whose commit was
        // acknowledged too late is found in step by its retry, so the count never exceeds the stale values)
        assertThat(o.get("rowsUpdated").getAsLong()).isBetween(stale - 4 * 250, stale);
        assertThat(db.queryLong(Fixtures.PARITY)).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.reverse_sync WHERE completed_at IS NOT NULL")).isOne();
    }

    @Test
    void contractCompletesThroughKilledBackendsAndARestart(TestDatabase db) throws Exception {
        Fixtures.newOnly(db, USERS);
        // an open transaction that read users holds the contract's lock request in its lock_timeout loop: the faults
        // hit it while it waits, until the restart ends the blocker too
        try (Connection blocker = db.connect()) {
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("SELECT count(*) FROM users WHERE id = 1");
            }
            List<Saboteur.Fault> plan = List.of(terminate(1), terminate(1), restart(1));
            String waiting = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dualwrite-contract'"
                    + " AND wait_event_type = 'Lock'";
            Run run;
            Saboteur saboteur = new Saboteur(db, "dualwrite-contract", waiting, plan);
            try (saboteur) {
                run = CompletableFuture.supplyAsync(() -> command(db, "contract", "--soak", "1h", "--lock-timeout", "300ms",
                        "--attempts", "1000")).get(240, TimeUnit.SECONDS);
            }
            // the restart ends the blocker, so the contract may finish before the saboteur's restart call returns
            System.out.println("contract under faults: " + saboteur.done() + "\n" + run);
            assertThat(saboteur.done()).as("every planned fault hit the waiting contract").hasSize(plan.size());
            assertThat(run.code()).as(run.toString()).isZero();
            assertThat(run.out()).contains("contracted users.email");
            // without --json the fault lines are among the progress lines, on stdout
            assertThat(run.out()).contains("lost the connection (57P01", "resuming in phase NEW_ONLY");
        }
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("CONTRACTED");
        assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                + " AND column_name = 'email'")).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.phase_change WHERE to_phase = 'CONTRACTED'")).isOne();
    }

    @Test
    void contractGivesUpWhenFaultsKeepItFromProgressingForRetryFor(TestDatabase db) throws Exception {
        Fixtures.newOnly(db, USERS);
        try (Connection blocker = db.connect()) {
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("SELECT count(*) FROM users WHERE id = 1");
            }
            // every attempt is terminated while it waits for the lock: no attempt ever gets further
            List<Saboteur.Fault> endless = Collections.nCopies(1000, terminate(1));
            String waiting = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dualwrite-contract'"
                    + " AND wait_event_type = 'Lock'";
            Run run;
            Saboteur saboteur = new Saboteur(db, "dualwrite-contract", waiting, endless);
            try (saboteur) {
                run = CompletableFuture.supplyAsync(() -> cli("contract", "--url", db.jdbcUrl(), "--user", db.user(),
                        "--migration", "users.email", "--soak", "1h", "--lock-timeout", "5s", "--retry-for", "2s"))
                        .get(240, TimeUnit.SECONDS);
            }
            assertThat(saboteur.done().size()).as("faults before giving up").isGreaterThan(1);
            assertThat(run.code()).as(run.toString()).isEqualTo(2);
            // which of the two ways to give up comes first depends on how long a reconnect takes on a loaded machine
            assertThat(run.err()).contains("lost the connection (57P01", "and gave up: ", "(--retry-for 2.0 s)",
                    "run the same command again").containsAnyOf("made no progress for", "could not reconnect within")
                    .doesNotContain("\tat ");
        }
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("NEW_ONLY");
        assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                + " AND column_name = 'email'")).isOne();
    }
}
