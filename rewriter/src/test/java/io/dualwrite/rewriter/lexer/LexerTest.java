package io.dualwrite.rewriter.lexer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LexerTest {

    private static List<String> kinds(String sql) {
        return Lexer.tokenize(sql).stream().filter(t -> !t.isTrivia())
                .map(t -> t.kind() + ":" + t.text()).collect(Collectors.toList());
    }

    private static Token only(String sql) {
        List<Token> tokens = Lexer.tokenize(sql);
        assertThat(tokens).hasSize(1);
        return tokens.get(0);
    }

    @Test
    void whitespaceAndComments() {
        assertThat(Lexer.tokenize(" \t\n").get(0).kind()).isEqualTo(TokenKind.WHITESPACE);
        assertThat(kindsWithTrivia("a -- c ' \"\nb")).containsExactly(
                "IDENTIFIER:a", "WHITESPACE: ", "LINE_COMMENT:-- c ' \"", "WHITESPACE:\n", "IDENTIFIER:b");
        assertThat(only("/* a /* nested */ still ' comment */").kind()).isEqualTo(TokenKind.BLOCK_COMMENT);
    }

    private static List<String> kindsWithTrivia(String sql) {
        return Lexer.tokenize(sql).stream().map(t -> t.kind() + ":" + t.text()).collect(Collectors.toList());
    }

    @Test
    void strings() {
        assertThat(only("'it''s -- not a comment'").kind()).isEqualTo(TokenKind.STRING);
        assertThat(only("E'it\\'s \\\\'").kind()).isEqualTo(TokenKind.ESCAPE_STRING);
        assertThat(only("e'a''b'").kind()).isEqualTo(TokenKind.ESCAPE_STRING);
        assertThat(only("U&'d\\0061t''a'").kind()).isEqualTo(TokenKind.UNICODE_STRING);
        assertThat(only("U&\"d\\0061t\"").kind()).isEqualTo(TokenKind.QUOTED_IDENTIFIER);
        assertThat(only("B'1010'").kind()).isEqualTo(TokenKind.STRING);
        assertThat(only("X'1F'").kind()).isEqualTo(TokenKind.STRING);
        assertThat(only("N'nat'").kind()).isEqualTo(TokenKind.STRING);
    }

    /** scan.l's quotecontinue: parts separated by whitespace with a newline (and line comments) are one literal. */
    @Test
    void aStringGoesOnAfterANewline() {
        assertThat(only("'ann@'\n'example.com'").kind()).isEqualTo(TokenKind.STRING);
        assertThat(only("E'a\\''  -- c\n \r\n  'b'").kind()).isEqualTo(TokenKind.ESCAPE_STRING);
        assertThat(only("B'10' \t\n'01'").kind()).isEqualTo(TokenKind.STRING);
        assertThat(kinds("SELECT 'a' 'b'")).as("no newline: two literals (PostgreSQL: a syntax error)")
                .containsExactly("IDENTIFIER:SELECT", "STRING:'a'", "STRING:'b'");
        assertThat(kinds("SELECT 'a' /* c */\n'b'")).as("a block comment ends the literal")
                .containsExactly("IDENTIFIER:SELECT", "STRING:'a'", "STRING:'b'");
        assertThat(kinds("SELECT $$a$$\n'b'")).containsExactly("IDENTIFIER:SELECT", "DOLLAR_STRING:$$a$$", "STRING:'b'");
    }

    @Test
    void dollarQuotes() {
        assertThat(only("$$ it's ; -- $ $$").kind()).isEqualTo(TokenKind.DOLLAR_STRING);
        assertThat(only("$fn$ select $$x$$; $fn$").kind()).isEqualTo(TokenKind.DOLLAR_STRING);
        assertThat(kinds("$a$x$a$ $b$")).containsExactly("DOLLAR_STRING:$a$x$a$", "UNTERMINATED:$b$");
    }

    @Test
    void quotedIdentifiers() {
        assertThat(only("\"we\"\"ird; name\"").kind()).isEqualTo(TokenKind.QUOTED_IDENTIFIER);
        assertThat(only("\"we\"\"ird\"").normalized()).isEqualTo("we\"ird");
    }

    @Test
    void identifiersKeepDollarSigns() {
        assertThat(kinds("SELECT a$b, _x1 FROM T")).containsExactly("IDENTIFIER:SELECT", "IDENTIFIER:a$b",
                "PUNCTUATION:,", "IDENTIFIER:_x1", "IDENTIFIER:FROM", "IDENTIFIER:T");
    }

    @Test
    void numbers() {
        assertThat(kinds("1 1.5 .5 1e10 1.5E-3 0x1F 1_000")).containsExactly("NUMBER:1", "NUMBER:1.5",
                "NUMBER:.5", "NUMBER:1e10", "NUMBER:1.5E-3", "NUMBER:0x1F", "NUMBER:1_000");
        assertThat(kinds("a[1:2]")).containsExactly("IDENTIFIER:a", "PUNCTUATION:[", "NUMBER:1",
                "PUNCTUATION::", "NUMBER:2", "PUNCTUATION:]");
    }

    @Test
    void parameters() {
        assertThat(kinds("id=? AND x = $12")).containsExactly("IDENTIFIER:id", "OPERATOR:=", "PARAMETER:?",
                "IDENTIFIER:AND", "IDENTIFIER:x", "OPERATOR:=", "PARAMETER:$12");
        assertThat(kinds("(?,?)")).containsExactly("PUNCTUATION:(", "PARAMETER:?", "PUNCTUATION:,",
                "PARAMETER:?", "PUNCTUATION:)");
    }

    @Test
    void operators() {
        assertThat(kinds("j ?| a")).contains("OPERATOR:?|");
        assertThat(kinds("j ?& a")).contains("OPERATOR:?&");
        assertThat(kinds("j ?? 'k'")).contains("OPERATOR:??");
        assertThat(kinds("x::int")).containsExactly("IDENTIFIER:x", "OPERATOR:::", "IDENTIFIER:int");
        assertThat(kinds("j->>'a'")).containsExactly("IDENTIFIER:j", "OPERATOR:->>", "STRING:'a'");
        assertThat(kinds("a<=b")).contains("OPERATOR:<=");
        assertThat(kinds("a=-1")).containsExactly("IDENTIFIER:a", "OPERATOR:=", "OPERATOR:-", "NUMBER:1");
        assertThat(kinds("a @- b")).contains("OPERATOR:@-");
        assertThat(kinds("a ~* b")).contains("OPERATOR:~*");
        assertThat(kinds("a*/*c*/b")).containsExactly("IDENTIFIER:a", "OPERATOR:*", "IDENTIFIER:b");
        assertThat(kinds("f(a => 1)")).contains("OPERATOR:=>");
    }

    @Test
    void punctuationAndSemicolons() {
        assertThat(kinds("a.b;")).containsExactly("IDENTIFIER:a", "PUNCTUATION:.", "IDENTIFIER:b", "SEMICOLON:;");
    }

    @Test
    void unterminatedInputStillCoversTheText() {
        assertThat(kinds("select 'abc")).containsExactly("IDENTIFIER:select", "UNTERMINATED:'abc");
        assertThat(kinds("/* open")).containsExactly("UNTERMINATED:/* open");
        assertThat(kinds("\"open")).containsExactly("UNTERMINATED:\"open");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "select 1", "e'\\'", "$", "$1$", "'", "\"", "/*/*/", "--", "U&", "?\u00e9?", "a::", "0x",
            "1e", "1.", "..", "\\d+ t", ":name :'v'", "E'", "$$$$", "$a$", "x\r\ny"})
    void roundTripOfOddInput(String sql) {
        assertThat(Lexer.tokenize(sql).stream().map(Token::text).collect(Collectors.joining())).isEqualTo(sql);
    }

    @Test
    void statementsSplitOutsideParenthesesAndQuotes() {
        List<List<Token>> st = Statements.split(Lexer.tokenize("select ';'; select $$;$$ ; /* c */ ; -- end"));
        assertThat(st).hasSize(2);
    }
}
