package io.dualwrite.driver;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.DeletedKeysTrigger;
import io.dualwrite.control.OldColumnWriteTrigger;
import io.dualwrite.control.PhaseLog;
import io.dualwrite.control.ValueIndexes;
import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.driver.runtime.OperatorCredential;
import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.Await;
import io.dualwrite.testing.TestDatabase;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worked example of DESIGN.md in a fresh test database: {@code users.email} moving to
 * {@code email_address(user_id, address, is_primary)}, plus an unrelated {@code orders} table.
 * Every read helper here uses a plain PgJDBC connection: the test's view of the truth.
 */
final class MigrationFixture {

    static final String MIGRATION = "users.email";

    /** Mismatching keys between users.email and the primary email_address rows, orphans included: 0 in sync. */
    static final String PARITY = """
            SELECT (SELECT count(*) FROM users u
                      LEFT JOIN email_address e ON e.user_id = u.id AND e.is_primary
                     WHERE u.email IS DISTINCT FROM e.address)
                 + (SELECT count(*) FROM email_address e
                     WHERE e.is_primary AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id))""";

    static final MigrationSpec SPEC = new MigrationSpec("public", "users", "id", "email",
            "public", "email_address", "user_id", "address", "is_primary",
            ControlSchema.syncViewName("users", "email"));

    /** The initial users rows: id -> email (3 has no email). */
    static final Map<Long, String> INITIAL_USERS = initialUsers();

    private MigrationFixture() {
    }

    private static Map<Long, String> initialUsers() {
        Map<Long, String> m = new TreeMap<>();
        m.put(1L, "ann@example.com");
        m.put(2L, "bob@example.com");
        m.put(3L, null);
        m.put(4L, "dee@example.com");
        m.put(5L, "Eve@Example.com");
        return m;
    }

    /** Tables, rows (email_address starts in sync, as after a backfill), migration registered and in {@code phase}. */
    static void create(TestDatabase db, Phase phase) throws SQLException {
        createTables(db);
        register(db, phase);
    }

    /** users, email_address (primary rows in sync with users.email, plus one non-primary row), orders. */
    static void createTables(TestDatabase db) throws SQLException {
        db.execute("""
                CREATE TABLE users(id bigint PRIMARY KEY, name text, email text);
                INSERT INTO users VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com'), (3, 'Cy', NULL),
                                         (4, 'Dee', 'dee@example.com'), (5, 'Eve', 'Eve@Example.com');
                CREATE TABLE email_address(user_id bigint NOT NULL, address text NOT NULL,
                                           is_primary boolean NOT NULL DEFAULT false);
                CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
                INSERT INTO email_address SELECT id, email, true FROM users WHERE email IS NOT NULL;
                INSERT INTO email_address VALUES (1, 'ann.old@example.com', false);
                CREATE TABLE orders(id bigint PRIMARY KEY, user_id bigint, amount numeric(10,2), note text);
                INSERT INTO orders VALUES (100, 1, 10.50, 'first'), (101, 2, 20.00, NULL), (102, 2, 5.25, 'third');
                """);
    }

    static void register(TestDatabase db, Phase phase) throws SQLException {
        try (Connection c = db.connect()) {
            ControlSchema.register(c, SPEC);
            moveTo(c, MIGRATION, phase);
        }
    }

    /** The migration registered and in {@code phase}; a translating phase entered as the contract leaves it ({@link #enterTranslatingPhase}). */
    static void registerIn(TestDatabase db, Phase phase) throws SQLException {
        register(db, phase.writesOld() ? phase : Phase.READ_NEW);
        if (!phase.writesOld()) {
            enterTranslatingPhase(db, phase);
        }
    }

    /**
     * {@link #registerIn}, with each unique index reading the old column twinned on the new table as {@code phase NEW_ONLY}
     * builds them, and in CONTRACTED renamed as {@code contract} renames them once the drop has freed the old names.
     */
    static void registerWithUniqueTwins(TestDatabase db, Phase phase) throws SQLException {
        if (phase.writesOld()) {
            register(db, phase);
            return;
        }
        register(db, Phase.READ_NEW);
        List<ValueIndexes.UniqueTwin> twins;
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            twins = ValueIndexes.uniqueTwins(c, SPEC);
            for (ValueIndexes.UniqueTwin t : twins) {
                s.execute(t.ddl());
            }
        }
        enterTranslatingPhase(db, phase);
        if (phase == Phase.CONTRACTED) {
            for (ValueIndexes.UniqueTwin t : twins) {
                db.execute("ALTER INDEX \"" + t.name() + "\" RENAME TO \"" + t.sourceName() + "\"");
            }
        }
    }

    static void setPhase(TestDatabase db, Phase phase) throws SQLException {
        try (Connection c = db.connect()) {
            moveTo(c, MIGRATION, phase);
        }
    }

    /** Waits until this process's driver instance applies {@code phase} (its row in {@code dualwrite.instance}). */
    static void awaitApplied(TestDatabase db, Phase phase) throws InterruptedException {
        Await.within(3000, () -> {
            try {
                return db.queryLong("SELECT count(*) FROM dualwrite.instance WHERE applied ->> 'users.email' = '" + phase + "'") > 0;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, "driver applies " + phase);
    }

    /** Walks the migration to {@code phase} one step at a time through the phase writer, gates skipped (a fixture's privilege). */
    static void moveTo(Connection c, String migration, Phase phase) throws SQLException {
        Phase now = ControlSchema.require(c, migration).phase();
        while (now != phase) {
            Phase step = Phase.values()[now.ordinal() + Integer.signum(phase.ordinal() - now.ordinal())];
            PhaseWriter.change(c, PhaseWriter.Request.of(migration, step, "test", "fixture").forced(true));
            now = step;
        }
    }

    /**
     * NEW_ONLY, or CONTRACTED with the old column dropped, the way {@code dualwrite contract} leaves it:
     * the source columns recorded while {@code users.email} still exists, then the drop. The phase row
     * is set and the fleet notified directly, as a fixture may (the phase writer gates these moves).
     */
    static void enterTranslatingPhase(TestDatabase db, Phase phase) throws SQLException {
        try (Connection c = db.connect()) {
            moveTo(c, MIGRATION, Phase.READ_NEW);
            recordSourceColumns(c);
            translating(c, SPEC, phase);
        }
    }

    /** {@link #enterTranslatingPhase} for a registered migration of another table, its columns recorded as NEW_ONLY does. */
    static void enterTranslatingPhase(TestDatabase db, MigrationSpec spec, Phase phase) throws SQLException {
        try (Connection c = db.connect()) {
            moveTo(c, spec.name(), Phase.READ_NEW);
            ControlSchema.recordSourceColumns(c, spec, true);
            translating(c, spec, phase);
        }
    }

    private static void translating(Connection c, MigrationSpec spec, Phase phase) throws SQLException {
        if (phase.writesOld()) {
            throw new IllegalArgumentException(phase + " still writes the old column");
        }
        DeletedKeysTrigger.install(c, spec);   // as phase NEW_ONLY does
        if (phase == Phase.CONTRACTED) {
            try (Statement s = c.createStatement()) {
                for (String drop : OldColumnWriteTrigger.dropSql(spec)) { // as contract does: they depend on the column
                    s.execute(drop);
                }
                s.execute("ALTER TABLE " + spec.qualifiedSource() + " DROP COLUMN " + Identifiers.quote(spec.sourceColumn()));
            }
        }
        try (PreparedStatement p = c.prepareStatement(
                "UPDATE dualwrite.migration SET phase = ?, phase_changed_at = now() WHERE name = ?")) {
            p.setString(1, phase.name());
            p.setString(2, spec.name());
            p.executeUpdate();
        }
        PhaseLog.notifyFleet(c, spec.name());
    }

    /** What the contract records before the drop (the live columns, in attnum order). */
    static void recordSourceColumns(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                INSERT INTO dualwrite.source_column (migration, position, name, type, not_null, default_sql)
                SELECT ?, row_number() OVER (ORDER BY a.attnum), a.attname, format_type(a.atttypid, a.atttypmod),
                       a.attnotnull, pg_get_expr(d.adbin, d.adrelid)
                  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                 WHERE a.attrelid = 'public.users'::regclass AND a.attnum > 0 AND NOT a.attisdropped
                ON CONFLICT DO NOTHING""")) {
            p.setString(1, MIGRATION);
            p.executeUpdate();
        }
    }

    /** The phase as the control schema row says. */
    static String controlPhase(TestDatabase db) throws SQLException {
        return db.queryString("SELECT phase FROM dualwrite.migration WHERE name = 'users.email'");
    }

    /** users: id -> email (null kept). */
    static Map<Long, String> users(TestDatabase db) throws SQLException {
        try (Connection c = db.connect()) {
            return users(c);
        }
    }

    static Map<Long, String> users(Connection c) throws SQLException {
        return longToString(c, "SELECT id, email FROM users");
    }

    /** email_address primary rows: user_id -> address. */
    static Map<Long, String> primaries(TestDatabase db) throws SQLException {
        try (Connection c = db.connect()) {
            return longToString(c, "SELECT user_id, address FROM email_address WHERE is_primary");
        }
    }

    /** Every email_address row as user_id|address|is_primary, sorted. */
    static List<String> emailAddressRows(TestDatabase db) throws SQLException {
        try (Connection c = db.connect()) {
            return rows(c, "SELECT user_id, address, is_primary FROM email_address ORDER BY user_id, address, is_primary");
        }
    }

    static List<String> nonPrimaryRows(TestDatabase db) throws SQLException {
        try (Connection c = db.connect()) {
            return rows(c, "SELECT user_id, address FROM email_address WHERE NOT is_primary ORDER BY user_id, address");
        }
    }

    static List<String> orders(TestDatabase db) throws SQLException {
        try (Connection c = db.connect()) {
            return rows(c, "SELECT id, user_id, amount, note FROM orders ORDER BY id");
        }
    }

    /** The primary rows that must exist when email_address mirrors {@code users}: one per non-NULL email. */
    static Map<Long, String> mirrorOf(Map<Long, String> users) {
        Map<Long, String> m = new TreeMap<>();
        users.forEach((k, v) -> {
            if (v != null) {
                m.put(k, v);
            }
        });
        return m;
    }

    /** email_address primary rows equal users.email (NULL = no primary row). */
    static void assertInSync(TestDatabase db) throws SQLException {
        assertThat(primaries(db)).as("email_address primary rows mirror users.email").isEqualTo(mirrorOf(users(db)));
    }

    private static Map<Long, String> longToString(Connection c, String sql) throws SQLException {
        Map<Long, String> m = new TreeMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                m.put(rs.getLong(1), rs.getString(2));
            }
        }
        return m;
    }

    static List<String> rows(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rows(rs);
        }
    }

    /** Each row as its columns' getString joined by '|' (NULL prints as null). */
    static List<String> rows(ResultSet rs) throws SQLException {
        int n = rs.getMetaData().getColumnCount();
        List<String> out = new ArrayList<>();
        while (rs.next()) {
            StringBuilder b = new StringBuilder();
            for (int i = 1; i <= n; i++) {
                if (i > 1) {
                    b.append('|');
                }
                b.append(rs.getString(i));
            }
            out.add(b.toString());
        }
        return out;
    }

    static List<String> labels(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            out.add(md.getColumnLabel(i));
        }
        return out;
    }

    /**
     * A write run with generated keys, {@code params} bound ({@link #bind}): its count, the keys' labels and rows, or its
     * SQLState and message; rolled back, the connection closed.
     */
    static String generatedKeys(Connection c, String sql, List<?> params) throws SQLException {
        try (c) {
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
                bind(p, params);
                int count = p.executeUpdate();
                try (ResultSet rs = p.getGeneratedKeys()) {
                    return count + " " + labels(rs) + " " + rows(rs);
                }
            } catch (SQLException e) {
                return e.getSQLState() + " " + e.getMessage();
            } finally {
                c.rollback();
            }
        }
    }

    /** Binds Long / Integer / String / null (a NULL text) parameters. */
    static void bind(PreparedStatement p, List<?> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object v = params.get(i);
            if (v == null) {
                p.setNull(i + 1, Types.VARCHAR);
            } else if (v instanceof Long l) {
                p.setLong(i + 1, l);
            } else if (v instanceof Integer n) {
                p.setInt(i + 1, n);
            } else {
                p.setString(i + 1, (String) v);
            }
        }
    }

    /** The same statement with its parameters written as SQL literals, for plain {@link Statement}s (unchanged without parameters). */
    static String inline(String sql, List<?> params) {
        if (params.isEmpty()) {
            return sql;
        }
        StringBuilder b = new StringBuilder();
        int next = 0;
        for (int i = 0; i < sql.length(); i++) {
            char ch = sql.charAt(i);
            if (ch == '?') {
                Object v = params.get(next++);
                b.append(v == null ? "NULL" : v instanceof Long ? v.toString() : "'" + ((String) v).replace("'", "''") + "'");
            } else {
                b.append(ch);
            }
        }
        if (next != params.size()) {
            throw new IllegalArgumentException("parameter count mismatch for " + sql);
        }
        return b.toString();
    }

    /** Properties of a dualwrite connection whose JMX bean may change phases: the test's superuser is also the operator. */
    static Properties withOperator(TestDatabase db) {
        Properties p = db.properties();
        p.setProperty(OperatorCredential.USER_PROPERTY, db.user());
        if (db.password() != null) {
            p.setProperty(OperatorCredential.PASSWORD_PROPERTY, db.password());
        }
        return p;
    }

    /** A dualwrite connection whose JMX bean may change phases ({@link #withOperator}). */
    static Connection connectWithOperator(TestDatabase db) throws SQLException {
        return DriverManager.getConnection(db.dualwriteUrl(), withOperator(db));
    }
}
