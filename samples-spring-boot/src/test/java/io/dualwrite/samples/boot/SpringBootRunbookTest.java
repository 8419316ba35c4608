package io.dualwrite.samples.boot;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.dao.OptimisticLockingFailureException;

import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Acceptance 1 of issue 14: the Spring Boot sample, started on the embedded server with only its datasource URL
 * pointing at {@code jdbc:dualwrite:postgresql://…}, keeps working through the whole runbook — expand, DUAL_WRITE,
 * backfill, parity 0, READ_NEW, NEW_ONLY, contract — while the CLI runs in-process; at each phase its answers are
 * checked, and so are both tables. After the drop the application starts again with {@code ddl-auto=validate}.
 */
@ExtendWith(PostgresExtension.class)
class SpringBootRunbookTest {

    private static final String MIGRATION = Runbook.MIGRATION;
    private static final int SEEDED_USERS = 2_000;

    private TestDatabase db;
    private Runbook runbook;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theApplicationKeepsWorkingThroughTheWholeRunbook(TestDatabase db) throws Exception {
        this.db = db;
        this.runbook = new Runbook(db);
        Runbook.createUsers(db, SEEDED_USERS);

        try (ConfigurableApplicationContext app = start()) {
            UserService users = app.getBean(UserService.class);
            AppTraffic traffic = new AppTraffic(users);
            traffic.start();
            try {
                checkApplication(users, null);

                runbook.cli("expand", "--source", "users.email", "--key", "id", "--target", "email_address.address",
                        "--target-key", "user_id", "--primary-flag", "is_primary");
                // the runbook's step 2 validation: the instance knows the migration before it is asked to write both (one
                // that learned of it and of DUAL_WRITE in one refresh refuses a statement it prepared just before)
                runbook.awaitAcknowledged(Phase.EXPANDED);
                checkApplication(users, Phase.EXPANDED);

                runbook.cli("phase", "--migration", MIGRATION, "DUAL_WRITE");
                runbook.awaitAcknowledged(Phase.DUAL_WRITE);
                checkApplication(users, Phase.DUAL_WRITE);

                runbook.cli("backfill", "--migration", MIGRATION, "--batch-size", "500");
                runbook.cli("parity", "--migration", MIGRATION); // exit 0: no mismatch
                // one statement, one snapshot: the application keeps writing meanwhile
                assertThat(db.queryLong("SELECT (SELECT count(*) FROM users u LEFT JOIN email_address e ON e.user_id = u.id"
                        + " AND e.is_primary WHERE u.email IS DISTINCT FROM e.address) + (SELECT count(*) FROM email_address e"
                        + " WHERE e.is_primary AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id))"))
                        .as("users whose email_address differs, and orphans").isZero();

                runbook.cli("phase", "--migration", MIGRATION, "READ_NEW");
                runbook.awaitAcknowledged(Phase.READ_NEW);
                checkApplication(users, Phase.READ_NEW);
                readsComeFromEmailAddress(users);

                runbook.awaitSoak();
                runbook.cli("phase", "--migration", MIGRATION, "NEW_ONLY", "--soak", "1s");
                runbook.awaitAcknowledged(Phase.NEW_ONLY);
                checkApplication(users, Phase.NEW_ONLY);

                runbook.awaitSoak();
                runbook.cli("contract", "--migration", MIGRATION, "--soak", "1s");
                runbook.awaitAcknowledged(Phase.CONTRACTED);
                assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                        + " AND column_name = 'email'")).as("users.email dropped").isZero();
                checkApplication(users, Phase.CONTRACTED);
            } finally {
                traffic.stop();
            }
            System.out.printf("the application completed %d traffic loops (sign-up, read, versioned update, finds, some"
                    + " deletes) during the runbook, %d failed%n", traffic.operations(), traffic.failures());
            assertThat(traffic.firstFailure()).as("first failure of the running application").isNull();
            assertThat(traffic.failures()).isZero();
            assertThat(traffic.operations()).as("operations the application completed during the runbook").isPositive();
            driverMetricsReachBootsRegistry(app);
        }

        // a restart after the drop: Hibernate validates users.email, which the driver still lists (recorded type)
        try (ConfigurableApplicationContext restarted = start()) {
            checkApplication(restarted.getBean(UserService.class), Phase.CONTRACTED);
        }
    }

    private ConfigurableApplicationContext start() {
        return Runbook.start(db, db.dualwriteUrl());
    }

    /**
     * The application's own answers (insert returning the id, read back, find by email, versioned update,
     * stale version refused, delete), then where the values landed, as this phase writes them.
     */
    private void checkApplication(UserService users, Phase phase) throws SQLException {
        String tag = phase == null ? "before" : phase.name().toLowerCase();
        String email = "check-" + tag + "@example.com";
        long id = users.signUp("check " + tag, email);
        assertThat(id).as("generated id").isGreaterThan(SEEDED_USERS);
        User created = users.find(id).orElseThrow();
        assertThat(created.getEmail()).isEqualTo(email);
        assertThat(users.findByEmail(email).map(User::getId)).contains(id);

        String changed = "Check-" + tag + "@Example.org";
        long version = users.changeEmail(id, created.getVersion(), changed);
        assertThat(version).isEqualTo(created.getVersion() + 1);
        assertThat(users.findByEmail(changed).map(User::getId)).contains(id);
        assertThat(users.findByEmail(email)).isEmpty();
        assertThatThrownBy(() -> users.changeEmail(id, created.getVersion(), "stale@example.com"))
                .isInstanceOf(OptimisticLockingFailureException.class);

        boolean writesNew = phase != null && phase.ordinal() >= Phase.DUAL_WRITE.ordinal();
        if (writesNew) {
            assertThat(db.queryString("SELECT address FROM email_address WHERE is_primary AND user_id = " + id))
                    .as("email_address in " + tag).isEqualTo(changed);
        }
        if (phase == null || phase.writesOld()) {
            assertThat(db.queryString("SELECT email FROM users WHERE id = " + id)).as("users.email in " + tag).isEqualTo(changed);
        } else if (phase == Phase.NEW_ONLY) {
            assertThat(db.queryString("SELECT email FROM users WHERE id = " + id)).as("users.email no longer written").isNull();
        }

        users.delete(id);
        assertThat(users.find(id)).isEmpty();
        if (writesNew) {
            assertThat(db.queryLong("SELECT count(*) FROM email_address WHERE user_id = " + id)).as("deleted in both").isZero();
        }
    }

    /** In READ_NEW the application reads email_address: a value changed only there is what it finds. */
    private void readsComeFromEmailAddress(UserService users) throws SQLException {
        long id = users.signUp("probe", "probe-old@example.com");
        db.execute("UPDATE email_address SET address = 'probe-new@example.com' WHERE is_primary AND user_id = " + id);
        Optional<User> found = users.findByEmail("probe-new@example.com");
        assertThat(found.map(User::getId)).contains(id);
        assertThat(users.findByEmail("probe-old@example.com")).as("users.email still holds the old value").isEmpty();
        users.delete(id);
    }

    private void driverMetricsReachBootsRegistry(ConfigurableApplicationContext app) {
        MeterRegistry registry = app.getBean(MeterRegistry.class);
        Gauge phase = registry.find("dualwrite.phase").tag("migration", MIGRATION).gauge();
        assertThat(phase).as("dualwrite.phase in Boot's registry (through the global registry)").isNotNull();
        assertThat(phase.value()).isEqualTo(Phase.CONTRACTED.ordinal());
        String scrape = app.getBean(PrometheusMeterRegistry.class).scrape();
        assertThat(scrape).contains("dualwrite_phase{migration=\"users.email\"} 4.0")
                .containsPattern("dualwrite_statements_total\\{kind=\"dual_write\",migration=\"users.email\"} [1-9]");
    }
}
