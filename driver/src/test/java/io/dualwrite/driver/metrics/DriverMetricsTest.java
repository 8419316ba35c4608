package io.dualwrite.driver.metrics;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.Await;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Acceptance 2 of issue 14: a known workload through the driver, then a Prometheus scrape that must show every
 * meter with its tags and value. The migration is {@code members.email}, a name no other test uses, so the
 * counters (per JVM, per migration name) hold exactly this workload.
 */
@ExtendWith(PostgresExtension.class)
class DriverMetricsTest {

    private static final String MIGRATION = "members.email";
    private static final MigrationSpec SPEC = new MigrationSpec("public", "members", "id", "email",
            "public", "member_email", "member_id", "address", "is_primary", ControlSchema.syncViewName("members", "email"));

    @Test
    void aPrometheusScrapeShowsEveryMeterOfAKnownWorkload(TestDatabase db) throws Exception {
        db.execute("""
                CREATE TABLE members(id bigint PRIMARY KEY, name text, email text);
                CREATE TABLE member_email(member_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
                CREATE UNIQUE INDEX ON member_email(member_id) WHERE is_primary;
                """);
        try (Connection c = db.connect()) {
            ControlSchema.register(c, SPEC);
            PhaseWriter.change(c, PhaseWriter.Request.of(MIGRATION, Phase.DUAL_WRITE, "test", "metrics").forced(true));
        }
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new DualwriteMetrics().bindTo(prometheus);
        SimpleMeterRegistry global = new SimpleMeterRegistry();
        Metrics.addRegistry(global);
        try (Connection app = db.connectDualwrite()) {
            // DUAL_WRITE: 3 inserts, 2 updates, 1 insert that fails on the primary key (rewritten, run, not the rewrite's fault)
            try (PreparedStatement insert = app.prepareStatement("INSERT INTO members (id, name, email) VALUES (?, ?, ?)")) {
                for (long id = 1; id <= 3; id++) {
                    insert.setLong(1, id);
                    insert.setString(2, "m" + id);
                    insert.setString(3, "m" + id + "@example.com");
                    assertThat(insert.executeUpdate()).isEqualTo(1);
                }
                insert.setLong(1, 1);
                insert.setString(2, "again");
                insert.setString(3, "again@example.com");
                assertThatThrownBy(insert::executeUpdate).isInstanceOf(SQLException.class)
                        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("23505");
            }
            try (PreparedStatement update = app.prepareStatement("UPDATE members SET email = ? WHERE id = ?")) {
                for (long id = 1; id <= 2; id++) {
                    update.setString(1, "new" + id + "@example.com");
                    update.setLong(2, id);
                    assertThat(update.executeUpdate()).isEqualTo(1);
                }
            }
            // refused in every phase: a named server-side write would outlive the phase
            try (Statement s = app.createStatement()) {
                assertThatThrownBy(() -> s.execute("PREPARE w AS UPDATE members SET email = $1 WHERE id = $2"))
                        .isInstanceOf(SQLException.class).extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("0A000");
            }
            try (Connection c = db.connect()) {
                ControlSchema.recordParity(c, MIGRATION, 0);
                PhaseWriter.change(c, PhaseWriter.Request.of(MIGRATION, Phase.READ_NEW, "test", "metrics").forced(true));
            }
            Await.within(30_000, () -> gauge(prometheus, "dualwrite.phase") == Phase.READ_NEW.ordinal(), "the driver applies READ_NEW");
            // READ_NEW: 4 reads served from member_email
            try (PreparedStatement read = app.prepareStatement("SELECT email FROM members WHERE id = ?")) {
                for (long id = 1; id <= 4; id++) {
                    read.setLong(1, id % 3 + 1);
                    try (ResultSet rs = read.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                    }
                }
            }
        }

        String scrape = prometheus.scrape();
        scrape.lines().filter(l -> l.contains(MIGRATION)).forEach(System.out::println);
        String tags = "migration=\"" + MIGRATION + "\"";
        assertThat(scrape)
                .contains("dualwrite_statements_total{kind=\"dual_write\"," + tags + "} 6.0\n")
                .contains("dualwrite_statements_total{kind=\"read_new\"," + tags + "} 4.0\n")
                .contains("dualwrite_statements_total{kind=\"rejected\"," + tags + "} 1.0\n")
                .contains("dualwrite_rewritten_executions_total{" + tags + "} 10.0\n")
                .contains("dualwrite_rewritten_failures_total{" + tags + "} 0.0\n")
                .contains("dualwrite_shadow_comparisons_total{" + tags + "} 0.0\n")
                .contains("dualwrite_shadow_mismatches_total{" + tags + "} 0.0\n")
                .contains("dualwrite_held_transactions_ended_total{" + tags + "} 0.0\n")
                .contains("dualwrite_phase{" + tags + "} 2.0\n")
                .contains("dualwrite_parity_mismatches{" + tags + "} 0.0\n")
                .contains("dualwrite_held_back_connections{" + tags + "} 0.0\n")
                // one per statement the driver routed: 4 + 2 writes, 1 refusal, 4 reads
                .contains("dualwrite_rewrite_seconds_count{" + tags + "} 11\n")
                // three texts, each planned once: the INSERT, the UPDATE, the SELECT; and the refused PREPARE
                .contains("dualwrite_planning_seconds_count{" + tags + "} 4\n");
        FunctionTimer rewrite = prometheus.get("dualwrite.rewrite").tag("migration", MIGRATION).functionTimer();
        FunctionTimer planning = prometheus.get("dualwrite.planning").tag("migration", MIGRATION).functionTimer();
        assertThat(rewrite.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(planning.totalTime(TimeUnit.NANOSECONDS)).isPositive();

        // the driver bound itself to the global registry, where Spring Boot's registry sits by default
        Gauge phase = global.find("dualwrite.phase").tag("migration", MIGRATION).gauge();
        Metrics.removeRegistry(global);
        assertThat(phase).as("dualwrite.phase on the global registry").isNotNull();
        assertThat(phase.value()).isEqualTo(Phase.READ_NEW.ordinal());
    }

    private static double gauge(PrometheusMeterRegistry registry, String name) {
        Gauge g = registry.find(name).tag("migration", MIGRATION).gauge();
        return g == null ? Double.NaN : g.value();
    }
}
