package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.rewrite.StatementRewriter;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Corpus acceptance: every statement touching {@code users} (hand-written in
 * {@code corpus/users-hand-written.sql}, plus generated variants: shapes × spellings of the table
 * × comments and dollar quotes × literal forms, plus PreparedStatements) runs through the
 * dualwrite driver in phase DUAL_WRITE, each in its own transaction that is rolled back. It must
 * either succeed and leave parity 0 (primary email_address rows equal users.email, no orphaned
 * primary rows), or be refused with SQLState 0A000 and a reason naming its shape, leaving the
 * tables unchanged. Nothing may reach the database unsynchronised.
 */
@ExtendWith(PostgresExtension.class)
class CorpusOnDatabaseTest {

    enum Expect { WRITE, PASS, REFUSE }

    record Case(String name, Expect expect, String refusal, String sql, List<?> params) {
        @Override
        public String toString() {
            return name + " [" + sql.replaceAll("\\s+", " ") + "]";
        }
    }

    /** Rows whose users.email and primary email_address row differ, plus primary rows without a user. */
    /** Everything the corpus may touch, as one hash. */
    private static final String CONTENT = """
            SELECT md5(coalesce((SELECT string_agg(id || ':' || coalesce(name, '~') || ':' || coalesce(email, '~'), ','
                                   ORDER BY id) FROM users), '')
                 || '|' || coalesce((SELECT string_agg(user_id || ':' || address || ':' || is_primary, ','
                                   ORDER BY user_id, address, is_primary) FROM email_address), '')
                 || '|' || coalesce((SELECT string_agg(id || ':' || coalesce(note, '~'), ',' ORDER BY id) FROM orders), ''))""";

    /** How the table may be written. */
    private static final String[] SPELLINGS = {"users", "\"users\"", "public.users", "USERS", "\"public\".\"users\"",
        "Public.Users"};

    /** Email literals: plain, dollar-quoted, tagged dollar quote with a quote inside, E-string. */
    private static final String[] LITERALS = {"'gen@example.com'", "$$gen;@example.com$$", "$q$it's@example.com$q$",
        "E'esc\\'d@example.com'"};

    /**
     * Shapes with {T} = the table as written, {E} = an email literal, {N} = a fresh id. The
     * expectation is the first word before '|'.
     */
    private static final String[] TEMPLATES = {
        "write|INSERT INTO {T} (id, name, email) VALUES ({N}, 'n', {E})",
        "write|INSERT INTO {T} (id, name, email) VALUES ({N}, 'a', {E}), ({N}1, 'b', NULL), ({N}2, 'c', upper({E}))",
        "write|INSERT INTO {T} VALUES ({N}, 'no column list', {E})",
        "write|INSERT INTO {T} (id, email) SELECT id + {N}, email FROM users WHERE email IS NOT NULL",
        "write|INSERT INTO {T} (id, email) VALUES (1, {E}) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email",
        "write|INSERT INTO {T} AS u (id, email) VALUES (2, {E}), ({N}, NULL) ON CONFLICT (id) DO UPDATE"
                + " SET email = EXCLUDED.email WHERE u.email IS DISTINCT FROM EXCLUDED.email",
        "write|INSERT INTO {T} (id, email) VALUES (3, {E}), ({N}, {E}) ON CONFLICT DO NOTHING",
        "write|INSERT INTO {T} (id, email) VALUES ({N}, {E}) RETURNING id, email",
        "write|UPDATE {T} SET email = {E} WHERE id = 1",
        "write|UPDATE {T} u SET email = {E} WHERE u.id = 2",
        "write|UPDATE {T} AS u SET email = upper(o.note) FROM orders o WHERE o.user_id = u.id AND o.note IS NOT NULL",
        "write|UPDATE {T} SET email = CASE WHEN email IS NULL THEN {E} ELSE lower(email) END",
        "write|UPDATE {T} SET email = NULL WHERE email IS NULL OR id = 4",
        "write|UPDATE {T} SET email = (SELECT max(note) FROM orders WHERE orders.user_id = 2)"
                + " WHERE id IN (SELECT user_id FROM orders)",
        "write|UPDATE {T} SET (name, email) = ('r', {E}) WHERE id = 5 RETURNING *",
        "write|UPDATE {T} SET email = lower(email) || {E} WHERE email ~* 'EXAMPLE'",
        "write|DELETE FROM {T} WHERE id = 2",
        "write|DELETE FROM {T} u USING orders o WHERE o.user_id = u.id AND o.amount > 6",
        "write|DELETE FROM {T} WHERE email IS NULL RETURNING id",
        "write|WITH s AS (SELECT 4 AS id) DELETE FROM {T} WHERE id IN (SELECT id FROM s)",
        "write|WITH s AS (SELECT {N} AS id, {E} AS m) INSERT INTO {T} (id, email) SELECT id, m FROM s",
        "write|TRUNCATE {T}",
        "write|UPDATE {T} SET email = {E} WHERE id = 1; DELETE FROM {T} WHERE id = 2",
        "pass|UPDATE {T} SET name = {E} WHERE id = 1",
        "refuse:MERGE|MERGE INTO {T} u USING orders o ON o.user_id = u.id WHEN MATCHED THEN UPDATE SET (id, email) = (o.id + 1000, o.note)",
        "refuse:COPY|COPY {T} (id, email) FROM STDIN",
        "refuse:sets the key column|UPDATE {T} SET (id, email) = (id + 100, {E})",
        "write|UPDATE {T} SET id = id, email = {E} WHERE id = 3",
    };

    /** Decorations: none, leading block comment naming users, trailing line comment, trailing ; and comment. */
    private static String decorate(String sql, int style) {
        return switch (style) {
            case 0 -> sql;
            case 1 -> "/* users; UPDATE users SET email = 1 */ " + sql;
            case 2 -> sql + " -- users; trailing";
            default -> "\n  " + sql + ";\n/* done */";
        };
    }

    static List<Case> corpus() throws IOException {
        List<Case> out = new ArrayList<>(handWritten());
        int n = 0;
        for (String template : TEMPLATES) {
            String expectText = template.substring(0, template.indexOf('|'));
            String body = template.substring(template.indexOf('|') + 1);
            for (int i = 0; i < SPELLINGS.length; i++) {
                int id = 200 + 10 * n;
                String sql = body.replace("{T}", SPELLINGS[i]).replace("{E}", LITERALS[(i + n) % LITERALS.length])
                        .replace("{N}", Integer.toString(id));
                sql = decorate(sql, (i + 2 * n) % 4);
                out.add(new Case("generated #" + n, expectOf(expectText), refusalOf(expectText), sql, List.of()));
                n++;
            }
        }
        out.addAll(prepared());
        return out;
    }

    private static List<Case> prepared() {
        return List.of(
                new Case("prepared UPDATE", Expect.WRITE, null, "UPDATE users SET email = ? WHERE id = ?",
                        List.of("p@x", 1L)),
                new Case("prepared UPDATE to NULL", Expect.WRITE, null, "UPDATE users SET email = ? WHERE id = ?",
                        Arrays.asList(null, 2L)),
                new Case("prepared INSERT multi-row", Expect.WRITE, null,
                        "INSERT INTO users (id, email) VALUES (?, ?), (?, ?)", Arrays.asList(400L, "a@x", 401L, null)),
                new Case("prepared DELETE RETURNING", Expect.WRITE, null, "DELETE FROM users WHERE id = ? RETURNING id",
                        List.of(1L)),
                new Case("prepared upsert", Expect.WRITE, null,
                        "INSERT INTO users (id, email) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email",
                        List.of(4L, "upsert@x")),
                new Case("prepared UPDATE with IS NULL", Expect.WRITE, null,
                        "UPDATE users SET email = ? WHERE email IS NULL AND id = ?", List.of("was-null@x", 3L)),
                new Case("prepared own WITH", Expect.WRITE, null,
                        "WITH s AS (SELECT ?::bigint AS id) UPDATE users SET email = ? WHERE id IN (SELECT id FROM s)",
                        List.of(5L, "with@x")),
                new Case("prepared several statements", Expect.WRITE, null,
                        "UPDATE users SET email = ? WHERE id = ?; DELETE FROM users WHERE id = ?", List.of("m@x", 1L, 2L)),
                new Case("prepared MERGE", Expect.REFUSE, "MERGE",
                        "MERGE INTO users u USING (SELECT ?::bigint AS id) s ON s.id = u.id WHEN MATCHED THEN UPDATE SET (id) = ROW(s.id + 1000)",
                        List.of(1L)));
    }

    private static Expect expectOf(String text) {
        return text.startsWith("refuse") ? Expect.REFUSE : Expect.valueOf(text.toUpperCase(Locale.ROOT));
    }

    private static String refusalOf(String text) {
        return text.startsWith("refuse:") ? text.substring("refuse:".length()) : null;
    }

    private static List<Case> handWritten() throws IOException {
        String text;
        try (InputStream in = CorpusOnDatabaseTest.class.getResourceAsStream("/corpus/users-hand-written.sql")) {
            assertThat(in).as("corpus/users-hand-written.sql on the test class path").isNotNull();
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Case> out = new ArrayList<>();
        String header = null;
        StringBuilder sql = new StringBuilder();
        for (String line : (text + "\n### end").split("\n", -1)) {
            if (line.startsWith("### ")) {
                if (header != null) {
                    String h = header.substring(4);
                    int sp = h.indexOf(' ');
                    Expect e = Expect.valueOf(h.substring(0, sp).toUpperCase(Locale.ROOT));
                    String rest = h.substring(sp + 1);
                    out.add(new Case(rest, e, e == Expect.REFUSE ? rest : null, sql.toString().strip(), List.of()));
                }
                header = line;
                sql.setLength(0);
            } else if (header != null) {
                sql.append(line).append('\n');
            }
        }
        return out;
    }

    @Test
    void everyStatementIsRewrittenAndInParityOrRefusedUnchanged(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        StatementRewriter rewriter = new StatementRewriter(
                List.of(new SourceTable(MigrationFixture.SPEC, List.of("id", "name", "email"))));
        List<Case> corpus = corpus();
        int rewritten = 0;
        int passed = 0;
        int refused = 0;
        List<String> failures = new ArrayList<>();
        Connection c = db.connectDualwrite();
        try {
            c.setAutoCommit(false);
            String initial = queryString(c, CONTENT);
            assertThat(queryLong(c, MigrationFixture.PARITY)).as("parity before the corpus").isZero();
            c.rollback();
            for (Case k : corpus) {
                Rewrite planned = rewriter.plan(k.sql()).forPhase(Phase.DUAL_WRITE);
                try {
                    execute(c, k);
                    long parity = queryLong(c, MigrationFixture.PARITY);
                    if (parity != 0) {
                        failures.add("UNSYNCHRONISED (parity " + parity + ", plan " + kindOf(planned) + "): " + k);
                    } else if (k.expect() == Expect.REFUSE) {
                        failures.add("expected a refusal, but it ran (plan " + kindOf(planned) + "): " + k);
                    } else if (k.expect() == Expect.WRITE && !(planned instanceof Rewrite.Rewritten)) {
                        failures.add("expected a rewrite, plan is " + kindOf(planned) + ": " + k);
                    } else if (planned instanceof Rewrite.Rewritten) {
                        rewritten++;
                    } else {
                        passed++;
                    }
                } catch (SQLException e) {
                    if (!"0A000".equals(e.getSQLState())) {
                        failures.add("failed with " + e.getSQLState() + " " + e.getMessage() + ": " + k);
                    } else {
                        c.rollback(); // nothing ran, but start the check from a clean transaction anyway
                        String after = queryString(c, CONTENT);
                        if (!after.equals(initial)) {
                            failures.add("refused but the tables changed: " + k);
                        } else if (k.expect() != Expect.REFUSE) {
                            failures.add("unexpected refusal " + e.getMessage() + ": " + k);
                        } else if (!e.getMessage().contains(k.refusal())) {
                            failures.add("refusal does not name the shape '" + k.refusal() + "': " + e.getMessage());
                        } else if (!TwinRun.refusedByDualwrite(e)) {
                            failures.add("not dualwrite's refusal (the driver's quotes the statement, a guard's says so): " + e.getMessage());
                        } else {
                            refused++;
                        }
                    }
                } finally {
                    if (c.isClosed()) {
                        failures.add("the connection was closed after: " + k);
                        c = db.connectDualwrite();
                        c.setAutoCommit(false);
                    } else {
                        c.rollback();
                    }
                }
            }
            assertThat(queryString(c, CONTENT)).as("every statement was rolled back").isEqualTo(initial);
        } finally {
            c.close();
        }
        failures.forEach(f -> System.out.println("CorpusOnDatabaseTest failure: " + f));
        System.out.printf("CorpusOnDatabaseTest: %d statements: %d rewritten (parity 0), %d passed through unchanged"
                + " (parity 0), %d refused (0A000, tables unchanged)%n", corpus.size(), rewritten, passed, refused);
        assertThat(failures).as("corpus failures").isEmpty();
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(200);
        assertThat(rewritten + passed + refused).isEqualTo(corpus.size());
    }

    private static String kindOf(Rewrite r) {
        return r instanceof Rewrite.Rewritten w ? w.kind().toString() : r.getClass().getSimpleName();
    }

    private static void execute(Connection c, Case k) throws SQLException {
        if (k.params().isEmpty()) {
            try (Statement st = c.createStatement()) {
                drain(st, st.execute(k.sql()));
            }
        } else {
            try (PreparedStatement ps = c.prepareStatement(k.sql())) {
                MigrationFixture.bind(ps, k.params());
                drain(ps, ps.execute());
            }
        }
    }

    private static void drain(Statement st, boolean isResultSet) throws SQLException {
        boolean rs = isResultSet;
        while (true) {
            if (rs) {
                try (ResultSet r = st.getResultSet()) {
                    while (r.next()) {
                        r.getString(1);
                    }
                }
            } else if (st.getUpdateCount() == -1) {
                return;
            }
            rs = st.getMoreResults();
        }
    }

    private static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String queryString(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
