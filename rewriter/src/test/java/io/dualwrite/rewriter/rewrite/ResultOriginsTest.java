package io.dualwrite.rewriter.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
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
        "SELECT (email)::varchar AS email FROM users | '' | true",
        "SELECT CASE WHEN id > 0 THEN email END AS email FROM users | '' | true",
        // every column of a set operation
        "SELECT email AS e FROM users UNION ALL SELECT email FROM users | '' | true",
        // the same label twice, once each way: not decided
        "SELECT email, lower(email) AS email FROM users | none | false",
        // a derived table's column: the origin of what it names, not followed
        "SELECT e FROM (SELECT email AS e FROM users) s | none | false",
        // a write's RETURNING list
        "UPDATE users SET name = 'n' WHERE id = 1 RETURNING email AS e, email COLLATE \"C\" AS email | e | true",
        "INSERT INTO users (name, email) VALUES ('n', 'a@b') RETURNING id, users.email AS mail | mail | false",
        "DELETE FROM users WHERE id = 1 RETURNING (email) AS gone | gone | false",
    })
    void labelsPostgresGivesTheOldColumnAsOrigin(String sql, String aliases, boolean nameWithoutOrigin) {
        Rewrite translated = REWRITER.plan(sql).forPhase(Phase.CONTRACTED);
        assertThat(translated).as(sql).isInstanceOfSatisfying(Rewrite.Rewritten.class, w -> assertThat(w.origins())
                .isEqualTo(aliases == null ? null : new Rewrite.Origins(aliases.isEmpty() ? Set.of()
                        : Set.of(aliases.split(",")), nameWithoutOrigin)));
    }
}
