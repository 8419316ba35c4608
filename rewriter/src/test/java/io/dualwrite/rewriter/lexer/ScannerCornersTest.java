package io.dualwrite.rewriter.lexer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The corners where a scanner can disagree with PostgreSQL's scan.l (issue 11, class 3). Each
 * expectation is what PostgreSQL 17 does; ScannerOnServerTest (driver) asks a real server for the
 * ones that are cheap to ask.
 */
class ScannerCornersTest {

    private static List<String> significant(String sql, boolean standardConformingStrings) {
        return Lexer.scan(sql, standardConformingStrings).tokens().stream().filter(t -> !t.isTrivia())
                .map(t -> t.kind() + ":" + t.text()).collect(Collectors.toList());
    }

    private static List<String> significant(String sql) {
        return significant(sql, true);
    }

    private static String uncertainty(String sql) {
        return Lexer.scan(sql, true).uncertainty();
    }

    @Test
    void lineCommentEndsAtCarriageReturn() {
        assertThat(significant("SELECT 1; -- c\rUPDATE users")).containsExactly("IDENTIFIER:SELECT", "NUMBER:1",
                "SEMICOLON:;", "IDENTIFIER:UPDATE", "IDENTIFIER:users");
    }

    @Test
    void blockCommentsNestAndSlashStarSlashDoesNotClose() {
        assertThat(significant("a /* x /* y */ z */ b")).containsExactly("IDENTIFIER:a", "IDENTIFIER:b");
        assertThat(significant("a /*/ x */ b")).containsExactly("IDENTIFIER:a", "IDENTIFIER:b");
        assertThat(significant("a /* x */* b */")).containsExactly("IDENTIFIER:a", "OPERATOR:*", "IDENTIFIER:b",
                "OPERATOR:*/");
        assertThat(uncertainty("UPDATE users /* a /* b */")).startsWith("unterminated /*");
    }

    @Test
    void onlyScanLSpacesAreWhitespace() {
        assertThat(significant("users\u2003x")).containsExactly("IDENTIFIER:users\u2003x");
        assertThat(significant("a\u000Bb")).containsExactly("IDENTIFIER:a", "IDENTIFIER:b");
    }

    @Test
    void operatorsEndWhereACommentStarts() {
        assertThat(significant("2 +--c\r1")).containsExactly("NUMBER:2", "OPERATOR:+", "NUMBER:1");
        assertThat(significant("a @/* c */b")).containsExactly("IDENTIFIER:a", "OPERATOR:@", "IDENTIFIER:b");
        assertThat(significant("a <>--1\n2")).containsExactly("IDENTIFIER:a", "OPERATOR:<>", "NUMBER:2");
    }

    @Test
    void standardConformingStringsOffMakesBackslashAnEscape() {
        String sql = "SELECT 'a\\'; UPDATE users SET email = 'x' --'";
        assertThat(significant(sql, true)).contains("IDENTIFIER:UPDATE");
        assertThat(significant(sql, false)).doesNotContain("IDENTIFIER:UPDATE");
        assertThat(significant("N'a\\'b'", false)).containsExactly("STRING:N'a\\'b'");
        assertThat(Lexer.scan("SELECT 'a\\'", false).uncertainty()).startsWith("unterminated");
    }

    @Test
    void escapeStringsTakeTheCharacterAfterABackslash() {
        assertThat(significant("E'a\\'; b' c")).containsExactly("ESCAPE_STRING:E'a\\'; b'", "IDENTIFIER:c");
        assertThat(significant("e'a''b\\\\' c")).containsExactly("ESCAPE_STRING:e'a''b\\\\'", "IDENTIFIER:c");
        assertThat(uncertainty("SELECT E'\\u00'")).contains("invalid Unicode escape");
    }

    @Test
    void bitAndHexStringsEndAtTheFirstQuote() {
        assertThat(significant("B'1''0'")).containsExactly("STRING:B'1'", "STRING:'0'");
        assertThat(significant("X'1\\'", false)).containsExactly("STRING:X'1\\'");
    }

    @Test
    void unicodeNamesAreDecodedWithTheirUescape() {
        assertThat(Lexer.tokenize("U&\"\\0075sers\"").get(0).normalized()).isEqualTo("users");
        assertThat(Lexer.tokenize("u&\"\\+000075sers\"").get(0).normalized()).isEqualTo("users");
        Token withEscape = Lexer.tokenize("U&\"!0075sers\" UESCAPE '!'").get(0);
        assertThat(withEscape.text()).isEqualTo("U&\"!0075sers\" UESCAPE '!'");
        assertThat(withEscape.normalized()).isEqualTo("users");
        assertThat(Lexer.tokenize("U&\"a\"\"b\"").get(0).normalized()).isEqualTo("a\"b");
        assertThat(uncertainty("UPDATE U&\"\\00zzsers\" SET email = 1")).contains("invalid Unicode escape");
        assertThat(uncertainty("UPDATE U&\"!0075sers\" UESCAPE 'a' SET email = 1")).contains("invalid Unicode escape");
        assertThat(uncertainty("UPDATE U&\"x\" UESCAPE 1")).contains("UESCAPE");
        assertThat(Lexer.scan("SELECT U&'x'", false).uncertainty()).contains("U&'");
        assertThat(significant("U&x")).containsExactly("IDENTIFIER:U", "OPERATOR:&", "IDENTIFIER:x");
    }

    @Test
    void dollarQuotesNeedATagThatIsNotAParameter() {
        assertThat(significant("$1$a$")).containsExactly("PARAMETER:$1", "UNTERMINATED:$a$");
        assertThat(significant("$a$ $b$ x $a$ y")).containsExactly("DOLLAR_STRING:$a$ $b$ x $a$", "IDENTIFIER:y");
        assertThat(significant("a$b$ c")).containsExactly("IDENTIFIER:a$b$", "IDENTIFIER:c");
        assertThat(significant("$A$ $a$ $A$")).containsExactly("DOLLAR_STRING:$A$ $a$ $A$");
    }

    @Test
    void keywordsFoldAsciiOnlyAndAnalyseIsAnalyze() {
        Token analyse = Lexer.tokenize("ANALYSE").get(0);
        assertThat(analyse.is("analyze")).isTrue();
        assertThat(Lexer.tokenize("\u0131nsert").get(0).is("insert")).as("dotless i is not I to PostgreSQL").isFalse();
        assertThat(Lexer.tokenize("LOC\u212A").get(0).normalized()).isEqualTo("loc\u212A");
        assertThat(Lexer.tokenize("\"UPDATE\"").get(0).is("update")).as("a quoted name is never a keyword").isFalse();
        String longName = "u".repeat(70);
        assertThat(Lexer.tokenize(longName).get(0).normalized()).hasSize(63);
    }

    @Test
    void numbersAsPostgreSql17ReadsThem() {
        assertThat(significant("0x1F 0o17 0b101 1_000 1.5e-3 .5 1..2")).containsExactly("NUMBER:0x1F", "NUMBER:0o17",
                "NUMBER:0b101", "NUMBER:1_000", "NUMBER:1.5e-3", "NUMBER:.5", "NUMBER:1", "PUNCTUATION:..",
                "NUMBER:2");
        assertThat(uncertainty("SELECT 1.e")).contains("trailing junk");
        assertThat(uncertainty("SELECT 1from users")).contains("trailing junk");
        assertThat(uncertainty("SELECT 0xg")).contains("trailing junk");
        assertThat(uncertainty("SELECT 1e+")).contains("trailing junk");
        assertThat(uncertainty("SELECT $1a")).contains("trailing junk");
        // read otherwise by PostgreSQL 14 and 15: 0 AS x1F, 1 AS _000
        assertThat(uncertainty("SELECT 0x1F")).contains("0x literal");
        assertThat(uncertainty("SELECT 0o17")).contains("0o literal");
        assertThat(uncertainty("SELECT 1_000")).contains("underscore");
        assertThat(uncertainty("SELECT 1.5e-3 + .5")).isNull();
    }

    @Test
    void jsonQuestionMarksAsPgJdbcSeesThem() {
        assertThat(significant("j ?? 'a' AND j ?| b AND x = ?")).containsExactly("IDENTIFIER:j", "OPERATOR:??",
                "STRING:'a'", "IDENTIFIER:AND", "IDENTIFIER:j", "OPERATOR:?|", "IDENTIFIER:b", "IDENTIFIER:AND",
                "IDENTIFIER:x", "OPERATOR:=", "PARAMETER:?");
        assertThat(uncertainty("SELECT j ?? 'a' FROM users WHERE x = ?")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT 1 /*/ ; UPDATE users SET email = 'x'; -- */",
        "SELECT a[1; UPDATE users SET email = 'x' --]",
        "SELECT 1); UPDATE users SET email = 'x'",
        "SELECT (1; UPDATE users SET email = 'x'",
        "SET standard_conforming_strings = off; UPDATE users SET email = 'a\\' WHERE id = 1",
        "SELECT 'a'E'\\'; UPDATE users SET email = 1 --'",
        "UPDATE users SET email = {fn lcase('X')}",
        "UPDATE users SET email = 'x\u0000'",
        "UPDATE users SET email = 'open"
    })
    void uncertainReadings(String sql) {
        assertThat(uncertainty(sql)).as(sql).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "UPDATE users SET email = 'a\\b' WHERE id = 1",
        "SELECT 1; UPDATE users SET email = E'a\\'b' WHERE id = 1",
        "UPDATE users SET email = $$a;b$$ WHERE id = (SELECT 1)",
        "CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1)",
        "SELECT 1 /*/ */; UPDATE users SET email = 'x'"
    })
    void certainReadings(String sql) {
        assertThat(uncertainty(sql)).as(sql).isNull();
    }
}
