package io.dualwrite.rewriter.lexer;

import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL lexical rules (scan.l) as far as splicing needs them, plus PgJDBC's view of {@code ?}:
 * a lone {@code ?} is a parameter and {@code ??} is an escaped {@code ?} operator character.
 * Never fails: text it cannot classify becomes a token too, so token texts always rebuild the input.
 */
public final class Lexer {

    private static final String OPERATOR_CHARS = "+-*/<>=~!@#%^&|`?";
    /** An operator ending in + or - is split unless it contains one of these (scan.l rule). */
    private static final String OPERATOR_KEEPS_SIGN = "~!@#%^&|`?";

    private final String sql;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;

    private Lexer(String sql) {
        this.sql = sql;
    }

    public static List<Token> tokenize(String sql) {
        Lexer lexer = new Lexer(sql);
        lexer.run();
        return lexer.tokens;
    }

    private void run() {
        int n = sql.length();
        while (pos < n) {
            int start = pos;
            TokenKind kind = next();
            if (pos <= start) {
                throw new IllegalStateException("lexer made no progress at " + start);
            }
            tokens.add(new Token(kind, start, pos, sql));
        }
    }

    private char at(int i) {
        return i < sql.length() ? sql.charAt(i) : '\0';
    }

    private TokenKind next() {
        char c = sql.charAt(pos);
        char d = at(pos + 1);
        if (Character.isWhitespace(c)) {
            while (pos < sql.length() && Character.isWhitespace(sql.charAt(pos))) {
                pos++;
            }
            return TokenKind.WHITESPACE;
        }
        if (c == '-' && d == '-') {
            int eol = sql.indexOf('\n', pos);
            pos = eol < 0 ? sql.length() : eol;
            return TokenKind.LINE_COMMENT;
        }
        if (c == '/' && d == '*') {
            return blockComment();
        }
        if (c == '\'') {
            return quoted(pos, '\'', false, TokenKind.STRING);
        }
        if ((c == 'e' || c == 'E') && d == '\'') {
            return quoted(pos + 1, '\'', true, TokenKind.ESCAPE_STRING);
        }
        if ((c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N') && d == '\'') {
            return quoted(pos + 1, '\'', false, TokenKind.STRING);
        }
        if ((c == 'u' || c == 'U') && d == '&' && (at(pos + 2) == '\'' || at(pos + 2) == '"')) {
            return at(pos + 2) == '\''
                    ? quoted(pos + 2, '\'', false, TokenKind.UNICODE_STRING)
                    : quoted(pos + 2, '"', false, TokenKind.QUOTED_IDENTIFIER);
        }
        if (c == '"') {
            return quoted(pos, '"', false, TokenKind.QUOTED_IDENTIFIER);
        }
        if (c == '$') {
            return dollar();
        }
        if (isIdentStart(c)) {
            pos++;
            while (pos < sql.length() && isIdentPart(sql.charAt(pos))) {
                pos++;
            }
            return TokenKind.IDENTIFIER;
        }
        if (isDigit(c) || (c == '.' && isDigit(d))) {
            return number();
        }
        if (c == ';') {
            pos++;
            return TokenKind.SEMICOLON;
        }
        if (c == ':' && d == ':') {
            pos += 2;
            return TokenKind.OPERATOR;
        }
        if (c == ':' && d == '=') {
            pos += 2;
            return TokenKind.OPERATOR;
        }
        if ("()[],.:".indexOf(c) >= 0) {
            pos++;
            return TokenKind.PUNCTUATION;
        }
        if (c == '?' && d != '?' && d != '|' && d != '&') {
            pos++;
            return TokenKind.PARAMETER;
        }
        if (OPERATOR_CHARS.indexOf(c) >= 0) {
            return operator();
        }
        pos++;
        return TokenKind.OPERATOR;
    }

    private TokenKind blockComment() {
        int depth = 0;
        int n = sql.length();
        while (pos < n) {
            if (sql.startsWith("/*", pos)) {
                depth++;
                pos += 2;
            } else if (sql.startsWith("*/", pos)) {
                depth--;
                pos += 2;
                if (depth == 0) {
                    return TokenKind.BLOCK_COMMENT;
                }
            } else {
                pos++;
            }
        }
        return TokenKind.UNTERMINATED;
    }

    /** {@code open} is the index of the opening quote; a doubled quote is an escaped quote. */
    private TokenKind quoted(int open, char quote, boolean backslashEscapes, TokenKind kind) {
        int i = open + 1;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (backslashEscapes && c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < n && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    pos = i + 1;
                    return kind;
                }
            } else {
                i++;
            }
        }
        pos = n;
        return TokenKind.UNTERMINATED;
    }

    private TokenKind dollar() {
        if (isDigit(at(pos + 1))) {
            pos++;
            while (isDigit(at(pos))) {
                pos++;
            }
            return TokenKind.PARAMETER;
        }
        int i = pos + 1;
        if (isIdentStart(at(i))) {
            while (i < sql.length() && isIdentPart(sql.charAt(i)) && sql.charAt(i) != '$') {
                i++;
            }
        }
        if (at(i) != '$') {
            pos++;
            return TokenKind.PUNCTUATION;
        }
        String tag = sql.substring(pos, i + 1);
        int close = sql.indexOf(tag, i + 1);
        if (close < 0) {
            pos = sql.length();
            return TokenKind.UNTERMINATED;
        }
        pos = close + tag.length();
        return TokenKind.DOLLAR_STRING;
    }

    private TokenKind number() {
        char c = sql.charAt(pos);
        char d = Character.toLowerCase(at(pos + 1));
        if (c == '0' && (d == 'x' || d == 'o' || d == 'b') && isIdentPart(at(pos + 2))) {
            pos += 2;
            while (isLetterOrDigit(at(pos)) || at(pos) == '_') {
                pos++;
            }
            return TokenKind.NUMBER;
        }
        digits();
        if (at(pos) == '.' && at(pos + 1) != '.') {
            pos++;
            digits();
        }
        char e = at(pos);
        if (e == 'e' || e == 'E') {
            int i = pos + 1;
            if (at(i) == '+' || at(i) == '-') {
                i++;
            }
            if (isDigit(at(i))) {
                pos = i;
                digits();
            }
        }
        return TokenKind.NUMBER;
    }

    private void digits() {
        while (isDigit(at(pos)) || (at(pos) == '_' && isDigit(at(pos + 1)))) {
            pos++;
        }
    }

    private TokenKind operator() {
        int start = pos;
        int i = pos;
        int n = sql.length();
        while (i < n && OPERATOR_CHARS.indexOf(sql.charAt(i)) >= 0) {
            if (i > start && (sql.startsWith("--", i) || sql.startsWith("/*", i))) {
                break;
            }
            if (sql.charAt(i) == '?') {
                if (at(i + 1) == '?') {
                    i += 2;
                    continue;
                }
                if (i > start && sql.charAt(i - 1) != '?') {
                    break;
                }
            }
            i++;
        }
        // scan.l: "a=-1" is '=' then '-', unless the operator has a character that keeps the sign
        while (i - start > 1 && (sql.charAt(i - 1) == '+' || sql.charAt(i - 1) == '-')
                && !containsAny(start, i - 1)) {
            i--;
        }
        pos = i;
        return TokenKind.OPERATOR;
    }

    private boolean containsAny(int from, int to) {
        for (int i = from; i < to; i++) {
            if (OPERATOR_KEEPS_SIGN.indexOf(sql.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLetterOrDigit(char c) {
        return Character.isLetterOrDigit(c);
    }

    private static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean isIdentPart(char c) {
        return isIdentStart(c) || isDigit(c) || c == '$';
    }
}
