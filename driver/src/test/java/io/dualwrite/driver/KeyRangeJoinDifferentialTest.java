package io.dualwrite.driver;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.rewrite.StatementRewriter;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15: key range scans of {@code users} alone read the new table through an outer join that
 * carries the range (the rewriter's {@code KeyRangeJoins}). On the twin databases of
 * {@link ReadNewDifferentialTest} (plain column against READ_NEW, the old column deliberately stale,
 * NULL emails, a user without a target row, a non-primary row, a collation that sorts differently)
 * each shape must give the same rows, labels and metadata; with {@code ?} bounds, which the join
 * repeats through a parameter map, also the same parameter metadata, bound again with other values.
 */
@ExtendWith(PostgresExtension.class)
class KeyRangeJoinDifferentialTest {

    /** Shapes that take the join form; {@link #theShapesTakeTheJoinForm} checks that they do. */
    static final List<String> JOINED = List.of(
            "SELECT id, name, email FROM users WHERE id BETWEEN 2 AND 8 ORDER BY id",
            "SELECT * FROM users WHERE id >= 3 ORDER BY id",
            "SELECT u.* FROM users u WHERE u.id > 1 AND u.id <= 7 ORDER BY u.id",
            "SELECT id, email FROM users WHERE id >= 1 AND email IS NULL ORDER BY id",
            "SELECT id FROM users WHERE id < 9 AND email > 'a' ORDER BY email DESC NULLS FIRST, id",
            "SELECT email AS e, id FROM users AS u WHERE u.id BETWEEN 1 AND 9 ORDER BY e, id LIMIT 4",
            "SELECT DISTINCT email FROM users WHERE id >= 1 ORDER BY email",
            "SELECT count(email), max(email), min(email COLLATE \"POSIX\") FROM users WHERE id > 0",
            "SELECT id, lower(email), email::varchar(5) FROM users WHERE id >= 2 ORDER BY id OFFSET 1 FETCH FIRST 3 ROWS ONLY",
            "SELECT id, CASE WHEN email IS NULL THEN 'none' ELSE email END FROM users WHERE id >= '3' ORDER BY id",
            "SELECT \"email\", users.id FROM public.users WHERE users.id < 100 AND name IS NOT NULL ORDER BY 2",
            "SELECT id FROM users WHERE id > 0 AND email = 'bob@example.com'",
            "SELECT id, name FROM users WHERE id > 1 ORDER BY email, id",
            "SELECT o.id, (SELECT max(u.email) FROM users u WHERE u.id >= 1 AND u.id < o.user_id + 5) FROM orders o ORDER BY o.id",
            "WITH r AS (SELECT id, email FROM users WHERE id BETWEEN 2 AND 6) SELECT * FROM r ORDER BY id",
            "SELECT id, email, (SELECT count(*) FROM orders WHERE user_id = id) AS n FROM users WHERE id >= 1 ORDER BY id",
            "SELECT DISTINCT ON (email) email, id FROM ONLY users WHERE id BETWEEN 1 AND 9 ORDER BY email, id DESC");

    /** Ranges that keep the correlated subquery: still the same results. */
    static final List<String> SUBQUERY = List.of(
            "SELECT id, email FROM users WHERE id > 1 FOR UPDATE",
            "SELECT id, email FROM users WHERE id >= 1 GROUP BY id ORDER BY id",
            "SELECT id, email FROM users WHERE id > 7 OR id < 3 ORDER BY id",
            "SELECT email FROM users WHERE id > 2 UNION SELECT note FROM orders ORDER BY 1",
            "SELECT u.email, o.amount FROM users u JOIN orders o ON o.user_id = u.id WHERE u.id > 1 ORDER BY o.id",
            "SELECT u.id FROM users u WHERE u.id > 1 AND EXISTS (SELECT 1 FROM orders o WHERE o.note = u.email) ORDER BY 1");

    private ReadNewTwins twins;
    private Connection plain;
    private Connection dual;

    @BeforeEach
    void twins(TestDatabase db) throws SQLException {
        twins = ReadNewTwins.open(db);
        plain = twins.plain;
        dual = twins.dual;
    }

    @AfterEach
    void close() throws SQLException {
        twins.close();
    }

    @Test
    void theShapesTakeTheJoinForm() {
        StatementRewriter rewriter = new StatementRewriter(List.of(
                new SourceTable(MigrationFixture.SPEC, List.of("id", "name", "email"))));
        for (String sql : JOINED) {
            assertThat(rewriter.plan(sql).forPhase(Phase.READ_NEW)).as(sql)
                    .isInstanceOfSatisfying(Rewrite.Rewritten.class, r -> assertThat(r.sql()).contains("LEFT JOIN (SELECT"));
        }
        for (String sql : SUBQUERY) {
            assertThat(rewriter.plan(sql).forPhase(Phase.READ_NEW)).as(sql)
                    .isInstanceOfSatisfying(Rewrite.Rewritten.class, r -> assertThat(r.sql()).doesNotContain("\"dw$j\""));
        }
    }

    @Test
    void joinedRangeScansReadAndDescribeLikeThePlainRead() throws SQLException {
        assertThat(ReadNewDifferentialTest.differences(plain, dual, JOINED)).isEmpty();
        assertThat(ReadNewDifferentialTest.differences(plain, dual, SUBQUERY)).isEmpty();
    }

    @Test
    void parameterBoundsAreRepeatedInTheJoinAndBindAsTheApplicationBoundThem() throws SQLException {
        List<String> differences = new ArrayList<>();
        compare(differences, "SELECT id, name, email FROM users WHERE id BETWEEN ? AND ? ORDER BY id",
                List.of(2L, 8L), List.of(5L, 5L), List.of(10L, 20L), List.of(3L, 3L));
        compare(differences, "SELECT * FROM users u WHERE u.id >= ? AND u.email IS NOT NULL ORDER BY u.email LIMIT ?",
                List.of(2L, 3), List.of(0L, 100));
        compare(differences, "SELECT id, email FROM users WHERE name <> ? AND id > ? AND id <= ? ORDER BY id",
                List.of("Bob", 1L, 7L), List.of("Ann", 0L, 3L));
        // a marker before the join: the map must keep it first (cast: an untyped one is described as text, not as
        // the varchar PgJDBC binds, a difference of every rewritten read's metadata, not of this form)
        compare(differences, "SELECT ?::text AS tag, email FROM users WHERE id < ? ORDER BY id", List.of("x", 4L), List.of("y", 9L));
        assertThat(differences).isEmpty();
    }

    /** Prepares once on each twin, then binds and runs each parameter row, comparing everything observed. */
    @SafeVarargs
    private void compare(List<String> differences, String sql, List<Object>... bindings) throws SQLException {
        try (PreparedStatement p = plain.prepareStatement(sql); PreparedStatement d = dual.prepareStatement(sql)) {
            for (List<Object> values : bindings) {
                List<String> expected = observe(p, values);
                List<String> actual = observe(d, values);
                if (!expected.equals(actual)) {
                    differences.add(sql + " " + values + "\n  plain:     " + expected + "\n  dualwrite: " + actual);
                }
            }
        }
    }

    private static List<String> observe(PreparedStatement p, List<Object> values) throws SQLException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            p.setObject(i + 1, values.get(i));
        }
        ParameterMetaData pm = p.getParameterMetaData();
        int[] types = new int[pm.getParameterCount()];
        for (int i = 0; i < types.length; i++) {
            types[i] = pm.getParameterType(i + 1);
        }
        out.add("parameters " + Arrays.toString(types));
        try (ResultSet rs = p.executeQuery()) {
            out.addAll(ReadNewDifferentialTest.describe(rs.getMetaData()));
            out.addAll(MigrationFixture.rows(rs));
        }
        return out;
    }
}
