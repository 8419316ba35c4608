package io.dualwrite.driver;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Issue 11, class 5: an unqualified {@code users} resolved through search_path. Twin databases
 * with a second schema {@code other} holding its own {@code users}; the session's search_path is
 * switched in each way PostgreSQL and PgJDBC offer (or a temporary {@code users} made from it),
 * then unqualified writes and reads run plainly
 * and through dualwrite (READ_NEW, so reads are rewritten too). The application must observe the
 * same, both users tables must end the same, and email_address must mirror {@code public.users}
 * exactly: writes to {@code other.users} are not dual-written, writes to {@code public.users} are.
 */
@ExtendWith(PostgresExtension.class)
class SearchPathTest {

    private static final String OTHER = """
            CREATE SCHEMA other;
            CREATE TABLE other.users(id bigint PRIMARY KEY, name text, email text);
            INSERT INTO other.users VALUES (1, 'Other Ann', 'other-ann@example.com'), (7, 'Other Gil', 'gil@example.com');
            """;

    /** How the session comes to resolve {@code users} to {@code other.users} (and, where it applies, back). */
    enum Switch {
        SET("SET search_path TO other, public", null),
        SET_SESSION("SET SESSION search_path = other", null),
        SET_CONFIG("SELECT set_config('search_path', 'other,public', false)", null),
        SET_LOCAL_COMMITTED("BEGIN; SET LOCAL search_path TO other", "COMMIT"),
        SET_IN_ROLLED_BACK_TRANSACTION("BEGIN; SET search_path TO other", "ROLLBACK"),
        SET_THEN_RESET("SET search_path TO other", "RESET search_path"),
        SET_THEN_ROLLBACK_TO_SAVEPOINT("BEGIN; SAVEPOINT s; SET LOCAL search_path TO other", "ROLLBACK TO SAVEPOINT s; COMMIT"),
        // a temporary table is found first (pg_temp leads the path unless named in it), however it was created
        TEMP_TABLE_SELECT_INTO("SELECT * INTO TEMP TABLE users FROM other.users", "DROP TABLE pg_temp.users"),
        TEMP_TABLE_IN_PG_TEMP("CREATE TABLE pg_temp.users (LIKE other.users INCLUDING ALL);"
                + " INSERT INTO pg_temp.users SELECT * FROM other.users", "DROP TABLE pg_temp.users"),
        SET_SCHEMA(null, null),
        CURRENT_SCHEMA_PROPERTY(null, null),
        OPTIONS_PROPERTY(null, null);

        final String on;
        final String off;

        Switch(String on, String off) {
            this.on = on;
            this.off = off;
        }
    }

    @ParameterizedTest
    @EnumSource(Switch.class)
    void unqualifiedNamesAreRewrittenExactlyWhereTheyLeadToTheMigratedTable(Switch how, TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.READ_NEW);
        db.execute(OTHER);
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            plainDb.execute(OTHER);
            List<String> onPlain;
            List<String> onDual;
            try (Connection plain = connect(plainDb.jdbcUrl(), plainDb, how)) {
                onPlain = steps(plain, how);
            }
            try (Connection dual = connect(db.dualwriteUrl(), db, how)) {
                onDual = steps(dual, how);
            }
            assertThat(onDual).isEqualTo(onPlain);
            for (String table : new String[] {"SELECT * FROM public.users ORDER BY id", "SELECT * FROM other.users ORDER BY id"}) {
                try (Connection p = plainDb.connect(); Connection d = db.connect()) {
                    assertThat(MigrationFixture.rows(d, table)).as(table).isEqualTo(MigrationFixture.rows(p, table));
                }
            }
            MigrationFixture.assertInSync(db);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Switch.class, names = {"SET", "SET_SCHEMA", "CURRENT_SCHEMA_PROPERTY"})
    void aStatementNamingBothTablesIsRefusedAndChangesNothing(Switch how, TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        db.execute(OTHER);
        try (Connection dual = connect(db.dualwriteUrl(), db, how); Statement s = dual.createStatement()) {
            if (how == Switch.SET_SCHEMA) {
                dual.setSchema("other");
            } else if (how.on != null) {
                s.execute(how.on);
            }
            SQLException refused = catchThrowableOfType(SQLException.class,
                    () -> s.executeUpdate("UPDATE public.users SET email = (SELECT email FROM users WHERE id = 7) WHERE id = 4"));
            assertThat((Object) refused).as("refused").isNotNull();
            assertThat(refused.getSQLState()).isEqualTo("0A000");
        }
        assertThat(MigrationFixture.users(db)).isEqualTo(MigrationFixture.INITIAL_USERS);
        MigrationFixture.assertInSync(db);
    }

    /**
     * A batch entry that changes the path runs before the entries after it: an unqualified write after it would be
     * rewritten for where {@code users} led before the batch, so it is refused and the batch runs nothing. A batch whose
     * earlier entries only set other things is rewritten.
     */
    @Test
    void aBatchEntryThatChangesThePathComesFirst(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        db.execute(OTHER);
        try (Connection dual = db.connectDualwrite(); Statement s = dual.createStatement()) {
            dual.setAutoCommit(false);
            s.addBatch("SET LOCAL search_path TO other, public");
            s.addBatch("UPDATE users SET email = 'batch@example.com' WHERE id = 1");
            SQLException refused = catchThrowableOfType(SQLException.class, s::executeBatch);
            assertThat((Object) refused).as("refused").isNotNull();
            assertThat(refused.getSQLState()).isEqualTo("0A000");
            dual.rollback();
            s.addBatch("SET LOCAL statement_timeout = 5000");
            s.addBatch("SET CONSTRAINTS ALL DEFERRED");
            s.addBatch("UPDATE users SET email = 'batch@example.com' WHERE id = 1");
            assertThat(s.executeBatch()).containsExactly(0, 0, 1);
            dual.commit();
        }
        assertThat(MigrationFixture.users(db)).containsEntry(1L, "batch@example.com");
        assertThat(db.queryString("SELECT email FROM other.users WHERE id = 1")).isEqualTo("other-ann@example.com");
        MigrationFixture.assertInSync(db);
    }

    /**
     * In an aborted transaction the driver cannot ask where {@code users} leads; one statement there runs nothing, so
     * it goes to PostgreSQL, which answers 25P02 as to the application's own. In a string, a ROLLBACK TO SAVEPOINT
     * before it could revive the transaction with an unknown search_path: refused.
     */
    @Test
    void aStatementInAnAbortedTransactionGetsPostgresqlsAnswer(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        try (Connection dual = db.connectDualwrite(); Statement s = dual.createStatement()) {
            dual.setAutoCommit(false);
            s.executeUpdate("UPDATE orders SET note = 'temp' WHERE id = 100"); // 'temp': a session word, the path is asked anew
            assertThat(catchThrowableOfType(SQLException.class, () -> s.execute("SELECT 1 / 0")).getSQLState()).isEqualTo("22012");
            assertThat(catchThrowableOfType(SQLException.class,
                    () -> s.executeUpdate("UPDATE users SET email = 'x@example.com' WHERE id = 1")).getSQLState()).isEqualTo("25P02");
            assertThat(catchThrowableOfType(SQLException.class, () -> s.execute("ROLLBACK TO SAVEPOINT nope;"
                    + " UPDATE users SET email = 'x@example.com' WHERE id = 1")).getSQLState()).isEqualTo("0A000");
            dual.rollback();
        }
        assertThat(MigrationFixture.users(db)).isEqualTo(MigrationFixture.INITIAL_USERS);
        MigrationFixture.assertInSync(db);
    }

    private static Connection connect(String url, TestDatabase db, Switch how) throws SQLException {
        Properties p = db.properties();
        if (how == Switch.CURRENT_SCHEMA_PROPERTY) {
            p.setProperty("currentSchema", "other,public");
        } else if (how == Switch.OPTIONS_PROPERTY) {
            p.setProperty("options", "-c search_path=other,public");
        }
        return DriverManager.getConnection(url, p);
    }

    private static List<String> steps(Connection c, Switch how) throws SQLException {
        Observed o = new Observed();
        try (Statement s = c.createStatement()) {
            write(o, s, "UPDATE users SET email = 'before@example.com' WHERE id = 1");
            if (how == Switch.SET_SCHEMA) {
                c.setSchema("other");
            } else if (how.on != null) {
                o.run(how.on, () -> o.results(s, s.execute(how.on)));
            }
            // users is other.users now
            write(o, s, "UPDATE users SET email = 'other@example.com' WHERE id = 1");
            write(o, s, "INSERT INTO users (id, name, email) VALUES (8, 'Hal', 'hal@example.com')");
            write(o, s, "UPDATE public.users SET email = 'qualified@example.com' WHERE id = 2");
            read(o, s, "SELECT id, email FROM users ORDER BY id");
            try (PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
                p.setString(1, "prepared@example.com");
                p.setLong(2, 7);
                o.run("prepared", () -> o.add("prepared " + p.executeUpdate()));
            }
            if (how.off != null) {
                o.run(how.off, () -> o.results(s, s.execute(how.off)));
                // users is public.users again
                write(o, s, "UPDATE users SET email = 'back@example.com' WHERE id = 5");
                read(o, s, "SELECT id, email FROM users ORDER BY id");
            }
        }
        return o.lines();
    }

    private static void write(Observed o, Statement s, String sql) {
        o.run(sql, () -> o.add(sql + " " + s.executeUpdate(sql)));
    }

    private static void read(Observed o, Statement s, String sql) {
        o.run(sql, () -> o.add(sql + " " + Observed.table(s.executeQuery(sql))));
    }
}
