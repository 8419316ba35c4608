package io.dualwrite.migrator.contract;

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
import java.sql.SQLException;
import java.sql.Statement;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A source table with row-level security is synced by the capture trigger (control's CaptureTrigger) from expand to
 * contract: writes of a role subject to policies that differ for reading and writing, from outside the driver too,
 * stay in step through the backfill; contract drops the triggers with the column (their function reads it), and a
 * reverse-sync after the drop puts them back.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RowSecurityLifecycleTest {

    private static final String CAPTURE_TRIGGERS = "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'users'::regclass"
            + " AND (tgname LIKE 'dualwrite%capture' OR tgname LIKE 'dualwrite%truncate')";

    @Test
    void theCaptureKeepsARowSecurityTableInStepUntilTheContractDropsIt(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 600);
        db.execute("""
                ALTER TABLE users ENABLE ROW LEVEL SECURITY;
                CREATE POLICY sel ON users FOR SELECT USING (id <= 100);
                CREATE POLICY upd ON users FOR UPDATE USING (true);
                CREATE POLICY del ON users FOR DELETE USING (true);
                CREATE POLICY ins ON users FOR INSERT WITH CHECK (true);
                DO $$ BEGIN CREATE ROLE rls_writer; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
                GRANT ALL ON users TO rls_writer""");
        Fixtures.expandAndDualWrite(db);
        assertThat(db.queryLong(CAPTURE_TRIGGERS)).as("expand installed the capture").isEqualTo(2);

        // a role the policies restrict, on the plain driver, with no privilege on the target or the sync view
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("SET ROLE rls_writer");
            // no column read: only the UPDATE policy applies, so it changes rows the role cannot see
            assertThat(s.executeUpdate("UPDATE users SET email = 'moved@example.com'")).isEqualTo(600);
            s.execute("INSERT INTO users (id, name, email) VALUES (1001, 'late', 'late@example.com')");
        }
        try (Connection c = db.connect()) {
            Backfill.run(c, "users.email", new BackfillOptions(250, 0, false), null);
        }
        assertThat(db.queryLong(Fixtures.PARITY)).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM email_address WHERE address = 'moved@example.com' AND is_primary"))
                .isEqualTo(600);

        db.execute("UPDATE dualwrite.migration SET phase = 'NEW_ONLY', phase_changed_at = now() - interval '2 days'"
                + " WHERE name = 'users.email'");
        Run contract = run(db, "contract", "--soak", "1h");
        assertThat(contract.code()).as(contract.toString()).isZero();
        assertThat(contract.out()).contains("DROP TRIGGER IF EXISTS \"dualwrite_sync_users_email_capture\"");
        assertThat(db.queryLong(CAPTURE_TRIGGERS)).isZero();
        db.execute("INSERT INTO users (id, name) VALUES (1002, 'after the drop')"); // would fail if the capture stayed

        Run back = run(db, "reverse-sync");
        assertThat(back.code()).as(back.toString()).isZero();
        assertThat(db.queryLong(CAPTURE_TRIGGERS)).as("re-added with the column").isEqualTo(2);
        assertThat(db.queryLong(Fixtures.PARITY)).isZero();
    }

    private static Run run(TestDatabase db, String... args) throws SQLException {
        String[] base = {"--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email"};
        String[] all = new String[args.length + base.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(base, 0, all, args.length, base.length);
        return cli(all);
    }
}
