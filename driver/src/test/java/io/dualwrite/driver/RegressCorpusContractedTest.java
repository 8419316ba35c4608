package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.PhaseLog;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.rewrite.StatementRewriter;
import io.dualwrite.testing.Corpus;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The rewriter's {@code CorpusTest} pretends tables of PostgreSQL's regression SQL are migrating; this
 * runs those statements on a database. {@code tenk1.stringu1} and {@code onek.stringu1} move to
 * {@code tenk1_new(k, v, is_primary)} and {@code onek_new}: every regression statement naming
 * {@code tenk1} or {@code onek} runs plainly with PgJDBC on a twin that has the columns and through
 * dualwrite in CONTRACTED on one that dropped them ({@link TwinRun}). The tables are the regression
 * suite's (same columns, types and indexes) with generated rows, not its data files: the corpus ships
 * none, and the twins only need to hold the same rows.
 */
@ExtendWith(PostgresExtension.class)
class RegressCorpusContractedTest {

    /** Regression SQL whose translated outcome still differs from the plain one → why. */
    static final Map<String, String> KNOWN_DIFFERENCES = Map.of();

    private static final List<String> MIGRATED = List.of("tenk1", "onek");

    private static final List<String> COLUMNS = List.of("unique1", "unique2", "two", "four", "ten", "twenty",
            "hundred", "thousand", "twothousand", "fivethous", "tenthous", "odd", "even", "stringu1", "stringu2",
            "string4");

    /** The regression suite's tables that the statements on tenk1 and onek read most, as test_setup.sql has them. */
    private static final String SCHEMA = """
            CREATE FUNCTION pg_temp.letters(n int) RETURNS name LANGUAGE sql IMMUTABLE
              AS $$ SELECT (chr(65 + n % 26) || chr(65 + n / 26 % 26) || chr(65 + n / 676 % 26) || 'AAAxxx')::name $$;
            CREATE TABLE tenk1 (unique1 int4, unique2 int4, two int4, four int4, ten int4, twenty int4, hundred int4,
              thousand int4, twothousand int4, fivethous int4, tenthous int4, odd int4, even int4, stringu1 name,
              stringu2 name, string4 name);
            INSERT INTO tenk1 SELECT u1, u2, u1 % 2, u1 % 4, u1 % 10, u1 % 20, u1 % 100, u1 % 1000, u1 % 2000, u1 % 5000,
              u1, (u1 % 100) * 2 + 1, (u1 % 100) * 2, pg_temp.letters(u1), pg_temp.letters(u2),
              (ARRAY['AAAAxx', 'HHHHxx', 'OOOOxx', 'VVVVxx'])[u2 % 4 + 1]::name
              FROM (SELECT (i * 7919) % 10000 AS u1, i AS u2 FROM generate_series(0, 9999) i) g;
            CREATE TABLE onek (LIKE tenk1);
            INSERT INTO onek SELECT * FROM tenk1 WHERE unique1 < 1000;
            CREATE TABLE tenk2 AS SELECT * FROM tenk1;
            CREATE TABLE onek2 AS SELECT * FROM onek;
            CREATE UNIQUE INDEX tenk1_unique1 ON tenk1 (unique1);
            CREATE INDEX tenk1_unique2 ON tenk1 (unique2);
            CREATE INDEX tenk1_hundred ON tenk1 (hundred);
            CREATE INDEX tenk1_thous_tenthous ON tenk1 (thousand, tenthous);
            CREATE UNIQUE INDEX onek_unique1 ON onek (unique1);
            CREATE INDEX onek_unique2 ON onek (unique2);
            CREATE INDEX onek_hundred ON onek (hundred);
            CREATE INDEX onek_stringu1 ON onek (stringu1);
            CREATE TABLE int4_tbl (f1 int4);
            INSERT INTO int4_tbl VALUES (0), (123456), (-123456), (2147483647), (-2147483647);
            CREATE TABLE int8_tbl (q1 int8, q2 int8);
            INSERT INTO int8_tbl VALUES (123, 456), (123, 4567890123456789), (4567890123456789, 123),
              (4567890123456789, 4567890123456789), (4567890123456789, -4567890123456789);
            CREATE TABLE int2_tbl (f1 int2);
            INSERT INTO int2_tbl VALUES (0), (1234), (-1234), (32767), (-32767);
            CREATE TABLE float8_tbl (f1 float8);
            INSERT INTO float8_tbl VALUES (0.0), (-34.84), (-1004.30), (-1.2345678901234e+200), (-1.2345678901234e-200);
            CREATE TABLE text_tbl (f1 text);
            INSERT INTO text_tbl VALUES ('doh!'), ('hi de ho neighbor');
            ANALYZE;
            """;

    /** Every other table the statements may write, whole. */
    private static final String OTHERS = """
            SELECT concat_ws('|',
              (SELECT (count(*), sum(hashtext(t::text)))::text FROM tenk2 t),
              (SELECT (count(*), sum(hashtext(t::text)))::text FROM onek2 t),
              (SELECT (count(*), sum(hashtext(t::text)))::text FROM int4_tbl t),
              (SELECT (count(*), sum(hashtext(t::text)))::text FROM int8_tbl t),
              (SELECT (count(*), sum(hashtext(t::text)))::text FROM int2_tbl t),
              (SELECT (count(*), sum(hashtext(t::text)))::text FROM float8_tbl t),
              (SELECT (count(*), sum(hashtext(t::text)))::text FROM text_tbl t))""";

    @Test
    void regressionStatementsOnMigratingTablesBehaveAsOnTheOriginalSchemaOrAreRefused(TestDatabase db) throws Exception {
        List<MigrationSpec> specs = MIGRATED.stream().map(RegressCorpusContractedTest::spec).toList();
        StatementRewriter rewriter = new StatementRewriter(
                specs.stream().map(s -> new SourceTable(s, COLUMNS, "name", null)).toList());
        List<String> statements = statementsNaming(MIGRATED);
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            plainDb.execute(SCHEMA);
            db.execute(SCHEMA);
            contract(db, specs);
            try (TwinRun run = new TwinRun("RegressCorpusContractedTest CONTRACTED", () -> timed(plainDb.connect()),
                    () -> timed(db.connectDualwrite()), c -> state(c, true), c -> state(c, false), KNOWN_DIFFERENCES)) {
                int n = 0;
                for (String sql : statements) {
                    boolean rewritten = rewriter.plan(sql).forPhase(Phase.CONTRACTED) instanceof Rewrite.Rewritten;
                    run.compare("regression statement #" + n++, sql, List.of(), rewritten);
                }
                run.report();
                assertThat(run.translated()).as("translated").isGreaterThanOrEqualTo(60);
            }
        }
    }

    private static MigrationSpec spec(String table) {
        return new MigrationSpec("public", table, "unique1", "stringu1", "public", table + "_new", "k", "v",
                "is_primary", ControlSchema.syncViewName(table, "stringu1"));
    }

    /** Target tables filled as after a backfill, then the way {@code dualwrite contract} leaves them. */
    private static void contract(TestDatabase db, List<MigrationSpec> specs) throws SQLException {
        for (MigrationSpec s : specs) {
            String t = s.sourceTable();
            db.execute("CREATE TABLE " + t + "_new (k int4 NOT NULL, v name NOT NULL, is_primary boolean NOT NULL"
                    + " DEFAULT false); CREATE UNIQUE INDEX ON " + t + "_new (k) WHERE is_primary;"
                    + " INSERT INTO " + t + "_new SELECT unique1, stringu1, true FROM " + t + " WHERE stringu1 IS NOT NULL;"
                    + " ANALYZE " + t + "_new");
        }
        try (Connection c = db.connect()) {
            for (MigrationSpec s : specs) {
                ControlSchema.register(c, s);
                MigrationFixture.moveTo(c, s.name(), Phase.READ_NEW);
                ControlSchema.recordSourceColumns(c, s, false);
                try (Statement st = c.createStatement()) {
                    st.execute("ALTER TABLE " + s.sourceTable() + " DROP COLUMN stringu1");
                }
                try (PreparedStatement p = c.prepareStatement(
                        "UPDATE dualwrite.migration SET phase = 'CONTRACTED', phase_changed_at = now() WHERE name = ?")) {
                    p.setString(1, s.name());
                    p.executeUpdate();
                }
                PhaseLog.notifyFleet(c, s.name());
            }
        }
    }

    /** A statement that runs away on one twin (a translated plan gone wrong) fails with 57014 instead of hanging. */
    private static Connection timed(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET statement_timeout = '20s'");
        }
        return c;
    }

    /** Each migrated table without its old column, its old column (plain) or primary target rows (dual), the others. */
    private static String state(Connection c, boolean plain) throws SQLException {
        StringBuilder b = new StringBuilder();
        for (String t : MIGRATED) {
            String kept = String.join(", ", COLUMNS.stream().filter(col -> !col.equals("stringu1")).toList());
            b.append(t).append(' ').append(MigrationFixture.rows(c, "SELECT count(*), sum(hashtext(row(" + kept
                    + ")::text)) FROM " + t));
            String values = plain
                    ? "SELECT count(*), sum(hashtext(unique1 || ':' || stringu1)), 0 FROM " + t + " WHERE stringu1 IS NOT NULL"
                    : "SELECT count(*), sum(hashtext(k || ':' || v)), (SELECT count(*) FROM " + t + "_new WHERE NOT is_primary)"
                            + " FROM " + t + "_new WHERE is_primary";
            b.append(" values ").append(MigrationFixture.rows(c, values)).append(' ');
        }
        return b.append("others ").append(MigrationFixture.rows(c, OTHERS)).toString();
    }

    /** Every statement of the regression corpus that names one of {@code tables}, in file order. */
    private static List<String> statementsNaming(List<String> tables) throws Exception {
        List<String> out = new ArrayList<>();
        for (Path f : Corpus.postgresRegress()) {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            for (List<Token> st : Statements.split(Lexer.tokenize(text))) {
                List<Token> sig = Statements.significant(st);
                if (sig.stream().anyMatch(t -> t.isName() && tables.contains(t.normalized()))) {
                    out.add(text.substring(sig.get(0).start(), sig.get(sig.size() - 1).end()));
                }
            }
        }
        return out;
    }
}
