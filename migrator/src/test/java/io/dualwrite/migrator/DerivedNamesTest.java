package io.dualwrite.migrator;

import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.testing.Await;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.dualwrite.migrator.Fixtures.cli;
import static io.dualwrite.migrator.HostileNames.q;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The names the tool derives from the user's (sync view, its trigger function and delete counter, the target's
 * unique index) never collide and never exceed what PostgreSQL keeps: one table name in two schemas, two 63-byte
 * names that differ only at the end, {@code a_b.c} beside {@code a.b_c}. A collision would let one migration's
 * expand replace the other's sync trigger, so that the driver's dual writes of the first land in the second's target.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DerivedNamesTest {

    /** Two 63-byte table names, equal but for their last character. */
    private static final String LONG_A = "Abonnés " + "é".repeat(26) + "xa";
    private static final String LONG_B = "Abonnés " + "é".repeat(26) + "xb";
    /** Their targets: 63 bytes too, equal but for the last character. */
    private static final String TARGET_A = "Cible " + "é".repeat(28) + "a";
    private static final String TARGET_B = "Cible " + "é".repeat(28) + "b";

    /** @param targetTable the target table, in the same schema */
    private record Source(String schema, String table, String column, String targetTable) {
        String qualified() {
            return q(schema) + "." + q(table);
        }

        String target() {
            return q(schema) + "." + q(targetTable);
        }

        String migration() {
            return MigrationSpec.nameOf(schema, table, column);
        }
    }

    @Test
    void everyMigrationGetsItsOwnObjectsAndItsOwnDualWrites(TestDatabase db) throws Exception {
        db.execute("CREATE SCHEMA s1; CREATE SCHEMA s2");
        List<Source> sources = List.of(
                new Source("s1", "users", "email", "t1"),
                new Source("s2", "users", "email", "t2"),
                new Source("public", LONG_A, "email", TARGET_A),
                new Source("public", LONG_B, "email", TARGET_B),
                new Source("public", "a_b", "c", "t5"),
                new Source("public", "a", "b_c", "t6"));
        assertThat(List.of(LONG_A, LONG_B, TARGET_A, TARGET_B)).allMatch(n -> Identifiers.bytes(n) == 63);
        assertThat(LONG_A).isNotEqualTo(LONG_B);
        for (Source s : sources) {
            db.execute("CREATE TABLE " + s.qualified() + " (id bigint PRIMARY KEY, " + q(s.column()) + " text)");
            db.execute("INSERT INTO " + s.qualified() + " VALUES (1, 'before')");
            Run e = cli("expand", "--url", db.jdbcUrl(), "--user", db.user(), "--source", s.qualified() + "." + q(s.column()),
                    "--key", "id", "--target", s.target() + ".v", "--target-key", "k", "--primary-flag", "p");
            assertThat(e.code()).as(s + ": " + e).isZero();
            Run p = cli("phase", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", s.migration(), "DUAL_WRITE");
            assertThat(p.code()).as(s + ": " + p).isZero();
        }

        List<String> views = strings(db, "SELECT sync_view FROM dualwrite.migration");
        assertThat(views).as("one sync view per migration").doesNotHaveDuplicates().hasSize(sources.size());
        for (String view : views) {
            assertThat(Identifiers.bytes("dualwrite_" + view + "_mirror")).as(view).isLessThanOrEqualTo(63);
            assertThat(db.queryLong("SELECT count(*) FROM pg_class WHERE relnamespace = 'dualwrite'::regnamespace AND relname IN ("
                    + literal(view) + ", " + literal(view + "_deletes") + ")")).as("view and delete counter of " + view).isEqualTo(2);
            assertThat(db.queryLong("SELECT count(*) FROM pg_proc WHERE pronamespace = 'dualwrite'::regnamespace AND proname = "
                    + literal(view + "_apply"))).as("trigger function of " + view).isEqualTo(1);
        }
        assertThat(strings(db, "SELECT sync_view FROM dualwrite.migration WHERE name = 's1.users.email'"))
                .as("a table outside public gets a hashed name").allMatch(v -> v.matches("sync_users_email_[0-9a-f]{8}"));
        assertThat(strings(db, "SELECT sync_view FROM dualwrite.migration WHERE name = 'a_b.c'")).containsExactly("sync_a_b_c");
        assertThat(strings(db, "SELECT sync_view FROM dualwrite.migration WHERE name = 'a.b_c'"))
                .as("the second sync_a_b_c is hashed").allMatch(v -> v.matches("sync_a_b_c_[0-9a-f]{8}"));
        assertThat(db.queryLong("SELECT count(DISTINCT indexrelid) FROM pg_index WHERE indisunique AND indpred IS NOT NULL"))
                .as("one unique primary index per target").isEqualTo(sources.size());

        try (Connection app = db.connectDualwrite()) {
            Await.within(30_000, () -> writeAll(app, sources), "the driver applies DUAL_WRITE to every migration");
        }
        for (Source s : sources) {
            assertThat(db.queryString("SELECT v FROM " + s.target() + " WHERE k = 1 AND p"))
                    .as("the dual write of " + s + " reaches its own target").isEqualTo("after " + s.migration());
            assertThat(db.queryLong("SELECT count(*) FROM " + s.target())).as(s.target()).isEqualTo(1);
        }
    }

    /** Writes every source through the driver; true once every write was dual-written (its target has the row). */
    private static boolean writeAll(Connection app, List<Source> sources) {
        try {
            for (Source s : sources) {
                try (PreparedStatement p = app.prepareStatement("UPDATE " + s.qualified() + " SET " + q(s.column()) + " = ? WHERE id = 1")) {
                    p.setString(1, "after " + s.migration());
                    p.executeUpdate();
                }
            }
            for (Source s : sources) {
                try (Statement st = app.createStatement();
                     ResultSet rs = st.executeQuery("SELECT count(*) FROM " + s.target() + " WHERE k = 1 AND p")) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return false;
                    }
                }
            }
            return true;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> strings(TestDatabase db, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
