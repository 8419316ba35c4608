package io.dualwrite.migrator.expand;

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
import java.util.List;
import java.util.Properties;
import java.util.Set;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every supported key class through the whole runbook: expand, dual writes through the driver, backfill,
 * parity 0 (several chunks), READ_NEW reads from the new table, NEW_ONLY and CONTRACTED translated writes, reverse
 * sync after the contract (the column re-added and filled).
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KeyTypesEndToEndTest {

    private static final String MIGRATION = "users.email";
    private static final int USERS = 3000;

    /** A source table, the --key passed to expand, and how a key literal is spelled for row g of generate_series. */
    enum Keys {
        UUID("CREATE TABLE users (id uuid PRIMARY KEY, name text NOT NULL, email text)", "id", "md5(g::text)::uuid", "uuid"),
        // "en-x-icu" sorts 'a-2' before 'B-1', "C" the other way round: keyset batches and parity chunks must use one order
        TEXT_ICU_COLLATION("CREATE TABLE users (id text COLLATE \"en-x-icu\" PRIMARY KEY, name text NOT NULL, email text)", "id",
                "CASE WHEN g % 2 = 0 THEN 'a-' ELSE 'B-' END || g", "text"),
        /** A composite primary key is refused; a UNIQUE NOT NULL single-column key beside it is what --key may name. */
        UNIQUE_KEY_BESIDE_COMPOSITE_PK("CREATE TABLE users (tenant int NOT NULL, n int NOT NULL, id bigint NOT NULL UNIQUE,"
                + " name text NOT NULL, email text, PRIMARY KEY (tenant, n))", "id", "(g * 7)::bigint", "bigint");

        final String ddl;
        final String key;
        final String keyOf;
        final String sqlType;

        Keys(String ddl, String key, String keyOf, String sqlType) {
            this.ddl = ddl;
            this.key = key;
            this.keyOf = keyOf;
            this.sqlType = sqlType;
        }

        String key(TestDatabase db, int g) throws SQLException {
            return db.queryString("SELECT (" + keyOf + ")::text FROM (SELECT " + g + " AS g) x");
        }
    }

    @ParameterizedTest
    @EnumSource(Keys.class)
    void theWholeRunbookHoldsForThisKeyClass(Keys keys, TestDatabase db) throws Exception {
        db.execute(keys.ddl);
        boolean composite = keys == Keys.UNIQUE_KEY_BESIDE_COMPOSITE_PK;
        db.execute("INSERT INTO users (" + (composite ? "tenant, n, " : "") + "id, name, email) SELECT "
                + (composite ? "g % 3, g, " : "") + keys.keyOf + ", 'user ' || g,"
                + " CASE WHEN g % 7 = 0 THEN NULL ELSE 'u' || g || '@example.com' END FROM generate_series(1, " + USERS + ") g");
        db.execute("ANALYZE users");

        Run expand = cli("expand", "--url", db.jdbcUrl(), "--user", db.user(), "--source", MIGRATION, "--key", keys.key,
                "--target", "email_address.address", "--target-key", "user_id", "--primary-flag", "is_primary");
        assertThat(expand.code()).as(expand.toString()).isZero();
        assertThat(db.queryString("SELECT format_type(atttypid, atttypmod) || coalesce(' ' || (SELECT collname FROM pg_collation"
                + " WHERE oid = attcollation AND collname <> 'default'), '') FROM pg_attribute"
                + " WHERE attrelid = 'email_address'::regclass AND attname = 'user_id'"))
                .as("the target key has the source key's type and collation")
                .isEqualTo(keys == Keys.TEXT_ICU_COLLATION ? "text en-x-icu" : keys.sqlType);
        assertThat(phase(db, "DUAL_WRITE").code()).isZero();

        String k1 = keys.key(db, 1);
        String k2 = keys.key(db, 2);
        String k14 = keys.key(db, 14); // a NULL email
        String k21 = keys.key(db, 21);
        String fresh = keys.key(db, USERS + 1);
        try (Connection app = instance(db)) {
            Await.within(10_000, () -> lagging(db, Phase.DUAL_WRITE).isEmpty(), "the instance acknowledges DUAL_WRITE");
            // DUAL_WRITE: writes of every shape reach both sides, keyed by the key as the application binds it
            update(app, "UPDATE users SET email = ? WHERE id = ?::" + keys.sqlType, "dual@example.com", k1);
            update(app, "UPDATE users SET email = ? WHERE id = ?::" + keys.sqlType, null, k2);
            update(app, "UPDATE users SET email = ? WHERE id = ?::" + keys.sqlType, "was-null@example.com", k14);
            update(app, "DELETE FROM users WHERE id = ?::" + keys.sqlType, k21);
            update(app, "INSERT INTO users (" + (composite ? "tenant, n, " : "") + "id, name, email) VALUES ("
                    + (composite ? "9, " + (USERS + 1) + ", " : "") + "?::" + keys.sqlType + ", 'fresh', ?)", fresh, "fresh@example.com");
            assertThat(target(db, k1)).isEqualTo("dual@example.com");
            assertThat(target(db, k2)).isNull();
            assertThat(target(db, fresh)).isEqualTo("fresh@example.com");

            Run backfill = cli("backfill", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", MIGRATION,
                    "--batch-size", "500");
            assertThat(backfill.code()).as(backfill.toString()).isZero();
            assertThat(db.queryLong("SELECT count(*) FROM email_address WHERE is_primary"))
                    .isEqualTo(db.queryLong("SELECT count(email) FROM users"));
            Run parity = parity(db);
            assertThat(parity.code()).as(parity.toString()).isZero();
            assertThat(parity.out()).contains("0 mismatches");
            assertThat(db.queryLong("SELECT count(*) FROM dualwrite.parity_chunk")).as("parity ran in several key ranges")
                    .isGreaterThan(1);

            // drift around the driver is found, in whichever chunk its key falls
            db.execute("UPDATE email_address SET address = 'drift@example.com' WHERE user_id = '" + k1 + "'");
            db.execute("INSERT INTO email_address VALUES ('" + k21 + "', 'orphan@example.com', true)");
            Run drift = parity(db);
            assertThat(drift.code()).as(drift.toString()).isEqualTo(1);
            assertThat(drift.out()).contains("2 mismatches", "id=" + k1, "id=" + k21);
            db.execute("UPDATE email_address SET address = 'dual@example.com' WHERE user_id = '" + k1 + "'");
            db.execute("DELETE FROM email_address WHERE user_id = '" + k21 + "'");
            assertThat(parity(db).code()).isZero();

            // READ_NEW: reads come from the new table
            Run readNew = phase(db, "READ_NEW");
            assertThat(readNew.code()).as(readNew.toString()).isZero();
            Await.within(10_000, () -> lagging(db, Phase.READ_NEW).isEmpty(), "the instance acknowledges READ_NEW");
            db.execute("UPDATE email_address SET address = 'only-new@example.com' WHERE user_id = '" + k1 + "'");
            assertThat(read(app, keys, k1)).isEqualTo("only-new@example.com");
            db.execute("UPDATE email_address SET address = 'dual@example.com' WHERE user_id = '" + k1 + "'");

            // NEW_ONLY: translated writes reach only the new table; reverse sync brings the old column back in line
            Run newOnly = cli("phase", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", MIGRATION, "NEW_ONLY", "--force");
            assertThat(newOnly.code()).as(newOnly.toString()).isZero();
            Await.within(10_000, () -> lagging(db, Phase.NEW_ONLY).isEmpty(), "the instance acknowledges NEW_ONLY");
            update(app, "UPDATE users SET email = ? WHERE id = ?::" + keys.sqlType, "new-only@example.com", k2);
            assertThat(target(db, k2)).isEqualTo("new-only@example.com");
            assertThat(db.queryString("SELECT email FROM users WHERE id = '" + k2 + "'")).as("the old column is not written").isNull();
            assertThat(read(app, keys, k2)).isEqualTo("new-only@example.com");

            // CONTRACTED: the column is gone, the same translated writes and reads go on
            db.execute("UPDATE dualwrite.migration SET phase_changed_at = now() - interval '2 days'"); // the soak has passed
            Run contract = cli("contract", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", MIGRATION);
            assertThat(contract.code()).as(contract.toString()).isZero();
            Await.within(10_000, () -> lagging(db, Phase.CONTRACTED).isEmpty(), "the instance acknowledges CONTRACTED");
            update(app, "UPDATE users SET email = ? WHERE id = ?::" + keys.sqlType, "contracted@example.com", k14);
            assertThat(target(db, k14)).isEqualTo("contracted@example.com");
            assertThat(read(app, keys, k14)).isEqualTo("contracted@example.com");
        }
        Run reverse = cli("reverse-sync", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", MIGRATION,
                "--batch-size", "300");
        assertThat(reverse.code()).as(reverse.toString()).isZero();
        assertThat(reverse.out()).contains("re-added");
        assertThat(db.queryString("SELECT email FROM users WHERE id = '" + k2 + "'")).isEqualTo("new-only@example.com");
        assertThat(db.queryString("SELECT email FROM users WHERE id = '" + k14 + "'")).isEqualTo("contracted@example.com");
        assertThat(db.queryLong("SELECT count(*) FROM users u LEFT JOIN email_address e ON e.user_id = u.id AND e.is_primary"
                + " WHERE u.email IS DISTINCT FROM e.address")).as("old column equals the new table everywhere").isZero();
    }

    private static Run phase(TestDatabase db, String phase) {
        return cli("phase", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", MIGRATION, phase);
    }

    private static Run parity(TestDatabase db) {
        return cli("parity", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", MIGRATION, "--chunk-size", "400");
    }

    private static Connection instance(TestDatabase db) throws SQLException {
        Properties p = db.properties();
        p.setProperty("dualwriteInstance", "keys-" + db.name());
        return DriverManager.getConnection(db.dualwriteUrl(), p);
    }

    private static void update(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                p.setString(i + 1, params[i]);
            }
            assertThat(p.executeUpdate()).as(sql).isEqualTo(1);
        }
    }

    private static String read(Connection c, Keys keys, String key) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT email FROM users WHERE id = ?::" + keys.sqlType)) {
            p.setString(1, key);
            try (ResultSet rs = p.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    private static String target(TestDatabase db, String key) throws SQLException {
        return db.queryString("SELECT (SELECT address FROM email_address WHERE user_id = '" + key + "' AND is_primary)");
    }

    private static List<String> lagging(TestDatabase db, Phase phase) {
        try (Connection c = db.connect()) {
            return Fleet.lagging(c, MIGRATION, Set.of(phase));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
