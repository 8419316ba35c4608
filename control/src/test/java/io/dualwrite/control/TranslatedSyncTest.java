package io.dualwrite.control;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(PostgresExtension.class)
class TranslatedSyncTest {

    private static final MigrationSpec SPEC = ControlTablesTest.SPEC;

    @Test
    void itUpsertsAndDeletesThePrimaryRowWithTheOldColumnsType(TestDatabase db) throws Exception {
        db.execute("""
                CREATE TABLE users(id bigint PRIMARY KEY, email varchar(12));
                CREATE TABLE email_address(user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL);
                CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
                INSERT INTO email_address VALUES (1, 'old@x', false)""");
        try (Connection c = db.connect()) {
            ControlSchema.register(c, SPEC);
        }
        db.execute("ALTER TABLE users DROP COLUMN email"); // the contract: the view keeps the recorded type
        String view = SPEC.qualifiedTranslatedSyncView();
        db.execute("INSERT INTO " + view + " VALUES (1, 'a@x', false)");
        db.execute("INSERT INTO " + view + " VALUES (1, 'b@x', false)");
        assertThat(rows(db)).isEqualTo("1|b@x|true,1|old@x|false");
        db.execute("INSERT INTO " + view + " VALUES (1, NULL, false)");
        assertThat(rows(db)).as("NULL removes the primary row only").isEqualTo("1|old@x|false");
        db.execute("INSERT INTO " + view + " VALUES (2, 'c@x', false)");
        db.execute("INSERT INTO " + view + " VALUES (2, 'c@x', true)");
        assertThat(rows(db)).as("a deleted source row loses its primary row").isEqualTo("1|old@x|false");
        assertThatThrownBy(() -> db.execute("INSERT INTO " + view + " VALUES (3, 'far-too-long@example.com', false)"))
                .isInstanceOf(SQLException.class).extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("22001");
    }

    @Test
    void anUpgradeCreatesItWithTheSyncViewsInsertGrants(TestDatabase db) throws Exception {
        ControlTablesTest.createUsers(db);
        try (Connection c = db.connect()) {
            ControlSchema.register(c, SPEC);
        }
        String role = "app_" + db.name().toLowerCase();
        db.execute("CREATE ROLE " + role);
        db.execute("GRANT INSERT ON " + SPEC.qualifiedSyncView() + " TO " + role);
        // a database of version 5: no translated view yet
        db.execute("DROP VIEW " + SPEC.qualifiedTranslatedSyncView() + "; UPDATE dualwrite.schema_version SET version = 5");
        try (Connection c = db.connect()) {
            assertThat(ControlTables.upgradeOlder(c)).isTrue();
            assertThat(ControlTables.installedVersion(c)).isEqualTo(ControlTables.VERSION);
        }
        assertThat(db.queryString("SELECT has_table_privilege('" + role + "', '" + SPEC.qualifiedTranslatedSyncView()
                + "', 'INSERT')")).isEqualTo("t");
        db.execute("DROP OWNED BY " + role + "; DROP ROLE " + role);
    }

    private static String rows(TestDatabase db) throws SQLException {
        return db.queryString("SELECT string_agg(user_id || '|' || address || '|' || is_primary, ','"
                + " ORDER BY user_id, is_primary DESC, address) FROM email_address");
    }
}
