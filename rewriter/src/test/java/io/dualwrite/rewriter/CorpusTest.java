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
        for (String table : List.of("tenk1", "onek", "inserttest", "update_test", "insertconflicttest", "int4_tbl")) {
            MigrationSpec spec = spec(table);
            StatementRewriter rewriter = new StatementRewriter(
                    List.of(new SourceTable(spec, List.of("unique1", "stringu1", "f1"))), new PlanCache(0));
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
                        if (plan.forPhase(p) instanceof Rewrite.Rewritten r) {
                            assertThat(parameters(r.sql())).as(sql).isEqualTo(parameters(sql));
                            if (r.kind() == Rewrite.Kind.DUAL_WRITE) {
                                assertThat(r.sql()).as(sql).contains(sql);
                            }
                        }
                    }
                }
            }
        }
    }

    private static List<String> parameters(String sql) {
        return Lexer.tokenize(sql).stream().filter(t -> t.kind() == TokenKind.PARAMETER).map(Token::text)
                .collect(Collectors.toList());
    }
}
