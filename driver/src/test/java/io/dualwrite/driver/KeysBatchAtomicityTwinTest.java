package io.dualwrite.driver;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch that asks for generated keys by column, under autocommit, whose third entry fails. PgJDBC sends the
 * application's batch as one implicit transaction when it can bound its result rows ({@code id bigint, email
 * varchar(100)}): nothing is committed, every count is EXECUTE_FAILED, no keys. The dual write's form returns two
 * hidden columns more, which PgJDBC cannot bound; sent as it is, each entry committed on its own (the rows before the
 * failure stayed deleted or updated). With a {@code text} column asked for, PgJDBC syncs after every entry for both.
 */
@ExtendWith(PostgresExtension.class)
class KeysBatchAtomicityTwinTest {

    private static final String SCHEMA = """
            ALTER TABLE users ALTER COLUMN email TYPE varchar(100);
            ALTER TABLE email_address ALTER COLUMN address TYPE varchar(100);
            CREATE UNIQUE INDEX users_email_key ON users (email);
            ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id)""";

    private record Batch(String sql, String[] keys, List<List<Object>> entries) {
    }

    private static final List<Batch> BATCHES = List.of(
            // user 1 has orders: 23503 at the third entry
            new Batch("DELETE FROM users WHERE id = ?", new String[] {"id", "email"},
                    List.of(List.of(5L), List.of(4L), List.of(1L), List.of(3L))),
            // bob@example.com is taken: 23505 at the third entry
            new Batch("UPDATE users SET email = ? WHERE id = ?", new String[] {"id", "email"},
                    List.of(List.of("u1@x", 1L), List.of("u5@x", 5L), List.of("bob@example.com", 4L), List.of("u3@x", 3L))),
            new Batch("INSERT INTO users (id, name, email) VALUES (?, ?, ?)", new String[] {"id", "email"},
                    List.of(List.of(10L, "a", "a@x"), List.of(11L, "b", "b@x"), List.of(12L, "c", "bob@example.com"),
                            List.of(13L, "d", "d@x"))),
            // name is text: PgJDBC syncs after every entry, plain and dual write alike
            new Batch("UPDATE users SET email = ? WHERE id = ?", new String[] {"id", "name"},
                    List.of(List.of("u1@x", 1L), List.of("u5@x", 5L), List.of("bob@example.com", 4L), List.of("u3@x", 3L))));

    static Stream<Arguments> phasesAndBatches() {
        List<Arguments> out = new ArrayList<>();
        for (Phase phase : new Phase[] {Phase.DUAL_WRITE, Phase.READ_NEW, Phase.NEW_ONLY, Phase.CONTRACTED}) {
            for (int b = 0; b < BATCHES.size(); b++) {
                out.add(Arguments.of(phase, b));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} batch {1}")
    @MethodSource("phasesAndBatches")
    void aFailingKeysBatchCommitsAsTheApplicationsOwn(Phase phase, int b, TestDatabase db) throws Exception {
        Batch batch = BATCHES.get(b);
        try (TestDatabase plain = PostgresServer.get().createDatabase()) {
            for (TestDatabase twin : List.of(plain, db)) {
                MigrationFixture.createTables(twin);
                twin.execute(SCHEMA);
            }
            MigrationFixture.registerWithUniqueTwins(db, phase);
            List<String> expected = run(plain.connect(), batch);
            List<String> actual = run(db.connectDualwrite(), batch);
            assertThat(actual).as(phase + " " + batch.sql() + " " + Arrays.toString(batch.keys())).isEqualTo(expected);
            String users = "SELECT string_agg(id::text, ',' ORDER BY id) FROM users";
            assertThat(db.queryString(users)).as("users").isEqualTo(plain.queryString(users));
            assertThat(db.queryString("SELECT string_agg(user_id || '=' || address, ',' ORDER BY user_id) FROM email_address"
                    + " WHERE is_primary")).as("email_address equals the plain twin's column").isEqualTo(plain.queryString(
                    "SELECT string_agg(id || '=' || email, ',' ORDER BY id) FROM users WHERE email IS NOT NULL"));
        }
    }

    /** The counts, SQLState and message, the keys and whether the connection is still in autocommit. */
    private static List<String> run(Connection c, Batch batch) throws SQLException {
        List<String> out = new ArrayList<>();
        try (c; PreparedStatement p = c.prepareStatement(batch.sql(), batch.keys())) {
            for (List<Object> entry : batch.entries()) {
                for (int i = 0; i < entry.size(); i++) {
                    p.setObject(i + 1, entry.get(i));
                }
                p.addBatch();
            }
            try {
                out.add("counts " + Arrays.toString(p.executeBatch()));
            } catch (BatchUpdateException e) {
                out.add(e.getSQLState() + " counts " + Arrays.toString(e.getUpdateCounts()));
                out.add(e.getMessage());
            }
            List<String> keys = new ArrayList<>();
            try (ResultSet rs = p.getGeneratedKeys()) {
                while (rs.next()) {
                    keys.add(rs.getString(1) + "|" + rs.getString(2));
                }
            }
            out.add("keys " + keys);
            out.add("autocommit " + c.getAutoCommit());
        }
        return out;
    }
}
