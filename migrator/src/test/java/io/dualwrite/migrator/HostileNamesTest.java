package io.dualwrite.migrator;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.Await;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import static io.dualwrite.migrator.Fixtures.cli;
import static io.dualwrite.migrator.HostileNames.q;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each class of {@link HostileNames} on every name of a migration, end to end: {@code expand} through the CLI, dual
 * writes through the driver in DUAL_WRITE, {@code backfill}, {@code parity} (0), reads from the new table in
 * READ_NEW, translated statements in NEW_ONLY and, after {@code contract} drops the old column, in CONTRACTED. The
 * values themselves look like SQL (a closing quote and a DROP, dollar quotes, backslashes, a JDBC placeholder), in
 * bound parameters and in literals of the application's own text. A name the tool forgets to quote, folds, splits
 * at a dot or truncates into another name fails one of these steps; a value spliced instead of bound changes data.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileNamesTest {

    /** Values that look like SQL; row k starts with VALUES[k % 5]. */
    static final List<String> VALUES = List.of(
            "'); DROP TABLE users; --",
            "$$ $dualwrite$ $1 ? :name",
            "back\\slash \\' \\\\ E'\\x41'",
            "\" quoted \"\" ident",
            "/* not a comment */ -- nor this");
    private static final int ROWS = 60;

    @ParameterizedTest(name = "{0}")
    @EnumSource(HostileNames.class)
    void expandDualWriteBackfillParityReadNewNewOnlyContracted(HostileNames n, TestDatabase db) throws Exception {
        createSource(db, n);
        String src = n.source();
        String key = q(n.key);
        String col = q(n.column);
        Run plan = run(db, "plan", "--source", src + "." + col, "--key", key, "--target", n.target() + "." + q(n.targetValue),
                "--target-key", q(n.targetKey), "--primary-flag", q(n.flag));
        assertThat(plan.code()).as(plan.toString()).isZero();
        assertThat(CatalogSnapshot.of(db).stream().filter(l -> l.startsWith("schema dualwrite"))).as("plan changes nothing").isEmpty();
        Run expand = run(db, "expand", "--source", src + "." + col, "--key", key, "--target", n.target() + "." + q(n.targetValue),
                "--target-key", q(n.targetKey), "--primary-flag", q(n.flag));
        assertThat(expand.code()).as(expand.toString()).isZero();
        assertThat(db.queryString("SELECT name FROM dualwrite.migration")).isEqualTo(n.migration());
        Run again = run(db, "expand", "--source", src + "." + col, "--key", key, "--target", n.target() + "." + q(n.targetValue),
                "--target-key", q(n.targetKey), "--primary-flag", q(n.flag));
        assertThat(again.code()).as("expand is idempotent with these names: " + again).isZero();

        try (Connection app = instance(db)) {
            assertThat(readOld(app, n, 1)).isEqualTo(value(1));
            phase(db, n, "DUAL_WRITE");
            awaitAck(db, n, app, Phase.DUAL_WRITE);

            // dual writes: bound values, a literal in the application's text, NULL, a delete, RETURNING
            try (PreparedStatement p = app.prepareStatement("INSERT INTO " + src + " (" + key + ", note, " + col + ") VALUES (?, ?, ?)")) {
                p.setLong(1, 1001);
                p.setString(2, "inserted");
                p.setString(3, VALUES.get(0));
                assertThat(p.executeUpdate()).isEqualTo(1);
            }
            update(app, n, 1, VALUES.get(1));
            try (Statement s = app.createStatement()) {
                assertThat(s.executeUpdate("UPDATE " + src + " SET " + col + " = '" + VALUES.get(2).replace("'", "''")
                        + "' WHERE " + key + " = 2")).isEqualTo(1);
                assertThat(s.executeUpdate("UPDATE " + src + " SET " + col + " = NULL WHERE " + key + " = 3")).isEqualTo(1);
                assertThat(s.executeUpdate("DELETE FROM " + src + " WHERE " + key + " = 4")).isEqualTo(1);
            }
            try (PreparedStatement p = app.prepareStatement("INSERT INTO " + src + " AS s (" + key + ", " + col + ") VALUES (?, ?)"
                    + " RETURNING s." + key + ", s." + col);) {
                p.setLong(1, 1002);
                p.setString(2, VALUES.get(3));
                try (ResultSet rs = p.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getMetaData().getColumnCount()).as("the driver's hidden columns stay hidden").isEqualTo(2);
                    assertThat(rs.getMetaData().getColumnLabel(2)).isEqualTo(n.column);
                    assertThat(rs.getString(2)).isEqualTo(VALUES.get(3));
                }
            }
            assertThat(primary(db, n, 1001)).isEqualTo(VALUES.get(0));
            assertThat(primary(db, n, 1)).isEqualTo(VALUES.get(1));
            assertThat(primary(db, n, 2)).isEqualTo(VALUES.get(2));
            assertThat(primary(db, n, 3)).isNull();
            assertThat(primary(db, n, 4)).isNull();
            assertThat(primary(db, n, 1002)).isEqualTo(VALUES.get(3));
            assertThat(primary(db, n, 10)).as("not backfilled yet").isNull();

            Run backfill = run(db, "backfill", "--migration", n.migration(), "--batch-size", "20");
            assertThat(backfill.code()).as(backfill.toString()).isZero();
            assertThat(primary(db, n, 10)).isEqualTo(value(10));
            assertParityZero(db, n);

            phase(db, n, "READ_NEW");
            awaitAck(db, n, app, Phase.READ_NEW);
            // drift on the new side only, to see where the driver reads from; then healed
            execute(db, "UPDATE " + n.target() + " SET " + q(n.targetValue) + " = 'served from the new table' WHERE "
                    + q(n.targetKey) + " = 5 AND " + q(n.flag));
            assertThat(readOld(app, n, 5)).isEqualTo("served from the new table");
            execute(db, "UPDATE " + n.target() + " SET " + q(n.targetValue) + " = " + literal(value(5)) + " WHERE "
                    + q(n.targetKey) + " = 5 AND " + q(n.flag));
            update(app, n, 6, VALUES.get(4));
            assertThat(readOld(app, n, 6)).isEqualTo(VALUES.get(4));
            assertThat(old(db, n, 6)).as("READ_NEW still writes the old column").isEqualTo(VALUES.get(4));
            assertParityZero(db, n);

            phase(db, n, "NEW_ONLY", "--soak", "0s");
            awaitAck(db, n, app, Phase.NEW_ONLY);
            update(app, n, 7, VALUES.get(0));
            assertThat(primary(db, n, 7)).isEqualTo(VALUES.get(0));
            assertThat(old(db, n, 7)).as("NEW_ONLY leaves the old column alone").isEqualTo(value(7));
            assertThat(readOld(app, n, 7)).isEqualTo(VALUES.get(0));

            Run contract = run(db, "contract", "--migration", n.migration(), "--soak", "0s");
            assertThat(contract.code()).as(contract.toString()).isZero();
            assertThat(db.queryLong("SELECT count(*) FROM pg_attribute WHERE attrelid = " + literal(src) + "::regclass"
                    + " AND attname = " + literal(n.column) + " AND NOT attisdropped")).as("the old column is dropped").isZero();
            awaitAck(db, n, app, Phase.CONTRACTED);
            try (PreparedStatement p = app.prepareStatement("SELECT * FROM " + src + " WHERE " + key + " = ?")) {
                p.setLong(1, 1);
                try (ResultSet rs = p.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getMetaData().getColumnLabel(3)).as("the old column, where it was").isEqualTo(n.column);
                    assertThat(rs.getString(3)).isEqualTo(VALUES.get(1));
                }
            }
            update(app, n, 8, VALUES.get(2));
            assertThat(primary(db, n, 8)).isEqualTo(VALUES.get(2));
            try (PreparedStatement p = app.prepareStatement("DELETE FROM " + src + " WHERE " + key + " = ?")) {
                p.setLong(1, 1001);
                assertThat(p.executeUpdate()).isEqualTo(1);
            }
            assertThat(primary(db, n, 1001)).isNull();
        }
        assertThat(db.queryLong("SELECT count(*) FROM " + src)).as("no value was executed as SQL").isEqualTo(ROWS);
        Run status = run(db, "status", "--history");
        assertThat(status.code()).as(status.toString()).isZero();
        assertThat(status.out()).contains(n.migration(), "CONTRACTED");
        Run json = run(db, "status", "--json");
        assertThat(json.code()).as(json.toString()).isZero();
        JsonObject m = JsonParser.parseString(json.out()).getAsJsonObject().getAsJsonArray("migrations").get(0).getAsJsonObject();
        assertThat(m.get("migration").getAsString()).isEqualTo(n.migration());
        assertThat(m.get("phase").getAsString()).isEqualTo("CONTRACTED");
    }

    private static void createSource(TestDatabase db, HostileNames n) throws SQLException {
        execute(db, "CREATE SCHEMA " + q(n.schema));
        execute(db, "CREATE SCHEMA " + q(n.targetSchema));
        execute(db, "CREATE TABLE " + n.source() + " (" + q(n.key) + " bigint PRIMARY KEY, note text, " + q(n.column) + " text)");
        try (Connection c = db.connect();
             PreparedStatement p = c.prepareStatement("INSERT INTO " + n.source() + " VALUES (?, ?, ?)")) {
            for (long k = 1; k <= ROWS; k++) {
                p.setLong(1, k);
                p.setString(2, "row " + k);
                p.setString(3, value(k));
                p.addBatch();
            }
            p.executeBatch();
        }
    }

    /** Row k's initial value: one of {@link #VALUES} and the key, NULL for every 9th. */
    static String value(long k) {
        return k % 9 == 0 ? null : VALUES.get((int) (k % VALUES.size())) + " #" + k;
    }

    private static void assertParityZero(TestDatabase db, HostileNames n) {
        Run chunked = run(db, "parity", "--migration", n.migration(), "--chunk-size", "16");
        assertThat(chunked.code()).as(chunked.toString()).isZero();
        assertThat(chunked.out()).contains("0 mismatches");
        Run full = run(db, "parity", "--migration", n.migration(), "--mode", "full");
        assertThat(full.code()).as(full.toString()).isZero();
    }

    private static void phase(TestDatabase db, HostileNames n, String phase, String... more) {
        String[] args = {"phase", "--migration", n.migration(), phase};
        String[] all = Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        Run r = run(db, all);
        assertThat(r.code()).as(r.toString()).isZero();
    }

    /** Waits until the application's instance applies {@code phase} (the follower hears the change). */
    private static void awaitAck(TestDatabase db, HostileNames n, Connection app, Phase phase) throws InterruptedException {
        Await.within(30_000, () -> {
            try (Connection c = db.connect()) {
                readOldOrNew(app, n);
                return Fleet.lagging(c, n.migration(), Set.of(phase)).isEmpty();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, "the application's instance applies " + phase);
    }

    private static void readOldOrNew(Connection app, HostileNames n) throws SQLException {
        readOld(app, n, 1);
    }

    /** The old column as the application reads it through the driver (in READ_NEW and later: from the new table). */
    private static String readOld(Connection app, HostileNames n, long k) throws SQLException {
        try (PreparedStatement p = app.prepareStatement("SELECT t." + q(n.column) + " FROM " + n.source() + " t WHERE t."
                + q(n.key) + " = ?")) {
            p.setLong(1, k);
            try (ResultSet rs = p.executeQuery()) {
                assertThat(rs.next()).as("row " + k).isTrue();
                return rs.getString(1);
            }
        }
    }

    private static void update(Connection app, HostileNames n, long k, String v) throws SQLException {
        try (PreparedStatement p = app.prepareStatement("UPDATE " + n.source() + " SET " + q(n.column) + " = ? WHERE "
                + q(n.key) + " = ?")) {
            p.setString(1, v);
            p.setLong(2, k);
            assertThat(p.executeUpdate()).isEqualTo(1);
        }
    }

    /** The primary target row's value, read with plain PgJDBC; null when there is none. */
    private static String primary(TestDatabase db, HostileNames n, long k) throws SQLException {
        return one(db, "SELECT " + q(n.targetValue) + " FROM " + n.target() + " WHERE " + q(n.targetKey) + " = ? AND "
                + q(n.flag), k);
    }

    /** The old column, read with plain PgJDBC. */
    private static String old(TestDatabase db, HostileNames n, long k) throws SQLException {
        return one(db, "SELECT " + q(n.column) + " FROM " + n.source() + " WHERE " + q(n.key) + " = ?", k);
    }

    private static String one(TestDatabase db, String sql, long k) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement p = c.prepareStatement(sql)) {
            p.setLong(1, k);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static void execute(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String literal(String s) {
        return s == null ? "NULL" : "'" + s.replace("'", "''") + "'";
    }

    private static Connection instance(TestDatabase db) throws SQLException {
        Properties p = db.properties();
        p.setProperty("dualwriteInstance", "app-" + db.name());
        return DriverManager.getConnection(db.dualwriteUrl(), p);
    }

    private static Run run(TestDatabase db, String... args) {
        String[] base = {"--url", db.jdbcUrl(), "--user", db.user()};
        String[] all = Arrays.copyOf(args, args.length + base.length);
        System.arraycopy(base, 0, all, args.length, base.length);
        return cli(all);
    }
}
