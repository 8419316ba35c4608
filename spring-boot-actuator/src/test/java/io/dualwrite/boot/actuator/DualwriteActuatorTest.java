package io.dualwrite.boot.actuator;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Connection;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The optional integration: with this module on the classpath a Boot application on the dualwrite driver shows each
 * migration's phase and backfill state in its info, and its own registry has the driver's meters even when Boot
 * keeps it off the global registry.
 */
@ExtendWith(PostgresExtension.class)
class DualwriteActuatorTest {

    @Test
    @SuppressWarnings("unchecked") // the info details are nested maps
    void infoShowsPhaseAndBackfillAndTheRegistryHasTheMeters(TestDatabase db) throws Exception {
        db.execute("""
                CREATE TABLE users(id bigint PRIMARY KEY, email text);
                CREATE TABLE email_address(user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
                CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
                """);
        try (Connection c = db.connect()) {
            ControlSchema.register(c, new MigrationSpec("public", "users", "id", "email", "public", "email_address",
                    "user_id", "address", "is_primary", ControlSchema.syncViewName("users", "email")));
            PhaseWriter.change(c, PhaseWriter.Request.of("users.email", Phase.DUAL_WRITE, "test", "actuator").forced(true));
            ControlSchema.recordParity(c, "users.email", 0);
        }
        db.execute("INSERT INTO dualwrite.backfill_checkpoint (migration, rows_copied, batches, total_rows)"
                + " VALUES ('users.email', 1200, 3, 5000)");

        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(InfoApp.class).run(
                "--spring.datasource.url=" + db.dualwriteUrl(),
                "--spring.datasource.driver-class-name=io.dualwrite.driver.DualwriteDriver",
                "--spring.datasource.username=" + db.user(),
                "--spring.datasource.password=" + (db.password() == null ? "" : db.password()),
                "--management.metrics.use-global-registry=false", "--spring.main.banner-mode=off")) {
            assertThat(app.getBean(JdbcTemplate.class).update("INSERT INTO users (id, email) VALUES (1, 'a@example.com')"))
                    .isEqualTo(1);

            Info.Builder builder = new Info.Builder();
            app.getBean(DualwriteInfoContributor.class).contribute(builder);
            Map<String, Object> dualwrite = (Map<String, Object>) builder.build().getDetails().get("dualwrite");
            Map<String, Object> migration = (Map<String, Object>) ((Map<String, Object>) dualwrite.get("migrations")).get("users.email");
            assertThat(migration).containsEntry("phase", "DUAL_WRITE").containsEntry("appliedHere", "DUAL_WRITE")
                    .containsEntry("lastParityMismatches", 0L)
                    .containsEntry("backfill", Map.of("state", "running", "rowsCopied", 1200L, "totalRows", 5000L));

            MeterRegistry registry = app.getBean(MeterRegistry.class);
            Gauge phase = registry.find("dualwrite.phase").tag("migration", "users.email").gauge();
            assertThat(phase).as("dualwrite.phase in Boot's registry, bound as a MeterBinder bean").isNotNull();
            assertThat(phase.value()).isEqualTo(Phase.DUAL_WRITE.ordinal());
            assertThat(registry.find("dualwrite.statements").tag("kind", "dual_write").functionCounter().count()).isEqualTo(1.0);
        }
    }
}
