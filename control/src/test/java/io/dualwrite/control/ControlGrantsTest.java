package io.dualwrite.control;

import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.control.phase.PhaseTransitions;
import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The least-privilege roles on a real server: what the application's role may and may not do in the control schema. */
@ExtendWith(PostgresExtension.class)
class ControlGrantsTest {

    private static final String M = "users.email";

    @Test
    void theApplicationRoleWritesWhatDualWritesNeedAndCannotChangeThePhase(TestDatabase db) throws Exception {
        ControlTablesTest.createUsers(db);
        String app = "app " + db.name(); // a name that needs quoting
        String operator = "Op_" + db.name();
        try (Connection owner = db.connect()) {
            ControlSchema.register(owner, ControlTablesTest.SPEC);
            db.execute("CREATE ROLE \"" + app + "\" LOGIN; CREATE ROLE \"" + operator + "\" LOGIN");
            // what a too-generous setup had granted before: revoked by the grants
            db.execute("GRANT UPDATE ON dualwrite.migration TO \"" + app + "\"");
            List<String> grants = ControlGrants.statements(List.of(ControlTablesTest.SPEC), app, operator);
            assertThat(ControlGrants.problems(owner, app, operator)).isEmpty();
            ControlGrants.apply(owner, grants);

            try (Connection a = connectAs(db, app); Statement s = a.createStatement()) {
                assertThat(ControlTables.upgradeOlder(a)).as("a current schema: nothing to do, no DDL tried").isTrue();
                assertThat(ControlSchema.require(a, M).phase()).as("reads the phase").isEqualTo(Phase.EXPANDED);
                assertThatThrownBy(() -> s.executeUpdate("UPDATE dualwrite.migration SET phase = 'DUAL_WRITE'"))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"))
                        .hasMessageContaining("permission denied");
                assertThatThrownBy(() -> PhaseWriter.change(a, PhaseWriter.Request.of(M, Phase.DUAL_WRITE, "app", null)))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
                assertThatThrownBy(() -> s.executeUpdate("INSERT INTO dualwrite.phase_change (migration, to_phase, changed_by)"
                        + " VALUES ('users.email', 'CONTRACTED', 'forged')")).hasMessageContaining("permission denied");
                assertThatThrownBy(() -> s.executeUpdate("UPDATE dualwrite.instance SET id = 'other'"))
                        .as("heartbeats only: no other column").hasMessageContaining("permission denied");

                Fleet.heartbeat(a, "i-1", "host", 1, Instant.now(), "{\"users.email\":\"EXPANDED\"}");
                Fleet.heartbeat(a, "i-1", "host", 1, Instant.now(), "{\"users.email\":\"EXPANDED\"}");
                s.executeUpdate("INSERT INTO dualwrite.statement_evidence AS e (migration, fingerprint, instance, sample,"
                        + " executions, translatable) VALUES ('users.email', 'f', 'i-1', 's', 1, true) ON CONFLICT"
                        + " (migration, fingerprint, instance) DO UPDATE SET executions = e.executions + 1, last_seen = now()");
                s.executeUpdate("INSERT INTO users VALUES (1, 'a@example.com')");
                s.executeUpdate("INSERT INTO " + ControlTablesTest.SPEC.qualifiedSyncView() + " VALUES (1, 'a@example.com', false)");
                assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 1")).isEqualTo("a@example.com");
                s.executeUpdate("INSERT INTO " + ControlTablesTest.SPEC.qualifiedSyncView() + " VALUES (1, NULL, false)");
                assertThat(db.queryLong("SELECT count(*) FROM email_address")).as("the delete branch too").isZero();
            }

            try (Connection o = connectAs(db, operator)) {
                PhaseWriter.change(o, PhaseWriter.Request.of(M, Phase.DUAL_WRITE, "operator", null));
                assertThatThrownBy(() -> PhaseWriter.change(o, PhaseWriter.Request.of(M, Phase.READ_NEW, "operator", null)))
                        .as("the operator's change still goes through the gates").hasMessageContaining("backfill has not completed");
                PhaseWriter.change(o, PhaseWriter.Request.of(M, Phase.READ_NEW, "operator", null).forced(true));
            }
            try (Connection a = connectAs(db, app)) {
                PhaseTransitions.Move back = PhaseWriter.rollbackReads(a, M, "auto-rollback@test", "error rate");
                assertThat(back.to()).as("the one move the application may make").isEqualTo(Phase.DUAL_WRITE);
                assertThat(PhaseWriter.rollbackReads(a, M, "auto-rollback@test", "again").stays()).isTrue();
            }
            assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("DUAL_WRITE");
            assertThat(db.queryString("SELECT changed_by FROM dualwrite.phase_change ORDER BY id DESC LIMIT 1"))
                    .isEqualTo("auto-rollback@test (role " + app + ")");
        } finally {
            dropRoles(db, app, operator);
        }
    }

    @Test
    void anOlderSchemaIsNotUpgradedByTheApplicationRoleAndTheErrorSaysWho(TestDatabase db) throws Exception {
        ControlTablesTest.createUsers(db);
        String app = "app_" + db.name();
        try (Connection owner = db.connect()) {
            ControlSchema.register(owner, ControlTablesTest.SPEC);
            db.execute("CREATE ROLE " + app + " LOGIN");
            ControlGrants.apply(owner, ControlGrants.statements(List.of(ControlTablesTest.SPEC), app, null));
            db.execute("UPDATE dualwrite.schema_version SET version = 3");
            try (Connection a = connectAs(db, app)) {
                assertThatThrownBy(() -> ControlTables.upgradeOlder(a)).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo("55000"))
                        .hasMessageContaining("version 3").hasMessageContaining("with a role that owns the dualwrite schema");
            }
            assertThat(ControlTables.upgradeOlder(owner)).isTrue();
            assertThat(db.queryLong("SELECT max(version) FROM dualwrite.schema_version")).isEqualTo(ControlTables.VERSION);
        } finally {
            dropRoles(db, app);
        }
    }

    @Test
    void rolesThatNoGrantCanLimitAreNamed(TestDatabase db) throws Exception {
        ControlTablesTest.createUsers(db);
        String owner = "owner_" + db.name();
        String member = "member_" + db.name();
        try (Connection c = db.connect()) {
            ControlSchema.register(c, ControlTablesTest.SPEC);
            db.execute("CREATE ROLE " + owner + "; CREATE ROLE " + member + " LOGIN IN ROLE " + owner
                    + "; ALTER TABLE dualwrite.migration OWNER TO " + owner);
            assertThat(ControlGrants.problems(c, member, null)).singleElement().asString()
                    .contains("is a member of its owner \"" + owner + "\"");
            assertThat(ControlGrants.problems(c, "postgres", null)).singleElement().asString().contains("is a superuser");
            assertThat(ControlGrants.problems(c, "nobody_" + db.name(), null)).singleElement().asString()
                    .contains("does not exist");
            assertThat(ControlGrants.problems(c, member, member)).first().asString().contains("name the same role");
            db.execute("ALTER TABLE dualwrite.migration OWNER TO CURRENT_USER");
        } finally {
            dropRoles(db, member, owner);
        }
    }

    static Connection connectAs(TestDatabase db, String role) throws SQLException {
        Properties p = db.properties();
        p.setProperty("user", role);
        p.remove("password");
        return DriverManager.getConnection(Secrets.withoutParameters(db.jdbcUrl(), "user", "password"), p);
    }

    static void dropRoles(TestDatabase db, String... roles) throws SQLException {
        for (String role : roles) {
            String q = "\"" + role.replace("\"", "\"\"") + "\"";
            db.execute("DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + role.replace("'", "''")
                    + "') THEN EXECUTE 'DROP OWNED BY " + q.replace("'", "''") + "; DROP ROLE " + q.replace("'", "''")
                    + "'; END IF; END $$");
        }
    }
}
