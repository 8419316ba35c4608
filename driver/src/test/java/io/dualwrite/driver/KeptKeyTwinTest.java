package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Writes that assign the key ({@code KeptKey}), as ORMs write a whole record back: where the new table follows rows by
 * their key, one that gives each row the key it has runs as on plain PgJDBC (twins, {@link TwinRun}); one that changes a
 * key is refused by the database's guard (0A000) with nothing changed.
 */
@ExtendWith(PostgresExtension.class)
class KeptKeyTwinTest {

    private static final String FIXTURE = """
            CREATE TABLE users(id bigint PRIMARY KEY, name text, email text);
            INSERT INTO users (id, name, email) VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com'),
                                                      (3, 'Cy', NULL);
            CREATE TABLE email_address(user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
            INSERT INTO email_address SELECT id, email, true FROM users WHERE email IS NOT NULL;
            """;
    /** jOOQ's {@code executeUpdate(record)}, MyBatis Dynamic SQL's {@code updateAllColumns}. */
    private static final String RECORD_UPDATE = "update \"users\" set \"id\" = ?, \"name\" = ?, \"email\" = ?"
            + " where \"users\".\"id\" = ?";
    /** jOOQ's {@code onConflict(ID).doUpdate().set(record)}. */
    private static final String RECORD_UPSERT = "insert into \"users\" (\"id\", \"name\", \"email\") values (?, ?, ?)"
            + " on conflict (\"id\") do update set \"id\" = ?, \"name\" = ?, \"email\" = ?";

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void writesGivingEachRowItsOwnKeyRunAsOnPlainPgJdbc(Phase phase, TestDatabase db) throws Exception {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            plainDb.execute(FIXTURE);
            db.execute(FIXTURE);
            MigrationFixture.registerIn(db, phase);
            try (TwinRun twins = TwinRun.usersAndEmails("KeptKeyTwinTest " + phase, plainDb, db,
                    "SELECT id, name FROM users ORDER BY id")) {
                twins.compare("a record written back", RECORD_UPDATE, List.of(1L, "Ann2", "ann2@example.com", 1L), true);
                twins.compare("a record written back with a NULL", RECORD_UPDATE, Arrays.asList(2L, "Bob", null, 2L), true);
                // setInt for a bigint key: compared as PostgreSQL compares int4 with int8
                twins.compare("a record written back, the key bound as int", RECORD_UPDATE, List.of(3, "Cy", "cy@x.org", 3), true);
                twins.compare("matching no row", RECORD_UPDATE, List.of(9L, "Nine", "nine@x.org", 9L), true);
                twins.compare("an upsert of a row that exists", RECORD_UPSERT,
                        List.of(2L, "Bo", "bo@x.org", 2L, "Bo", "bo@x.org"), true);
                twins.compare("an upsert of a new row", RECORD_UPSERT,
                        List.of(8L, "Eve", "eve@x.org", 8L, "Eve", "eve@x.org"), true);
                twins.compare("excluded", "INSERT INTO users AS u (id, name) VALUES (1, 'A') ON CONFLICT (id) DO UPDATE"
                        + " SET id = EXCLUDED.id, name = EXCLUDED.name || u.name", List.of(), true);
                twins.compare("other columns, every row", "UPDATE users SET id = id, name = upper(name) RETURNING id, name",
                        List.of(), true);
                twins.compare("the column from another table", "UPDATE users u SET id = o.id, email = o.n FROM (VALUES (1,"
                        + " 'o@x.org')) o(id, n) WHERE u.id = o.id", List.of(), true);
                twins.compare("after a WITH list", "WITH r(id, name, email) AS (VALUES (2::bigint, 'Bob', 'b@x.org'))"
                        + " UPDATE users u SET id = r.id, name = r.name, email = r.email FROM r WHERE u.id = r.id RETURNING u.*",
                        List.of(), true);
                twins.report();
                assertThat(twins.refused()).isZero();
            }
        }
    }

    /** In EXPANDED nothing follows the key yet: the statement runs as written and changes it. */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"EXPANDED", "DUAL_WRITE", "READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void aWriteChangingAKeyIsRefusedWithNothingChanged(Phase phase, TestDatabase db) throws Exception {
        db.execute(FIXTURE);
        MigrationFixture.registerIn(db, phase);
        String before = state(db);
        boolean guarded = phase != Phase.EXPANDED;
        List<List<?>> changes = List.of(List.of(RECORD_UPDATE, List.of(9L, "Ann", "ann@example.com", 1L)),
                List.of("UPDATE users SET id = id + 100, name = 'n' WHERE id = 2", List.of()),
                List.of(RECORD_UPSERT, List.of(3L, "Cy", "cy@x.org", 30L, "Cy", "cy@x.org")));
        for (List<?> change : changes) {
            String sql = (String) change.get(0);
            try (Connection c = db.connectDualwrite(); PreparedStatement p = c.prepareStatement(sql)) {
                c.setAutoCommit(false);
                MigrationFixture.bind(p, (List<?>) change.get(1));
                if (guarded) {
                    assertThatThrownBy(p::executeUpdate).as(sql).isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("0A000");
                        assertThat(e.getMessage()).contains("dualwrite refuses this write to users: it changes the key id"
                                + " of a row from", "Nothing was changed", "INSERT the row under the new key");
                    });
                } else {
                    assertThat(p.executeUpdate()).as(sql).isEqualTo(1);
                }
                c.rollback();
            }
            assertThat(state(db)).as(sql).isEqualTo(before);
        }
    }

    /** A batch whose every entry keeps its key runs; one entry changing a key fails the batch, which changes nothing. */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "CONTRACTED"})
    void aBatchIsCheckedEntryByEntry(Phase phase, TestDatabase db) throws Exception {
        db.execute(FIXTURE);
        MigrationFixture.registerIn(db, phase);
        String before = state(db);
        try (Connection c = db.connectDualwrite(); PreparedStatement p = c.prepareStatement(RECORD_UPDATE)) {
            c.setAutoCommit(false);
            for (List<?> entry : List.of(List.of(1L, "A", "a@x.org", 1L), List.of(2L, "B", "b@x.org", 2L))) {
                MigrationFixture.bind(p, entry);
                p.addBatch();
            }
            assertThat(p.executeBatch()).containsExactly(1, 1);
            assertThat(MigrationFixture.rows(c, "SELECT user_id, address FROM email_address ORDER BY 1"))
                    .containsExactly("1|a@x.org", "2|b@x.org");
            c.rollback();
            for (List<?> entry : List.of(List.of(1L, "A", "a@x.org", 1L), List.of(20L, "B", "b@x.org", 2L))) {
                MigrationFixture.bind(p, entry);
                p.addBatch();
            }
            assertThatThrownBy(p::executeBatch).isInstanceOfSatisfying(BatchUpdateException.class,
                    e -> assertThat(e.getMessage()).contains("changes the key id of a row from 2 to 20"));
            c.rollback();
        }
        assertThat(state(db)).isEqualTo(before);
    }

    /**
     * Generated keys of a write that needs nothing but the guard (it leaves the column alone): PgJDBC's {@code RETURNING *}
     * on the guarded form while the column is there, the translation's after the contract; the plain twin's rows either way.
     */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "CONTRACTED"})
    void generatedKeysAreThePlainOnes(Phase phase, TestDatabase db) throws Exception {
        String sql = "update users set id = ?, name = ? where id = ?";
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            plainDb.execute(FIXTURE);
            db.execute(FIXTURE);
            MigrationFixture.registerIn(db, phase);
            List<?> params = List.of(2L, "Bobby", 2L);
            assertThat(MigrationFixture.generatedKeys(db.connectDualwrite(), sql, params))
                    .isEqualTo(MigrationFixture.generatedKeys(plainDb.connect(), sql, params)).contains("Bobby", "email");
        }
    }

    private static String state(TestDatabase db) throws SQLException {
        try (Connection c = db.connect()) {
            return MigrationFixture.rows(c, "SELECT id, name FROM users ORDER BY id") + " "
                    + MigrationFixture.rows(c, "SELECT user_id, address, is_primary FROM email_address ORDER BY 1, 2");
        }
    }
}
