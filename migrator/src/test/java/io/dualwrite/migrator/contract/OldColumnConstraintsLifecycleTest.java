package io.dualwrite.migrator.contract;

import com.google.gson.JsonParser;
import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An old column's UNIQUE and CHECK constraints keep refusing values after it stops being written: {@code phase NEW_ONLY}
 * builds their twins on the new table, and the legacy application's duplicate or too long INSERT and UPDATE fail with
 * 23505 and 23514 in NEW_ONLY and after the drop, as they did on the original schema; contract refuses while a twin is
 * missing.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OldColumnConstraintsLifecycleTest {

    @Test
    void theOldColumnsConstraintsRefuseInNewOnlyAndAfterTheDrop(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 300);
        db.execute("ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email),"
                + " ADD CONSTRAINT email_short CHECK (length(email) < 40)");
        Fixtures.expandAndDualWrite(db);
        ok(run(db, "backfill"));
        ok(run(db, "phase", "READ_NEW"));
        try (Connection app = db.connectDualwrite()) {
            constraintsRefuse(app, "READ_NEW, the old column's own constraint", "users_email_key");
        }
        Run newOnly = run(db, "phase", "NEW_ONLY");
        ok(newOnly);
        assertThat(newOnly.out()).as("the way back starts with reverse-sync: the old column is no longer written")
                .contains("rollback: dualwrite reverse-sync --url", "then dualwrite phase --url", "READ_NEW");
        assertThat(newOnly.err()).contains("created unique index email_address_address_unique_idx on \"public\".\"email_address\""
                + " (concurrently), the twin of unique index users_email_key ON public.users USING btree (email)",
                "added constraint email_short to \"public\".\"email_address\" (validated), the twin of CHECK (length(email) < 40)");
        assertThat(db.queryLong("SELECT count(*) FROM pg_proc WHERE proname LIKE '%users_email_apply' AND prosrc LIKE '%probe%'"))
                .as("the sync trigger's probe, whose placeholder the twin could refuse, is off").isZero();
        try (Connection app = db.connectDualwrite()) {
            constraintsRefuse(app, "NEW_ONLY, the twin's violation named as the old index's (the driver's UniqueViolations)", "users_email_key");
            // without a conflict target DO NOTHING skips a taken email, which the new table's index tells; ON CONSTRAINT
            // the old constraint, its twin
            try (Statement s = app.createStatement()) {
                assertThat(s.executeUpdate("INSERT INTO users (name, email) VALUES ('d', 'u1@example.com') ON CONFLICT DO NOTHING"))
                        .as("a taken email skipped").isZero();
                onConstraintDecidesByTheTwin(s, "NEW_ONLY");
            }
            db.execute("UPDATE dualwrite.migration SET phase_changed_at = now() - interval '2 days'");
            db.execute("DROP INDEX email_address_address_unique_idx; ALTER TABLE email_address DROP CONSTRAINT email_short");
            Run refused = run(db, "contract", "--soak", "1h");
            assertThat(refused.code()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err()).contains("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"email_address_address_unique_idx\"",
                    "ADD CONSTRAINT \"email_short\" CHECK (NOT \"is_primary\" OR (length(\"address\") < 40)) NOT VALID");
            db.execute("CREATE UNIQUE INDEX email_address_address_unique_idx ON email_address (address) WHERE is_primary;"
                    + " ALTER TABLE email_address ADD CONSTRAINT email_short CHECK (NOT is_primary OR length(address) < 40)");
            ok(run(db, "contract", "--soak", "1h"));
            assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                    + " AND column_name = 'email'")).isZero();
            constraintsRefuse(app, "CONTRACTED, the twin renamed as the old index", "users_email_key");
            try (Statement s = app.createStatement()) {
                onConstraintDecidesByTheTwin(s, "CONTRACTED, the constraint known from its twin's note");
            }
        }
        assertThat(db.queryLong("SELECT count(*) FROM email_address WHERE is_primary AND address = 'u1@example.com'")).isOne();

        // the rollback after the drop: the column comes back without its constraints (the twins keep refusing while the
        // new table is written); the twins carry what restores them, to run once back in READ_NEW
        Run back = run(db, "reverse-sync", "--json");
        ok(back);
        List<String> restore = new ArrayList<>();
        JsonParser.parseString(back.out()).getAsJsonObject().getAsJsonArray("afterReadNew")
                .forEach(command -> restore.add(command.getAsString()));
        assertThat(restore).containsExactly(
                "ALTER INDEX \"public\".\"users_email_key\" RENAME TO \"email_address_address_unique_idx\"",
                "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON public.users USING btree (email)",
                "ALTER TABLE \"public\".\"users\" ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key",
                "ALTER TABLE \"public\".\"users\" ADD CONSTRAINT \"email_short\" CHECK (length(email) < 40) NOT VALID",
                "ALTER TABLE \"public\".\"users\" VALIDATE CONSTRAINT \"email_short\"");
        ok(run(db, "phase", "READ_NEW"));
        ok(run(db, "phase", "DUAL_WRITE"));
        Run notYet = run(db, "phase", "EXPANDED");
        assertThat(notYet.code()).as(notYet.toString()).isEqualTo(1);
        assertThat(notYet.err()).contains("came back without the unique indexes and CHECKs the contract dropped",
                String.join("; ", restore));
        for (String sql : restore) {
            db.execute(sql);
        }
        ok(run(db, "phase", "EXPANDED"));
        try (Connection app = db.connectDualwrite()) {
            constraintsRefuse(app, "EXPANDED after the rollback, the old column's constraints restored", "users_email_key");
        }
    }

    /**
     * A duplicate INSERT and UPDATE fail with 23505 (naming {@code uniqueIndex}), a too long one with 23514; a value another
     * row gave up can be taken.
     */
    private static void constraintsRefuse(Connection app, String when, String uniqueIndex) throws SQLException {
        try (Statement s = app.createStatement()) {
            String tooLong = "'much-too-long-for-the-check-constraint@example.com'";
            assertThatThrownBy(() -> s.executeUpdate("INSERT INTO users (name, email) VALUES ('long', " + tooLong + ")"))
                    .as(when).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23514"));
            assertThatThrownBy(() -> s.executeUpdate("UPDATE users SET email = " + tooLong + " WHERE id = 3"))
                    .as(when).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23514"));
            assertThatThrownBy(() -> s.executeUpdate("INSERT INTO users (name, email) VALUES ('dup', 'u1@example.com')"))
                    .as(when).hasMessageContaining("unique constraint \"" + uniqueIndex + "\"")
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23505"));
            assertThatThrownBy(() -> s.executeUpdate("UPDATE users SET email = 'u1@example.com' WHERE id = 2"))
                    .as(when).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23505"));
            assertThat(s.executeUpdate("UPDATE users SET email = NULL WHERE id = 1")).isOne();
            assertThat(s.executeUpdate("UPDATE users SET email = 'u1@example.com' WHERE id = 2")).as(when).isOne();
            assertThat(s.executeUpdate("UPDATE users SET email = 'u2@example.com' WHERE id = 1")).as(when).isOne();
            // back as they were, for the next phase
            for (String sql : new String[] {"UPDATE users SET email = NULL WHERE id = 2",
                    "UPDATE users SET email = 'u1@example.com' WHERE id = 1", "UPDATE users SET email = 'u2@example.com' WHERE id = 2"}) {
                assertThat(s.executeUpdate(sql)).as(sql).isOne();
            }
        }
    }

    /** {@code ON CONFLICT ON CONSTRAINT} the old UNIQUE constraint skips a taken email and updates its owner. */
    private static void onConstraintDecidesByTheTwin(Statement s, String when) throws SQLException {
        String insert = "INSERT INTO users (name, email) VALUES ('d', 'u1@example.com') ON CONFLICT ON CONSTRAINT users_email_key";
        assertThat(s.executeUpdate(insert + " DO NOTHING")).as(when).isZero();
        try (ResultSet rs = s.executeQuery(insert + " DO UPDATE SET name = users.name RETURNING id, email")) {
            assertThat(rs.next()).as(when).isTrue();
            assertThat(rs.getLong(1)).as(when + ": the owner, updated").isOne();
            assertThat(rs.getString(2)).isEqualTo("u1@example.com");
        }
    }

    private static void ok(Run r) {
        assertThat(r.code()).as(r.toString()).isZero();
    }

    private static Run run(TestDatabase db, String... args) {
        String[] base = {"--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email"};
        String[] all = new String[args.length + base.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(base, 0, all, args.length, base.length);
        return cli(all);
    }
}
