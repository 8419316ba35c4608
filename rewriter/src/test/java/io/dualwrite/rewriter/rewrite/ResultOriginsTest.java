package io.dualwrite.rewriter.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Rewrite.Origins} of a translation's rows: which labels PostgreSQL gives the old column as origin where the
 * label alone does not say it. Checked against PostgreSQL's own descriptions by the driver's
 * {@code TranslatedReadDifferentialTest}.
 */
class ResultOriginsTest {

    private static final StatementRewriter REWRITER = new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL,
            List.of("id", "name", "email"), "character varying(255)", null, false, true, false,
            "nextval('users_id_seq'::regclass)")));

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "none", value = {
        // a reference under any alias, or parentheses
        "SELECT id, email AS e, (u.email) f, u.email \"Mail\" FROM users u | e,f,Mail | false",
        "SELECT * FROM users WHERE email = 'a' | none | false",
        "SELECT id, email FROM users | none | false",
        // not a reference: no origin, though labelled as the column
        "SELECT email COLLATE \"C\" FROM users | '' | true",
        "SELECT 'x'::varchar(255) AS email, email AS e FROM users | e | true",
        // a cast of a reference: to its own type PostgreSQL keeps the origin, to another it has none; the driver tells
        // them apart by the type
        "SELECT (email)::varchar(10) AS e, email::text FROM users | e | false",
        "SELECT email::text::varchar(6)::text FROM users | '' | true",
        "SELECT CASE WHEN id > 0 THEN email END AS email FROM users | '' | true",
        // every column of a set operation
        "SELECT email AS e FROM users UNION ALL SELECT email FROM users | '' | true",
        // the same label twice, once each way: by position (ResultOriginsTest#positions)
        "SELECT email, lower(email) AS email FROM users | '' | false",
        // a derived table's, a WITH query's or a LATERAL subquery's column: the origin of the item it names
        "SELECT e FROM (SELECT email AS e FROM users) s | e | false",
        "SELECT s.y FROM (SELECT id, email FROM users) AS s(x, y) | y | false",
        "WITH c(a, b) AS (SELECT id, email FROM users) SELECT b, a FROM c | b | false",
        "SELECT * FROM users u, LATERAL (SELECT u.email AS e) l | e | false",
        "SELECT u.id, x.e FROM users u, LATERAL (SELECT email AS e) x | e | false",
        "SELECT * FROM users u JOIN (SELECT 'ann@x'::text AS email, 7 AS k) x USING (email) | none | false",
        "SELECT email, k FROM users FULL JOIN (SELECT 'zz@x'::text AS email, 1 AS k) x USING (email) | '' | true",
        "SELECT s.email FROM (SELECT u.id, upper(u.email) AS email FROM users u) s | '' | true",
        "WITH RECURSIVE r AS (SELECT id, email FROM users WHERE id = 1 UNION ALL SELECT u.id, u.email FROM users u"
                + " JOIN r ON u.id = r.id + 1) SELECT * FROM r | '' | true",
        // a write's RETURNING list
        "UPDATE users SET name = 'n' WHERE id = 1 RETURNING email AS e, email COLLATE \"C\" AS email | e | true",
        "INSERT INTO users (name, email) VALUES ('n', 'a@b') RETURNING id, users.email AS mail | mail | false",
        "DELETE FROM users WHERE id = 1 RETURNING (email) AS gone | gone | false",
        // a WITH query that writes the table, read by the main query: the origins of its RETURNING items
        "WITH u AS (UPDATE users SET email = upper(email) WHERE id = 2 RETURNING id, email AS e) SELECT e, id FROM u | e | false",
        "WITH u AS (UPDATE users SET name = 'n' RETURNING email AS now) SELECT now, (SELECT email FROM users WHERE id = 1)"
                + " AS before FROM u | now | false",
        "WITH d(a, b, c) AS (DELETE FROM users WHERE id = 1 RETURNING *) SELECT c AS gone, a FROM d | gone | false",
        "WITH d AS (DELETE FROM users WHERE id = 1 RETURNING id, lower(email) AS email) SELECT * FROM d | '' | true",
        "WITH i AS (INSERT INTO users (name, email) VALUES ('n', 'a@b') RETURNING email AS m) SELECT x.m::text FROM i x"
                + " | m | false",
        // a column alias list on the table: its names, by position
        "SELECT u.c FROM users AS u(a, b, c) | c | false",
        "SELECT * FROM users u(x, y, mail) | mail | false",
        "SELECT u.email AS e, a FROM users u(a) | e | false",
        // several statements in one string: their results are not told apart
        "SELECT email AS e FROM users WHERE id = 1; SELECT 1 | e | false",
        "SELECT email COLLATE \"C\" FROM users; UPDATE users SET email = 'x'; SELECT email AS m FROM users | m | true",
    })
    void labelsPostgresGivesTheOldColumnAsOrigin(String sql, String aliases, boolean nameWithoutOrigin) {
        Rewrite translated = REWRITER.plan(sql).forPhase(Phase.CONTRACTED);
        assertThat(translated).as(sql).isInstanceOfSatisfying(Rewrite.Rewritten.class, w -> {
            Rewrite.Origins o = w.origins();
            assertThat(o == null ? null : new Rewrite.Origins(o.aliases(), o.nameWithoutOrigin())).isEqualTo(aliases == null
                    ? null : new Rewrite.Origins(aliases.isEmpty() ? Set.of() : Set.of(aliases.split(",")), nameWithoutOrigin));
        });
    }

    /** One label given to columns of both kinds: decided by position where every item's width is known. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SELECT email, lower(email) AS email FROM users | true,false",
        "SELECT ?::text AS email, u.email, id FROM users u | false,true,",
        "SELECT *, email COLLATE \"C\" AS email FROM users | ,,true,false",
        "SELECT CAST(email AS char(4)), email::text::varchar(6)::text FROM users | true,false",
    })
    void positions(String sql, String byPosition) {
        Rewrite translated = REWRITER.plan(sql).forPhase(Phase.CONTRACTED);
        List<Boolean> expected = new ArrayList<>();
        for (String p : byPosition.split(",", -1)) {
            expected.add(p.isEmpty() ? null : Boolean.valueOf(p));
        }
        assertThat(translated).as(sql).isInstanceOfSatisfying(Rewrite.Rewritten.class,
                w -> assertThat(w.origins().byPosition()).isEqualTo(expected));
    }
}
