package io.dualwrite.driver;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 11 class 6: with row-level security on the migrated table, a rewritten write reads back the rows it
 * changes (its RETURNING feeds the sync), so PostgreSQL applies the SELECT policies too. The application must
 * see what the plain write does: the same count and rows where the policies make that certain, else a refusal
 * that changes nothing. Each statement runs as a role subject to the policies, plainly (rolled back) and through
 * dualwrite; the difference in counts is what the code before this test produced (5 plain, 2 rewritten). Where the
 * policies differ, only the capture trigger that {@code expand} installs on a table with row-level security gives
 * the plain result (the rewrite is refused without it).
 */
@ExtendWith(PostgresExtension.class)
class RowLevelSecurityTest {

    private static final List<String> WRITES = List.of(
            "DELETE FROM users",
            "UPDATE users SET email = 'rls@example.com'",
            "UPDATE users SET name = 'x', email = lower(name) || '@example.com' WHERE id > 1",
            "INSERT INTO users (id, name, email) VALUES (3001, 'New', 'new@example.com')",
            "INSERT INTO users (id, name, email) VALUES (2, 'Dup', 'dup@example.com') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email");

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW"})
    void onePolicyForReadingAndWritingGivesThePlainCountsAndRows(Phase phase, TestDatabase db) throws Exception {
        setUp(db, phase, "CREATE POLICY tenant ON users USING (id <= 3 OR id > 3000)");
        for (String sql : WRITES) {
            Outcome plain = plain(db, sql);
            Outcome rewritten = throughDualwrite(db, sql);
            assertThat(rewritten).as(sql).isEqualTo(plain);
            if (plain.count() >= 0) {
                MigrationFixture.assertInSync(db);
            }
        }
    }

    private static final String ASYMMETRIC = """
            CREATE POLICY sel ON users FOR SELECT USING (id <= 2);
            CREATE POLICY upd ON users FOR UPDATE USING (true);
            CREATE POLICY del ON users FOR DELETE USING (true);
            CREATE POLICY ins ON users FOR INSERT WITH CHECK (true)""";

    /**
     * With row-level security on the table when {@code dualwrite expand} runs, a trigger on the source syncs the writes
     * and the driver passes them through: every statement changes what it changes plainly, whatever the policies.
     */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW"})
    void policiesThatDifferForReadingGiveThePlainResultOnceExpandSawThem(Phase phase, TestDatabase db) throws Exception {
        setUp(db, phase, ASYMMETRIC);
        try (Connection c = db.connect()) {
            ControlSchema.register(c, MigrationFixture.SPEC); // what running dualwrite expand again does
        }
        assertPlainResultsInStep(db, WITH_TRUNCATE);
    }

    /** Each statement runs plainly, gives the plain result through dualwrite, and leaves the tables in step. */
    private static void assertPlainResultsInStep(TestDatabase db, List<String> statements) throws SQLException {
        for (String sql : statements) {
            Outcome plain = plain(db, sql);
            assertThat(plain.count()).as("runs plainly: " + sql).isNotNegative();
            assertThat(throughDualwrite(db, sql)).as(sql).isEqualTo(plain);
            MigrationFixture.assertInSync(db);
        }
    }

    private static final String CHILD = """
            CREATE TABLE users_child (note text) INHERITS (users);
            INSERT INTO users_child VALUES (9001, 'Kid', 'kid@example.com', 'n');
            INSERT INTO email_address VALUES (9001, 'kid@example.com', true);
            GRANT ALL ON users_child TO rls_app""";

    /** Through the parent and to the child itself: the child's rows fire only the child's triggers. */
    private static final List<String> CHILD_WRITES = List.of(
            "UPDATE users SET email = 'via-parent@example.com' WHERE id = 9001",
            "UPDATE users_child SET email = 'direct@example.com' WHERE id = 9001",
            "INSERT INTO users_child (id, name, email) VALUES (9002, 'Kim', 'kim@example.com')",
            "UPDATE users SET id = 9003 WHERE id = 9001",
            "DELETE FROM users_child WHERE id = 9001",
            "TRUNCATE users_child");

    /**
     * With an inheritance child, the capture that {@code expand} installs goes on the child too: its rows, written
     * through the parent or directly, fire only the child's own row triggers.
     */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW"})
    void theCaptureFollowsTheRowsOfAnInheritanceChild(Phase phase, TestDatabase db) throws Exception {
        setUp(db, phase, ASYMMETRIC);
        db.execute(CHILD);
        try (Connection c = db.connect()) {
            ControlSchema.register(c, MigrationFixture.SPEC); // what running dualwrite expand again does
        }
        assertPlainResultsInStep(db, CHILD_WRITES);
    }

    /**
     * A child created after {@code expand} has no capture: the driver rewrites again (and refuses the writes to the
     * child, as without row-level security) until {@code expand} runs again.
     */
    @Test
    void aChildCreatedSinceExpandTurnsThePassThroughOff(TestDatabase db) throws Exception {
        setUp(db, Phase.DUAL_WRITE, "CREATE POLICY tenant ON users USING (id <= 3 OR id > 3000)");
        try (Connection c = db.connect()) {
            ControlSchema.register(c, MigrationFixture.SPEC);
        }
        db.execute(CHILD);
        Outcome plain = plain(db, CHILD_WRITES.get(0));
        assertThat(throughDualwrite(db, CHILD_WRITES.get(0))).isEqualTo(plain);
        MigrationFixture.assertInSync(db);
        assertThatThrownBy(() -> throughDualwrite(db, CHILD_WRITES.get(1)))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("0A000"));
        MigrationFixture.assertInSync(db);
    }

    /** {@link #WRITES} with the DELETE of every row last, key changes, NULLs and a TRUNCATE. */
    private static final List<String> WITH_TRUNCATE = Stream.concat(WRITES.subList(1, WRITES.size()).stream(), Stream.of(
            "INSERT INTO users (id, name, email) VALUES (3002, 'Null', NULL)",
            "UPDATE users SET id = 0, email = 'moved@example.com' WHERE id = 2",
            "UPDATE users SET email = NULL",
            WRITES.get(0),
            "TRUNCATE users")).toList();

    /** In NEW_ONLY the translated writes keep the target themselves; the capture must not undo or repeat them. */
    @Test
    void inNewOnlyTheCaptureLeavesTheTranslatedWritesAlone(TestDatabase db) throws Exception {
        setUp(db, Phase.READ_NEW, "CREATE POLICY tenant ON users USING (id <= 3 OR id > 3000)");
        db.execute("ALTER TABLE users ALTER COLUMN email SET DEFAULT 'default@example.com'");
        try (Connection c = db.connect()) {
            ControlSchema.register(c, MigrationFixture.SPEC);
        }
        MigrationFixture.enterTranslatingPhase(db, Phase.NEW_ONLY);
        try (Connection c = db.connectDualwrite(); Statement s = c.createStatement()) {
            s.execute("SET ROLE rls_app");
            assertThat(s.executeUpdate("UPDATE users SET email = 'moved@example.com' WHERE id = 1")).isOne();
            assertThat(s.executeUpdate("INSERT INTO users (id, name, email) VALUES (3001, 'New', 'new@example.com')")).isOne();
            assertThat(s.executeUpdate("INSERT INTO users (id, name, email) VALUES (3002, 'Null', NULL)")).isOne();
            assertThat(s.executeUpdate("DELETE FROM users WHERE id = 2")).isOne();
        }
        Map<Long, String> primaries = MigrationFixture.primaries(db);
        assertThat(primaries).containsEntry(1L, "moved@example.com").containsEntry(3001L, "new@example.com")
                .doesNotContainKeys(2L, 3002L);
        // a writer outside the driver that still sets the old column is kept in step
        db.execute("UPDATE users SET email = 'outside@example.com' WHERE id = 4");
        assertThat(MigrationFixture.primaries(db)).containsEntry(4L, "outside@example.com");
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW"})
    void policiesThatDifferForReadingAreRefusedUntilExpandRunsAgain(Phase phase, TestDatabase db) throws Exception {
        setUp(db, phase, ASYMMETRIC);
        Map<Long, String> before = MigrationFixture.users(db);
        for (String sql : WRITES) {
            assertThat(plain(db, sql).count()).as("runs plainly: " + sql).isPositive();
            assertThatThrownBy(() -> throughDualwrite(db, sql)).as(sql)
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("0A000");
                        assertThat(e.getMessage()).contains("row-level security", "sel, upd", "Nothing was changed",
                                "run dualwrite expand again");
                    });
            assertThat(MigrationFixture.users(db)).isEqualTo(before);
            MigrationFixture.assertInSync(db);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW"})
    void aRoleTheTableDoesNotSubjectWritesAsBefore(Phase phase, TestDatabase db) throws Exception {
        setUp(db, phase, "CREATE POLICY sel ON users FOR SELECT USING (id <= 2)");
        try (Connection c = db.connectDualwrite(); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("DELETE FROM users")).isEqualTo(MigrationFixture.INITIAL_USERS.size());
        }
        MigrationFixture.assertInSync(db);
    }

    /** Update count (-1 and the SQLState for a failure) and the users table (id -> email) after the statement. */
    record Outcome(int count, String sqlState, Map<Long, String> users) {
    }

    private static void setUp(TestDatabase db, Phase phase, String policies) throws SQLException {
        MigrationFixture.create(db, phase);
        db.execute("ALTER TABLE users ENABLE ROW LEVEL SECURITY;\n" + policies + ";\n"
                // roles belong to the cluster, which other tests' databases share
                + "DO $$ BEGIN CREATE ROLE rls_app; EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n"
                + "GRANT ALL ON users, email_address TO rls_app;\n"
                + "GRANT USAGE ON SCHEMA dualwrite TO rls_app;\n"
                + "GRANT INSERT ON ALL TABLES IN SCHEMA dualwrite TO rls_app");
    }

    /** The statement on the plain driver, rolled back: what the application would get. */
    private static Outcome plain(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SET ROLE rls_app");
            try {
                int count = s.executeUpdate(sql);
                s.execute("RESET ROLE");
                return new Outcome(count, null, MigrationFixture.users(c));
            } catch (SQLException e) {
                c.rollback();
                return new Outcome(-1, e.getSQLState(), MigrationFixture.users(c));
            } finally {
                c.rollback();
            }
        }
    }

    /** The statement through dualwrite, committed; a refusal (0A000) is thrown. */
    private static Outcome throughDualwrite(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connectDualwrite(); Statement s = c.createStatement()) {
            s.execute("SET ROLE rls_app");
            try {
                return new Outcome(s.executeUpdate(sql), null, MigrationFixture.users(db));
            } catch (SQLException e) {
                if ("0A000".equals(e.getSQLState())) {
                    throw e;
                }
                return new Outcome(-1, e.getSQLState(), MigrationFixture.users(db));
            }
        }
    }
}
