package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.RelationName;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.rewrite.StatementRewriter;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code corpus/users-adversarial.sql}: statements written to find where the driver reads SQL otherwise than
 * PostgreSQL (row constructors in SET, whole-row references, {@code TABLE users} inside other statements, string
 * literals continued over a newline, Unicode-escaped names, cursors, EXPLAIN ANALYZE, several statements in one
 * string, key changes, ON CONFLICT variants …). Each runs on twin databases ({@link TwinRun}), plainly with PgJDBC
 * and through dualwrite in every phase that rewrites: the same results, counts and tables afterwards (the new table
 * holding what the plain twin's column holds, and in the phases that write it, the old column too), or refused with
 * 0A000 and nothing changed.
 */
@ExtendWith(PostgresExtension.class)
class AdversarialTwinTest {

    /**
     * Statements whose result the translated phases describe otherwise than PostgreSQL (rows, counts and labels alike): the
     * column's origin (table, column, nullability) is lost under a function-style cast to its own type, which PostgreSQL
     * leaves out; and which of two errors an INSERT … SELECT raises first: the translation computes every query row
     * before it inserts the first (a MATERIALIZED WITH query), where PostgreSQL inserts each row as the query gives it.
     */
    static final Map<String, String> KNOWN_DIFFERENCES = Map.of(
            "SELECT text(email) FROM users WHERE id = 1", "origin under text(…)",
            "UPDATE users SET email = 'q@x' WHERE id = 2 RETURNING text(email), email first", "origin under text(…)",
            "INSERT INTO users (id, name, email) VALUES (60, 'n', 'n@x') RETURNING email::text::text, text(email)",
            "origin under text(…)",
            "SELECT x.text FROM (SELECT text(email) FROM users) x ORDER BY 1", "origin under text(…)",
            "INSERT INTO users (id, name, email) SELECT v.i, 'x', (10 / v.d)::text FROM (VALUES (1, 1), (981, 0)) v(i, d)",
            "the first error", "INSERT INTO users (id, name, email) SELECT v.i, 'x', (10 / v.d)::text FROM (VALUES"
                    + " (NULL::bigint, 1), (982, 0)) v(i, d)", "the first error",
            "INSERT INTO users (id, name, email) SELECT v.i, 'x', 'e@x' || (10 / v.d) FROM (VALUES (1, 1), (983, 0)) v(i, d)"
                    + " RETURNING id", "the first error",
            "INSERT INTO users (id, name, email) SELECT v.i, (10 / v.d)::text, 'e@x' FROM (VALUES (2, 1), (984, 0)) v(i, d)",
            "the first error");

    /** Where the corpus's WITH queries that delete users copy the rows they return: compared afterwards like the others. */
    private static final String ARCHIVE = "CREATE TABLE user_archive (id bigint, name text, email text)";

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void everyStatementBehavesAsOnThePlainTwinOrIsRefused(Phase phase, TestDatabase db) throws Exception {
        // as the driver reads the catalog (to tell translated statements from those passed through): the column's type,
        // user_archive the other table with an email column, MERGE returning from 17
        boolean mergeReturns;
        try (Connection c = db.connect()) {
            mergeReturns = c.getMetaData().getDatabaseMajorVersion() >= 17;
        }
        StatementRewriter rewriter = new StatementRewriter(List.of(new SourceTable(MigrationFixture.SPEC,
                List.of("id", "name", "email"), "text", null, false, false, false, null, List.of(),
                Set.of(new RelationName("public", "user_archive")), null, null, false, null, null, null, mergeReturns)));
        // the old column, where the phase still writes it, must hold what the plain twin's holds
        String users = phase.writesOld() ? "SELECT id, name, email FROM users ORDER BY id" : "SELECT id, name FROM users ORDER BY id";
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            twins(plainDb, db, phase);
            List<Probe> statements = statements();
            try (TwinRun run = new TwinRun("AdversarialTwinTest " + phase, plainDb::connect, db::connectDualwrite,
                    c -> state(c, users, CorpusContractedTest.PLAIN_EMAILS),
                    c -> state(c, users, CorpusContractedTest.DUAL_EMAILS), phase.writesOld() ? Map.of() : KNOWN_DIFFERENCES)) {
                for (int i = 0; i < statements.size(); i++) {
                    Probe p = statements.get(i);
                    run.compare("#" + (i + 1), p.sql(), p.params(), rewriter.plan(p.sql()).forPhase(phase) instanceof Rewrite.Rewritten);
                }
                run.report();
                assertThat(run.refused()).as("refused: fewer than a quarter").isLessThan(statements.size() / 4);
                // statements that fail alike count as rewrite failures when their error lies in the rewritten text: more
                // than 1 % of them would roll READ_NEW back to DUAL_WRITE (ErrorRateWatch), and the rest of the corpus would
                // no longer test the phase
                assertThat(MigrationFixture.controlPhase(db)).as("the phase held through the corpus").isEqualTo(phase.name());
            }
        }
    }


    /**
     * Every read of the corpus (one SELECT or WITH … SELECT without parameters) that runs on the plain twin and is
     * translated describes its result as PgJDBC does there: labels, types, and the origin that gives each column its
     * table, base column and nullability (ReadNewDifferentialTest#describe), through a Statement, a described and an
     * executed PreparedStatement.
     */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void everyTranslatedReadDescribesItsColumnsAsThePlainRead(Phase phase, TestDatabase db) throws Exception {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            twins(plainDb, db, phase);
            Set<String> differing = new TreeSet<>();
            List<String> details = new ArrayList<>();
            int compared = 0;
            try (Connection plain = plainDb.connect(); Connection dual = db.connectDualwrite()) {
                for (Probe p : statements()) {
                    String lower = p.sql().toLowerCase(Locale.ROOT);
                    if (!p.params().isEmpty() || p.sql().contains(";") || KNOWN_DIFFERENCES.containsKey(p.sql())
                            || !(lower.startsWith("select") || lower.startsWith("with"))
                            || lower.matches("(?s).*\\b(insert|update|delete|merge|into)\\b.*")) {
                        continue;
                    }
                    List<String> expected = ReadNewDifferentialTest.observe(plain, p.sql());
                    List<String> actual = ReadNewDifferentialTest.observe(dual, p.sql());
                    if (expected.get(0).startsWith("error") || actual.get(0).startsWith("error 0A000")) {
                        continue;
                    }
                    compared++;
                    List<String> e = metadataOnly(expected);
                    List<String> a = metadataOnly(actual);
                    if (!e.equals(a)) {
                        differing.add(p.sql());
                        details.add(p.sql() + "\n  plain:     " + e + "\n  dualwrite: " + a);
                    }
                }
            }
            assertThat(compared).as("reads compared").isGreaterThan(300);
            assertThat(differing).as(String.join("\n", details)).isEmpty();
        }
    }

    /** The plain twin and {@code db} in {@code phase}, each with the archive table the corpus writes to. */
    private static void twins(TestDatabase plainDb, TestDatabase db, Phase phase) throws SQLException {
        MigrationFixture.createTables(plainDb);
        MigrationFixture.create(db, phase.writesOld() ? phase : Phase.DUAL_WRITE);
        for (TestDatabase twin : List.of(plainDb, db)) {
            twin.execute(ARCHIVE);
        }
        if (!phase.writesOld()) {
            // not written any more: only statements translated to the new table match the plain twin
            db.execute("UPDATE users SET email = 'stale-' || id WHERE email IS NOT NULL");
            MigrationFixture.enterTranslatingPhase(db, phase);
        }
    }

    private static List<String> metadataOnly(List<String> observed) {
        return observed.stream().filter(line -> !line.contains(" row ")).toList();
    }

    /** A statement, run as a PreparedStatement with {@code params} when it has any. */
    record Probe(String sql, List<Object> params) {
    }

    /**
     * The file's statements, separated by blank lines; a first line {@code -- params: 1, 'a@x', NULL} makes it a
     * PreparedStatement with those values (numbers bound as bigint, quoted ones as text).
     */
    static List<Probe> statements() throws IOException {
        String text;
        try (InputStream in = AdversarialTwinTest.class.getResourceAsStream("/corpus/users-adversarial.sql")) {
            assertThat(in).as("corpus/users-adversarial.sql on the test class path").isNotNull();
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Probe> out = new ArrayList<>();
        for (String block : text.split("\n\\s*\n")) {
            String sql = block.strip();
            List<Object> params = new ArrayList<>();
            if (sql.startsWith("-- params:")) {
                int nl = sql.indexOf('\n');
                for (String v : sql.substring("-- params:".length(), nl).split(",")) {
                    v = v.strip();
                    params.add(v.equals("NULL") ? null : v.startsWith("'") ? v.substring(1, v.length() - 1) : (Object) Long.valueOf(v));
                }
                sql = sql.substring(nl + 1).strip();
            }
            if (!sql.isEmpty()) {
                out.add(new Probe(sql, params));
            }
        }
        return out;
    }

    private static String state(Connection c, String users, String emails) throws SQLException {
        return "users " + MigrationFixture.rows(c, users) + " email_address " + MigrationFixture.rows(c, emails)
                + " orders " + MigrationFixture.rows(c, "SELECT id, user_id, amount, note FROM orders ORDER BY id")
                + " user_archive " + MigrationFixture.rows(c, "SELECT id, name, email FROM user_archive ORDER BY id, name, email");
    }
}
