package io.dualwrite.rewriter;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import io.dualwrite.rewriter.cache.PlanCache;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;
import io.dualwrite.rewriter.rewrite.StatementRewriter;
import io.dualwrite.testing.Corpus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL's own regression SQL ({@code corpus/postgres-regress}, see its README): real SQL nobody here wrote. Proves
 * byte-identical pass-through and fuzzes the lexer and the rewriter.
 */
class CorpusTest {

    /** Every file the corpus README lists; a missing one fails the test. */
    private static List<Path> files() {
        return Corpus.postgresRegress();
    }

    private static List<String> statements(String text) {
        List<String> out = new ArrayList<>();
        for (List<Token> st : Statements.split(Lexer.tokenize(text))) {
            List<Token> sig = Statements.significant(st);
            out.add(text.substring(sig.get(0).start(), sig.get(sig.size() - 1).end()));
        }
        return out;
    }

    private static MigrationSpec spec(String table) {
        return new MigrationSpec("public", table, "unique1", "stringu1", "public", table + "_new", "k", "v",
                "is_primary", "sync_" + table);
    }

    @Test
    void lexerRoundTripsEveryFile() throws IOException {
        for (Path f : files()) {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            String rebuilt = Lexer.tokenize(text).stream().map(Token::text).collect(Collectors.joining());
            assertThat(rebuilt).as(f.toString()).isEqualTo(text);
        }
    }

    @Test
    void everyStatementPassesThroughUnchanged() throws IOException {
        StatementRewriter rewriter = new StatementRewriter(List.of(new SourceTable(new MigrationSpec("public", "users",
                "id", "email", "public", "email_address", "user_id", "address", "is_primary", "sync_users_email"),
                List.of("id", "name", "email"))));
        int count = 0;
        for (Path f : files()) {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            assertThat(text.toLowerCase()).as("the corpus must not mention the source table").doesNotContain("users");
            for (String sql : statements(text)) {
                RewritePlan plan = rewriter.plan(sql);
                assertThat(plan.passThrough()).as(sql).isTrue();
                for (Phase p : Phase.values()) {
                    assertThat(plan.forPhase(p)).isSameAs(Rewrite.PASS_THROUGH);
                }
                count++;
            }
        }
        assertThat(count).isGreaterThan(5000);
    }

    /**
     * Pretend tables the corpus uses a lot are migrating: nothing may crash, untouched statements
     * pass through, and every rewrite keeps the app's parameter markers and text.
     */
    @Test
    void rewriterSurvivesTheCorpusAsIfItsTablesWereMigrating() throws IOException {
        int[] counts = new int[4];
        for (String table : List.of("tenk1", "onek", "inserttest", "update_test", "insertconflicttest", "int4_tbl")) {
            MigrationSpec spec = spec(table);
            StatementRewriter rewriter = new StatementRewriter(List.of(new SourceTable(spec,
                    List.of("unique1", "stringu1", "f1"), "name", null)), new PlanCache(0));
            SourceNames names = new SourceNames(spec);
            for (Path f : files()) {
                for (String sql : statements(Files.readString(f, StandardCharsets.UTF_8))) {
                    RewritePlan plan = rewriter.plan(sql);
                    boolean mentions = Statements.split(Lexer.tokenize(sql)).stream()
                            .anyMatch(st -> names.mentionsTable(new Sig(Statements.significant(st))));
                    if (!mentions && !sql.regionMatches(true, 0, "do", 0, 2)) {
                        assertThat(plan.passThrough()).as(sql).isTrue();
                    }
                    for (Phase p : Phase.values()) {
                        if (p.writesOld() && plan.forPhase(p) instanceof Rewrite.Rewritten r) {
                            assertThat(parameters(r.sql())).as(sql).isEqualTo(parameters(sql));
                            if (r.kind() == Rewrite.Kind.DUAL_WRITE) {
                                assertThat(r.sql()).as(sql).contains(sql);
                            }
                        }
                    }
                    if (mentions) {
                        counts[translated(sql, plan.forPhase(Phase.CONTRACTED), spec.sourceColumn())]++;
                        assertThat(plan.forPhase(Phase.NEW_ONLY)).as(sql).isEqualTo(plan.forPhase(Phase.CONTRACTED));
                    }
                }
            }
        }
        System.out.printf("corpus statements on a migrating table, CONTRACTED: %d translated, %d refused,"
                + " %d pass through (name no column of it), %d pass through naming a same-named column of another"
                + " table%n", counts[0], counts[1], counts[2], counts[3]);
        assertThat(counts[0]).isPositive();
    }

    /**
     * The translated phase never sends the old column: a translation names it only as a label
     * ({@code AS "stringu1"}); a statement passes through only when it names no such column, or only
     * qualified by another table's name or alias. Returns 0 translated, 1 refused, 2 or 3 passed.
     */
    private static int translated(String sql, Rewrite r, String column) {
        if (r instanceof Rewrite.Rejected) {
            return 1;
        }
        boolean rewritten = r instanceof Rewrite.Rewritten;
        String text = rewritten ? ((Rewrite.Rewritten) r).sql() : sql;
        List<Token> tokens = Statements.significant(Lexer.tokenize(text));
        boolean labelled = false;
        for (int i = 1; i < tokens.size(); i++) {
            labelled |= tokens.get(i - 1).is("as") && tokens.get(i).isName() && tokens.get(i).normalized().equals(column);
        }
        boolean named = false;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (!t.isName() || !t.normalized().equals(column) || (i > 0 && tokens.get(i - 1).is("as"))) {
                continue;
            }
            // qualified by another table, or (ORDER BY, DISTINCT ON) an output column of that name
            boolean qualified = i > 0 && tokens.get(i - 1).isSymbol(".");
            assertThat((!rewritten && qualified) || (!qualified && labelled)).as("the column reaches PostgreSQL: "
                    + text).isTrue();
            named = true;
        }
        if (rewritten) {
            Rewrite.Rewritten w = (Rewrite.Rewritten) r;
            assertThat(w.parameterSources() == null ? parameters(w.sql()) : parameters(sql)).as(sql)
                    .isEqualTo(parameters(sql));
            return 0;
        }
        if (named) {
            System.out.println("passes through, naming another table's column of that name: " + sql);
        }
        return named ? 3 : 2;
    }

    private static List<String> parameters(String sql) {
        return Lexer.tokenize(sql).stream().filter(t -> t.kind() == TokenKind.PARAMETER).map(Token::text)
                .collect(Collectors.toList());
    }
}
