package io.dualwrite.control;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(PostgresExtension.class)
public class ControlTablesTest {

    public static final MigrationSpec SPEC = new MigrationSpec("public", "users", "id", "email", "public", "email_address",
            "user_id", "address", "is_primary", ControlSchema.syncViewName("users", "email"));

    public static void createUsers(TestDatabase db) throws SQLException {
        db.execute("""
                CREATE TABLE users(id bigint PRIMARY KEY, email text);
                CREATE TABLE email_address(user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL);
                CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary""");
    }

    @Test
    void aFreshInstallIsAtTheCurrentVersion(TestDatabase db) throws Exception {
        createUsers(db);
        try (Connection c = db.connect()) {
            assertThat(ControlTables.installedVersion(c)).isZero();
            ControlSchema.register(c, SPEC);
            assertThat(ControlTables.installedVersion(c)).isEqualTo(ControlTables.VERSION);
            ControlTables.install(c); // idempotent
        }
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.schema_version")).isEqualTo(1);
        assertThat(db.queryLong("SELECT count(*) FROM pg_tables WHERE schemaname = 'dualwrite'")).isEqualTo(11);
    }

    @Test
    void aSchemaOfThePreviousLayoutIsUpgradedKeepingItsRows(TestDatabase db) throws Exception {
        createUsers(db);
        db.execute(resource("/control-schema-v1.sql"));
        db.execute("""
                INSERT INTO dualwrite.migration (name, source_schema, source_table, key_column, source_column, target_schema,
                  target_table, target_key_column, target_value_column, primary_flag_column, sync_view, phase)
                VALUES ('users.email', 'public', 'users', 'id', 'email', 'public', 'email_address', 'user_id', 'address',
                  'is_primary', 'sync_users_email', 'DUAL_WRITE');
                INSERT INTO dualwrite.backfill_checkpoint (migration, rows_copied, completed_at) VALUES ('users.email', 42, now())""");
        try (Connection c = db.connect()) {
            assertThat(ControlTables.installedVersion(c)).isEqualTo(1);
            // an older schema reads the same: a driver of this version follows it before anything upgrades it
            assertThat(ControlSchema.require(c, "users.email").phase()).isEqualTo(Phase.DUAL_WRITE);
            assertThat(ControlSchema.register(c, SPEC)).isEqualTo(Phase.DUAL_WRITE); // what `expand` runs
            assertThat(ControlTables.installedVersion(c)).isEqualTo(ControlTables.VERSION);
        }
        assertThat(db.queryLong("SELECT rows_copied FROM dualwrite.backfill_checkpoint")).isEqualTo(42);
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.backfill_range")).isZero();
    }

    @Test
    void version8MakesTheDeleteTriggersOfAnEarlierNewOnlyFireAlways(TestDatabase db) throws Exception {
        createUsers(db);
        try (Connection c = db.connect()) {
            ControlSchema.register(c, SPEC);
            DeletedKeysTrigger.install(c, SPEC); // as phase NEW_ONLY does
        }
        String enabled = "SELECT string_agg(tgenabled::text, '' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'users'::regclass"
                + " AND tgname IN ('" + DeletedKeysTrigger.deleteTriggerName(SPEC) + "', '" + DeletedKeysTrigger.truncateTriggerName(SPEC) + "')";
        assertThat(db.queryString(enabled)).isEqualTo("AA");
        // as version 7 left them: firing on origin only, so not under session_replication_role = replica
        db.execute("ALTER TABLE users ENABLE TRIGGER " + DeletedKeysTrigger.deleteTriggerName(SPEC)
                + ", ENABLE TRIGGER " + DeletedKeysTrigger.truncateTriggerName(SPEC) + ";"
                + " UPDATE dualwrite.schema_version SET version = 7");
        try (Connection c = db.connect()) {
            assertThat(ControlTables.upgradeOlder(c)).isTrue(); // what the driver runs when it connects
            assertThat(DeletedKeysTrigger.installed(c, SPEC)).isTrue();
        }
        assertThat(db.queryString(enabled)).isEqualTo("AA");
    }

    @Test
    void aNewerSchemaIsRefusedAndLeftAlone(TestDatabase db) throws Exception {
        createUsers(db);
        try (Connection c = db.connect()) {
            ControlSchema.register(c, SPEC);
        }
        db.execute("UPDATE dualwrite.schema_version SET version = " + (ControlTables.VERSION + 1));
        try (Connection c = db.connect()) {
            assertThatThrownBy(() -> ControlSchema.load(c)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("version " + (ControlTables.VERSION + 1))
                    .hasMessageContaining("newer than this dualwrite knows (" + ControlTables.VERSION + ")")
                    .hasMessageContaining("Upgrade the dualwrite driver");
            assertThatThrownBy(() -> ControlSchema.register(c, SPEC)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("newer than this dualwrite knows");
        }
        assertThat(db.queryLong("SELECT max(version) FROM dualwrite.schema_version")).isEqualTo(ControlTables.VERSION + 1);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ControlTablesTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("test resource " + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
