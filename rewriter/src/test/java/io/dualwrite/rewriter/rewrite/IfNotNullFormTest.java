package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which writes get a form for non-NULL values ({@link Rewrite.IfNotNull}), and which parameters decide it: lone
 * parameters and literals, in update-count forms only, and only while the source and target allow it
 * ({@link SourceTable#dualWriteUpserts}, {@link SourceTable#targetHasColumnType}). Executed against PostgreSQL by the
 * driver's {@code NonNullUpsertFormTest}.
 */
class IfNotNullFormTest {

    private static final String UPSERT = "INSERT INTO \"public\".\"email_address\" (\"user_id\", \"address\", \"is_primary\")";

    private static StatementRewriter rewriter(boolean targetHasColumnType, boolean storedMayDiffer) {
        return new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL, List.of("id", "name", "email"),
                "text", null, false, targetHasColumnType, storedMayDiffer)));
    }

    private static Rewrite.Rewritten rewrite(StatementRewriter r, String sql, Phase phase) {
        return (Rewrite.Rewritten) r.plan(sql).forPhase(phase);
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void anUpdateOfALoneParameterOffersTheUpsertForThatParameter(Phase phase) {
        Rewrite.Rewritten w = rewrite(rewriter(true, false), "UPDATE users SET name = ?, email = (?) WHERE id = ?", phase);
        assertThat(w.sql()).doesNotContain(UPSERT);
        assertThat(w.ifNotNull().parameters()).containsExactly(2);
        assertThat(w.ifNotNull().form().sql()).contains(UPSERT, "ON CONFLICT (\"user_id\") WHERE \"is_primary\" DO UPDATE"
                + " SET \"address\" = EXCLUDED.\"address\"");
        assertThat(w.ifNotNull().form().parameterSources()).isEqualTo(w.parameterSources());
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "CONTRACTED"})
    void aLiteralTakesTheUpsertOutright(Phase phase) {
        Rewrite.Rewritten w = rewrite(rewriter(true, false), "UPDATE users SET email = 'a@x.org' WHERE id = 1", phase);
        assertThat(w.sql()).contains(UPSERT);
        assertThat(w.ifNotNull()).isNull();
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "CONTRACTED"})
    void valuesThatMayBeNullAndResultSetFormsTakeTheFunction(Phase phase) {
        StatementRewriter r = rewriter(true, false);
        for (String sql : List.of("UPDATE users SET email = lower(?) WHERE id = ?", "UPDATE users SET email = NULL WHERE id = 1",
                "UPDATE users SET email = DEFAULT WHERE id = 1", "UPDATE users SET email = ? WHERE id = ? RETURNING id",
                "DELETE FROM users WHERE id = ?")) {
            Rewrite.Rewritten w = rewrite(r, sql, phase);
            assertThat(w.ifNotNull()).as(sql).isNull();
            assertThat(w.sql()).as(sql).doesNotContain(UPSERT);
        }
    }

    @Test
    void insertsOfferItWhereTheyAreTranslated() {
        StatementRewriter r = rewriter(true, false);
        Rewrite.Rewritten rows = rewrite(r, "INSERT INTO users (id, name, email) VALUES (?, ?, ?), (?, ?, 'x@y.org')",
                Phase.CONTRACTED);
        assertThat(rows.ifNotNull().parameters()).containsExactly(3);
        assertThat(rows.ifNotNull().form().sql()).contains(UPSERT, " UNION ALL ");
        assertThat(rewrite(r, "INSERT INTO users (id, name, email) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET email"
                + " = EXCLUDED.email", Phase.CONTRACTED).ifNotNull()).as("an upsert may keep a NULL").isNull();
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW"})
    void dualWriteInsertsOfValuesGivenInTheColumnListOfferIt(Phase phase) {
        StatementRewriter r = rewriter(true, false);
        Rewrite.Rewritten rows = rewrite(r, "insert into users as u (email, id) values (?, ?), ('b@x.org', 2), (?, 3)"
                + " on conflict (id) do nothing", phase);
        assertThat(rows.sql()).doesNotContain(UPSERT);
        assertThat(rows.ifNotNull().parameters()).containsExactly(1, 3);
        assertThat(rows.ifNotNull().form().sql()).contains("on conflict (id) do nothing RETURNING u.\"id\" AS \"dw$k\","
                + " u.\"email\" AS \"dw$v\")", UPSERT);
        assertThat(rewrite(r, "INSERT INTO users (id, email) VALUES (1, 'a@x.org')", phase).sql()).as("literals").contains(UPSERT);
        // the stored value may be NULL or not the one given: the column's default, a DO UPDATE that keeps a NULL, a
        // query; or the values cannot be told apart: no column list
        for (String sql : List.of("INSERT INTO users (id, name) VALUES (?, ?)", "INSERT INTO users VALUES (?, ?, ?)",
                "INSERT INTO users (id, email) VALUES (?, ?), (?, NULL)", "INSERT INTO users (id, email) VALUES (?, DEFAULT)",
                "INSERT INTO users (id, email) VALUES (?, lower(?))", "INSERT INTO users (id, email) SELECT ?, ?",
                "INSERT INTO users (id, email) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email",
                "INSERT INTO users (id, email, email) VALUES (?, ?, ?)")) {
            Rewrite.Rewritten w = rewrite(r, sql, phase);
            assertThat(w.ifNotNull()).as(sql).isNull();
            assertThat(w.sql()).as(sql).doesNotContain(UPSERT);
        }
        assertThat(rewrite(rewriter(true, true), "INSERT INTO users (id, email) VALUES (?, ?)", phase).ifNotNull())
                .as("BEFORE triggers on users").isNull();
    }

    @Test
    void noUpsertWhereTheSourceOrTargetCouldStoreSomethingElse() {
        String sql = "UPDATE users SET email = ? WHERE id = ?";
        assertThat(rewrite(rewriter(true, true), sql, Phase.DUAL_WRITE).ifNotNull()).as("BEFORE triggers on users").isNull();
        assertThat(rewrite(rewriter(true, true), sql, Phase.CONTRACTED).ifNotNull()).as("translated: they do not matter")
                .isNotNull();
        assertThat(rewrite(rewriter(false, false), sql, Phase.DUAL_WRITE).ifNotNull()).as("another target type").isNull();
        assertThat(rewrite(rewriter(false, false), sql, Phase.CONTRACTED).ifNotNull()).isNull();
    }

    @Test
    void severalStatementsInOneStringTakeTheFunction() {
        Rewrite.Rewritten w = rewrite(rewriter(true, false), "UPDATE users SET email = ? WHERE id = ?; SELECT 1",
                Phase.DUAL_WRITE);
        assertThat(w.ifNotNull()).isNull();
        assertThat(w.sql()).doesNotContain(UPSERT);
    }
}
