package io.dualwrite.driver;

import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Scan;
import io.dualwrite.rewriter.lexer.TokenKind;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

/**
 * Asks a real PostgreSQL how it reads each lexical corner of issue 11 (a query whose result
 * depends on the reading), next to how the rewriter's lexer reads the same text: the significant
 * tokens, or "uncertain" where the lexer must not trust its reading.
 */
@ExtendWith(PostgresExtension.class)
class ScannerOnServerTest {

    /**
     * {@code server}: the first column of the first row, or the SQLState of the error, on PostgreSQL {@code since}
     * and later; {@code serverBefore} on older servers (the scanner changed in 15 and 16).
     */
    record Case(String sql, boolean standardConformingStrings, String server, String lexer, int since, String serverBefore) {

        Case(String sql, boolean standardConformingStrings, String server, String lexer) {
            this(sql, standardConformingStrings, server, lexer, 0, null);
        }

        String serverOn(int major) {
            return major >= since ? server : serverBefore;
        }
    }

    private static final List<Case> CASES = List.of(
            new Case("SELECT 1 -- ends at a carriage return\r+ 1", true, "2", "SELECT|1|+|1"),
            new Case("SELECT 2 +--c\r1", true, "3", "SELECT|2|+|1"),
            new Case("SELECT 1 /* a /* nested */ still */ + 1", true, "2", "SELECT|1|+|1"),
            new Case("SELECT 1 /*/ not closed */ + 1", true, "2", "SELECT|1|+|1"),
            new Case("SELECT 'a\\'", true, "a\\", "SELECT|'a\\'"),
            new Case("SELECT 'a\\'b'", false, "a'b", "SELECT|'a\\'b'"),
            new Case("SELECT N'a\\'b'", false, "a'b", "SELECT|N'a\\'b'"),
            new Case("SELECT E'a\\'b''c'", true, "a'b'c", "SELECT|E'a\\'b''c'"),
            new Case("SELECT 'a'\n'b'", true, "ab", "SELECT|'a'\n'b'"),
            new Case("SELECT E'a\\n' -- c\r\n 'b'", true, "a\nb", "SELECT|E'a\\n' -- c\r\n 'b'"),
            new Case("SELECT 'a' /* c */\n'b'", true, "42601", "SELECT|'a'|'b'"),
            new Case("SELECT B'1''0'", true, "42601", "SELECT|B'1'|'0'"),
            new Case("SELECT U&'\\0061'", false, "0A000", "uncertain"),
            new Case("SELECT U&\"\\0061\" FROM (SELECT 7 AS a) t", true, "7", "SELECT|a|FROM|(|SELECT|7|AS|a|)|t"),
            new Case("SELECT U&\"!0061\" UESCAPE '!' FROM (SELECT 7 AS a) t", true, "7", "SELECT|a|FROM|(|SELECT|7|AS|a|)|t"),
            new Case("SELECT U&\"\\00zz\"", true, "42601", "uncertain"),
            new Case("SELECT $a$ $b$ $a$", true, " $b$ ", "SELECT|$a$ $b$ $a$"),
            new Case("SELECT 0x1F + 1_000", true, "1031", "uncertain", 16, "42601"),
            new Case("SELECT 1.e", true, "42601", "uncertain", 15, "1"),
            new Case("SELECT 1from (SELECT 1) t", true, "42601", "uncertain", 15, "1"),
            new Case("SELECT 'x' AS users\u2003x", true, "x", "SELECT|'x'|AS|users\u2003x"),
            new Case("SELECT '{\"a\":1}'::jsonb ?? 'a'", true, "t", "SELECT|'{\"a\":1}'|::|jsonb|??|'a'"),
            new Case("SELECT 1 /* open", true, "42601", "uncertain"));

    @Test
    void theLexerReadsEachCornerAsTheServerDoes(TestDatabase db) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            int major = c.getMetaData().getDatabaseMajorVersion();
            assertSoftly(soft -> {
                for (Case k : CASES) {
                    soft.assertThat(server(s, k)).as("server " + major + ": " + k.sql()).isEqualTo(k.serverOn(major));
                    soft.assertThat(lexer(k)).as("lexer: " + k.sql()).isEqualTo(k.lexer());
                }
            });
        }
    }

    @Test
    void explainAnalyseIsAnalyze(TestDatabase db) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t(x int)");
            s.execute("EXPLAIN ANALYSE INSERT INTO t VALUES (1)");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
                rs.next();
                assertThat(rs.getInt(1)).as("EXPLAIN ANALYSE ran the INSERT").isEqualTo(1);
            }
        }
        assertThat(Lexer.tokenize("ANALYSE").get(0).is("analyze")).isTrue();
    }

    private static String server(Statement s, Case k) {
        try {
            s.execute("SET standard_conforming_strings = " + (k.standardConformingStrings() ? "on" : "off"));
            try (ResultSet rs = s.executeQuery(k.sql())) {
                rs.next();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    private static String lexer(Case k) {
        Scan scan = Lexer.scan(k.sql(), k.standardConformingStrings());
        if (!scan.certain()) {
            return "uncertain";
        }
        return scan.tokens().stream().filter(t -> !t.isTrivia())
                .map(t -> t.kind() == TokenKind.QUOTED_IDENTIFIER ? t.normalized() : t.text()).collect(Collectors.joining("|"));
    }
}
