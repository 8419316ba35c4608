package io.dualwrite.driver;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Translated writes and dual-write UPDATEs of non-NULL values upsert the target directly ({@code Rewrite.IfNotNull});
 * a NULL, in any execution or batch entry, takes the sync view's function. Which form ran is read from PostgreSQL's
 * own count of the function's calls in the transaction; what each leaves is compared with the plain schema's rows.
 */
@ExtendWith(PostgresExtension.class)
class NonNullUpsertFormTest {

    private static final String APPLY = "dualwrite.translated_" + MigrationFixture.SPEC.syncView() + "_apply";

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void nonNullValuesSkipTheFunctionAndNullsTakeIt(Phase phase, TestDatabase db) throws SQLException {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        MigrationFixture.enterTranslatingPhase(db, phase);
        try (Connection c = db.connectDualwrite()) {
            c.setAutoCommit(false);
            countFunctionCalls(c);
            try (PreparedStatement update = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO users (id, name, email) VALUES (?, ?, ?)")) {
                assertThat(run(c, () -> update(update, "a@x.org", 1))).as("non-NULL: no function call").isEqualTo(row(1, 0));
                assertThat(run(c, () -> update(update, null, 2))).as("NULL: the function").isEqualTo(row(1, 1));
                assertThat(run(c, () -> update(update, "b@x.org", 3))).isEqualTo(row(1, 0));
                assertThat(run(c, () -> update(update, "none@x.org", 99))).as("no row").isEqualTo(row(0, 0));
                update.setString(1, "c@x.org");
                update.setLong(2, 4);
                update.addBatch();
                update.setNull(1, Types.VARCHAR);
                update.setLong(2, 5);
                update.addBatch();
                assertThat(run(c, () -> sum(update.executeBatch()))).as("a NULL in one entry: the function, for each entry")
                        .isEqualTo(row(2, 2));
                assertThat(run(c, () -> insert(insert, 6, "f@x.org"))).isEqualTo(row(1, 0));
                assertThat(run(c, () -> insert(insert, 7, null))).isEqualTo(row(1, 1));
                assertThat(run(c, () -> {
                    try (Statement s = c.createStatement()) {
                        return s.executeUpdate("UPDATE users SET email = 'lit@x.org' WHERE id IN (6, 7)");
                    }
                })).as("a non-NULL literal").isEqualTo(row(2, 0));
            }
            try (PreparedStatement rows = c.prepareStatement("INSERT INTO users VALUES (?, 'h', ?), (9, 'i', 'i@x.org')")) {
                rows.setLong(1, 8);
                rows.setString(2, "h@x.org");
                assertThat(run(c, rows::executeUpdate)).as("rows of a parameter and a literal").isEqualTo(row(2, 0));
                c.commit();
                rows.setLong(1, 10);
                rows.setString(2, null);
                assertThatThrownBy(rows::executeUpdate).as("the literal row's key exists").isInstanceOf(SQLException.class)
                        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("23505");
                c.rollback();
            }
        }
        assertThat(MigrationFixture.primaries(db)).isEqualTo(Map.of(1L, "a@x.org", 3L, "b@x.org", 4L, "c@x.org",
                6L, "lit@x.org", 7L, "lit@x.org", 8L, "h@x.org", 9L, "i@x.org"));
    }

    /**
     * The upsert stores the value through the target column's own type, so it is offered only when that type is the
     * old column's: a value too long for {@code varchar(20)} fails with 22001 either way, and changes nothing.
     */
    @ParameterizedTest
    @ValueSource(strings = {"text", "varchar(20)"})
    void aValueTooLongForTheOldColumnFailsWhateverTheTargetType(String targetType, TestDatabase db) throws SQLException {
        MigrationFixture.createTables(db);
        db.execute("ALTER TABLE users ALTER COLUMN email TYPE varchar(20);"
                + " ALTER TABLE email_address ALTER COLUMN address TYPE " + targetType);
        MigrationFixture.register(db, Phase.DUAL_WRITE);
        MigrationFixture.enterTranslatingPhase(db, Phase.CONTRACTED);
        boolean upserts = targetType.equals("varchar(20)");
        try (Connection c = db.connectDualwrite(); PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
            c.setAutoCommit(false);
            countFunctionCalls(c);
            assertThat(run(c, () -> update(p, "ok@x.org", 1))).isEqualTo(row(1, upserts ? 0 : 1));
            c.commit();
            assertThatThrownBy(() -> update(p, "much-too-long@example.org", 2)).isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("22001");
            c.rollback();
        }
        assertThat(MigrationFixture.primaries(db)).containsEntry(1L, "ok@x.org").containsEntry(2L, "bob@example.com");
    }

    /**
     * The dual write (DUAL_WRITE, READ_NEW) of an UPDATE or INSERT too: the value it syncs is the one the old column
     * stored, so the upsert form is offered only when no BEFORE row trigger (or rule) on the source can store another.
     * Here one turns addresses of a blocked domain into NULL: the dual write then deletes the primary row, as parity
     * needs.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void dualWritesUpsertUnlessATriggerMayChangeTheStoredValue(boolean beforeTrigger, TestDatabase db) throws SQLException {
        MigrationFixture.createTables(db);
        if (beforeTrigger) {
            db.execute("CREATE FUNCTION block() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " IF NEW.email LIKE '%@blocked.org' THEN NEW.email := NULL; END IF; RETURN NEW; END $$;"
                    + " CREATE TRIGGER block BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION block()");
        }
        MigrationFixture.register(db, Phase.DUAL_WRITE);
        String apply = "dualwrite." + MigrationFixture.SPEC.syncView() + "_apply";
        int upsert = beforeTrigger ? 1 : 0;
        try (Connection c = db.connectDualwrite(); PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?");
             PreparedStatement insert = c.prepareStatement("INSERT INTO users (id, name, email) VALUES (?, ?, ?)")) {
            c.setAutoCommit(false);
            countFunctionCalls(c);
            assertThat(run(c, apply, () -> update(p, "a@x.org", 1))).isEqualTo(row(1, upsert));
            assertThat(run(c, apply, () -> update(p, "b@blocked.org", 2))).isEqualTo(row(1, upsert));
            assertThat(run(c, apply, () -> update(p, null, 4))).isEqualTo(row(1, 1));
            assertThat(run(c, apply, () -> insert(insert, 10, "c@x.org"))).isEqualTo(row(1, upsert));
            assertThat(run(c, apply, () -> insert(insert, 11, "d@blocked.org"))).isEqualTo(row(1, upsert));
            assertThat(run(c, apply, () -> insert(insert, 12, null))).isEqualTo(row(1, 1));
            for (long id = 13; id <= 14; id++) {
                insert.setLong(1, id);
                insert.setString(2, "batch");
                insert.setString(3, id == 13 ? "e@x.org" : null);
                insert.addBatch();
            }
            assertThat(run(c, apply, () -> sum(insert.executeBatch()))).as("a NULL in one entry: the function, for each entry")
                    .isEqualTo(row(2, 2));
            c.commit();
        }
        assertThat(MigrationFixture.primaries(db)).containsEntry(1L, "a@x.org").containsEntry(10L, "c@x.org")
                .containsEntry(13L, "e@x.org").doesNotContainKeys(4L, 12L, 14L);
        assertThat(MigrationFixture.primaries(db).get(2L)).isEqualTo(beforeTrigger ? null : "b@blocked.org");
        assertThat(MigrationFixture.primaries(db).get(11L)).isEqualTo(beforeTrigger ? null : "d@blocked.org");
        MigrationFixture.assertInSync(db);
    }

    /** Such a trigger may change the column on an UPDATE that does not set it: that UPDATE is a dual write too. */
    @Test
    void anUpdateOfOtherColumnsSyncsWhatABeforeTriggerStored(TestDatabase db) throws SQLException {
        MigrationFixture.createTables(db);
        db.execute("CREATE FUNCTION lower_email() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " NEW.email := lower(NEW.email); RETURN NEW; END $$;"
                + " CREATE TRIGGER lower_email BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION lower_email()");
        MigrationFixture.register(db, Phase.DUAL_WRITE);
        try (Connection c = db.connectDualwrite(); PreparedStatement p = c.prepareStatement("UPDATE users SET name = ? WHERE id = ?")) {
            p.setString(1, "Evelyn");
            p.setLong(2, 5);
            assertThat(p.executeUpdate()).isOne();
        }
        assertThat(MigrationFixture.primaries(db)).containsEntry(5L, "eve@example.com");
        MigrationFixture.assertInSync(db);
    }

    private interface Write {
        int run() throws SQLException;
    }

    /** The write's count and how many times it called the translated sync view's function. */
    private static Map<String, Integer> run(Connection c, Write write) throws SQLException {
        return run(c, APPLY, write);
    }

    private static Map<String, Integer> run(Connection c, String function, Write write) throws SQLException {
        long before = functionCalls(c, function);
        int count = write.run();
        return row(count, (int) (functionCalls(c, function) - before));
    }

    private static Map<String, Integer> row(int count, int functionCalls) {
        return Map.of("count", count, "functionCalls", functionCalls);
    }

    private static void countFunctionCalls(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET track_functions = 'all'");
        }
    }

    /** The calls this transaction made so far (not yet flushed to the shared statistics). */
    private static long functionCalls(Connection c, String function) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(pg_stat_get_xact_function_calls('" + function + "'::regproc), 0)")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int update(PreparedStatement p, String email, long id) throws SQLException {
        p.setString(1, email);
        p.setLong(2, id);
        return p.executeUpdate();
    }

    private static int insert(PreparedStatement p, long id, String email) throws SQLException {
        p.setLong(1, id);
        p.setString(2, "n" + id);
        p.setString(3, email);
        return p.executeUpdate();
    }

    private static int sum(int[] counts) {
        int n = 0;
        for (int k : counts) {
            n += k;
        }
        return n;
    }
}
