package io.dualwrite.driver;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.junit.jupiter.api.Test;
import org.postgresql.PGResultSetMetaData;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ReadNewDifferentialTest}'s reads (and RETURNING rows of writes) after the old column stopped being written (NEW_ONLY: it
 * holds stale values) and after it was dropped (CONTRACTED): against plain PgJDBC on a twin that
 * still has the column, the same rows, labels and answers to every metadata question — the old
 * column's table, name, type, precision and nullability come from what was recorded before the
 * contract, and {@code SELECT *} keeps it at its original position.
 */
@ExtendWith(PostgresExtension.class)
class TranslatedReadDifferentialTest {

    private TestDatabase plainDb;
    private Connection plain;
    private Connection dual;

    private void twins(TestDatabase db, Phase phase) throws SQLException {
        plainDb = PostgresServer.get().createDatabase();
        MigrationFixture.createTables(plainDb);
        plainDb.execute(ReadNewDifferentialTest.SCHEMA);
        MigrationFixture.createTables(db);
        db.execute(ReadNewDifferentialTest.SCHEMA + ReadNewDifferentialTest.TARGET);
        MigrationFixture.register(db, Phase.READ_NEW);
        // a column added after the old one: SELECT * must keep email before it, also once email is dropped
        plainDb.execute("ALTER TABLE users ADD COLUMN joined date DEFAULT date '2024-01-02'");
        db.execute("ALTER TABLE users ADD COLUMN joined date DEFAULT date '2024-01-02'");
        // not written any more: only a read of the new table matches the plain database
        db.execute("UPDATE users SET email = 'stale-' || id WHERE email IS NOT NULL");
        MigrationFixture.enterTranslatingPhase(db, phase);
        plain = plainDb.connect();
        dual = db.connectDualwrite();
    }

    @AfterEach
    void close() throws SQLException {
        if (dual != null) {
            dual.close();
            plain.close();
            plainDb.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void readsCompareSortGroupAndDescribeLikeThePlainRead(Phase phase, TestDatabase db) throws SQLException {
        twins(db, phase);
        List<String> reads = new ArrayList<>(ReadNewDifferentialTest.CLASS_7);
        reads.addAll(ReadNewDifferentialTest.ONCE_REFUSED);
        reads.addAll(ReadNewDifferentialTest.LOOKUPS);
        reads.add("SELECT * FROM users WHERE email = 'bob@example.com' ORDER BY id");
        reads.add("SELECT u.*, o.note FROM users u LEFT JOIN orders o ON o.user_id = u.id ORDER BY u.id, o.id");
        reads.add("SELECT id, email FROM users WHERE id = 2 FOR UPDATE");
        reads.add("SELECT x.email, x.id FROM (SELECT id, email FROM users) x ORDER BY x.id");
        // writes that change nothing, run twice: their RETURNING rows describe as the plain write's
        reads.add("UPDATE users SET name = name WHERE id BETWEEN 1 AND 3 RETURNING *");
        reads.add("UPDATE users u SET email = u.email WHERE u.id <= 4 RETURNING u.id, u.email");
        reads.add("INSERT INTO users (id, name, email) VALUES (2, 'x', 'y') ON CONFLICT (id) DO UPDATE SET name = users.name"
                + " RETURNING email, id");
        reads.removeAll(ORIGIN_UNKNOWN);
        assertThat(ReadNewDifferentialTest.differences(plain, dual, reads)).isEmpty();
        for (String sql : ORIGIN_UNKNOWN) {
            assertThat(withoutOrigin(ReadNewDifferentialTest.observe(dual, sql))).as(sql)
                    .isEqualTo(withoutOrigin(ReadNewDifferentialTest.observe(plain, sql)));
        }
        String bound = ReadNewDifferentialTest.BOUND_PARAMETERS;
        assertThat(ReadNewDifferentialTest.observeBound(dual, bound)).isEqualTo(ReadNewDifferentialTest.observeBound(plain, bound));
    }

    /**
     * Asking a translated read's metadata inside the application's transaction never aborts it, also
     * when the recorded type cannot be described (then the received types answer).
     */
    @Test
    void metadataNeverAbortsTheApplicationsTransaction(TestDatabase db) throws SQLException {
        twins(db, Phase.CONTRACTED);
        dual.close();
        db.execute("UPDATE dualwrite.source_column SET type = 'no_such_type' WHERE name = 'email'");
        dual = db.connectDualwrite();
        dual.setAutoCommit(false);
        try (Statement s = dual.createStatement(); ResultSet rs = s.executeQuery("SELECT id, email FROM users ORDER BY id")) {
            assertThat(rs.getMetaData().getColumnTypeName(2)).as("received, not recorded").isEqualTo("varchar");
            assertThat(rs.getMetaData().unwrap(PGResultSetMetaData.class).getBaseColumnName(2)).isEqualTo("email");
        }
        try (Statement s = dual.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM users")) {
            assertThat(rs.next()).as("the transaction is still usable").isTrue();
        }
        dual.commit();
    }

    /**
     * Reads whose old-column result the translated result's description cannot tell from a plain
     * reference ({@code TranslatedColumns}): the same rows and types, but table, base column and
     * nullability differ from PgJDBC's (an alias loses the origin; COLLATE and UNION ALL of the column with
     * itself gain it, and so does another value of the recorded type labelled as the column).
     */
    static final List<String> ORIGIN_UNKNOWN = List.of(
            "SELECT id, email AS e FROM users ORDER BY e DESC NULLS FIRST, id",
            "SELECT 'x'::varchar(320) AS email, email AS e2, id FROM users ORDER BY id",
            "SELECT email FROM users UNION ALL SELECT email FROM users u2 ORDER BY 1",
            "SELECT email COLLATE \"C\" FROM users ORDER BY 1",
            "SELECT email COLLATE \"POSIX\", id FROM users ORDER BY email COLLATE \"POSIX\" DESC, id");

    private static List<String> withoutOrigin(List<String> observed) {
        List<String> out = new ArrayList<>();
        for (String line : observed) {
            out.add(line.replaceAll(" (table|base|nullable)=\\S*", ""));
        }
        return out;
    }
}
