package io.dualwrite.rewriter.lexer;

import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL's scanner (src/backend/parser/scan.l, PostgreSQL 17) as far as splicing needs it,
 * plus PgJDBC's view of {@code ?}: a lone {@code ?} is a parameter and {@code ??} an escaped
 * {@code ?} operator character. Never fails: text it cannot classify becomes a token too, so token
 * texts always rebuild the input. Where PostgreSQL would raise an error, or where versions and
 * session settings read the text differently, the scan records why it is not certain
 * ({@link Scan#uncertainty()}).
 */
public final class Lexer {

    private static final String OPERATOR_CHARS = "+-*/<>=~!@#%^&|`?";
    /** An operator ending in + or - is split unless it contains one of these (scan.l rule). */
    private static final String OPERATOR_KEEPS_SIGN = "~!@#%^&|`?";

    private final String sql;
    private final boolean standardConformingStrings;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private String uncertainty;

    private Lexer(String sql, boolean standardConformingStrings) {
        this.sql = sql;
        this.standardConformingStrings = standardConformingStrings;
    }

    /** The tokens as a session with {@code standard_conforming_strings = on} (the default) reads them. */
    public static List<Token> tokenize(String sql) {
        return scan(sql, true).tokens();
    }

    /**
     * The tokens as PostgreSQL reads {@code sql} in a session with the given
     * {@code standard_conforming_strings}, and whether that reading is certain.
     */
    public static Scan scan(String sql, boolean standardConformingStrings) {
        Lexer lexer = new Lexer(sql, standardConformingStrings);
        lexer.run();
        List<Token> merged = UnicodeEscapes.mergeUescape(lexer.tokens);
        String why = lexer.uncertainty != null ? lexer.uncertainty
                : Uncertainty.of(sql, merged, standardConformingStrings);
        return new Scan(merged, why);
    }

    private void run() {
        int n = sql.length();
        while (pos < n) {
            int start = pos;
            TokenKind kind = next();
            if (pos <= start) {
                throw new IllegalStateException("lexer made no progress at " + start);
            }
            if (kind == TokenKind.UNTERMINATED) {
                uncertain("unterminated " + sql.substring(start, Math.min(n, start + 2)) + "… at offset " + start);
            }
            tokens.add(new Token(kind, start, pos, sql));
        }
    }

    private void uncertain(String why) {
        if (uncertainty == null) {
            uncertainty = why;
        }
    }

    private char at(int i) {
        return i < sql.length() ? sql.charAt(i) : '\0';
    }

    /** scan.l {@code space}: exactly these; other Unicode spaces are identifier characters to PostgreSQL. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    private TokenKind next() {
        char c = sql.charAt(pos);
        char d = at(pos + 1);
        if (isSpace(c)) {
            while (pos < sql.length() && isSpace(sql.charAt(pos))) {
                pos++;
            }
            return TokenKind.WHITESPACE;
        }
        if (c == '-' && d == '-') {
            // scan.l: a line comment ends at \n or \r
            while (pos < sql.length() && sql.charAt(pos) != '\n' && sql.charAt(pos) != '\r') {
                pos++;
            }
            return TokenKind.LINE_COMMENT;
        }
        if (c == '/' && d == '*') {
            return blockComment();
        }
        if (c == '\'') {
            return quoted(pos, '\'', !standardConformingStrings, TokenKind.STRING);
        }
        if ((c == 'e' || c == 'E') && d == '\'') {
            return quoted(pos + 1, '\'', true, TokenKind.ESCAPE_STRING);
        }
        if ((c == 'n' || c == 'N') && d == '\'') {
            // NCHAR followed by an ordinary string: backslashes as the session says
            return quoted(pos + 1, '\'', !standardConformingStrings, TokenKind.STRING);
        }
        if ((c == 'b' || c == 'B' || c == 'x' || c == 'X') && d == '\'') {
            return bitString();
        }
        if ((c == 'u' || c == 'U') && d == '&' && (at(pos + 2) == '\'' || at(pos + 2) == '"')) {
            if (at(pos + 2) == '\'') {
                if (!standardConformingStrings) {
                    uncertain("U&'…' with standard_conforming_strings off (PostgreSQL refuses it)");
                }
                return quoted(pos + 2, '\'', false, TokenKind.UNICODE_STRING);
            }
            return quoted(pos + 2, '"', false, TokenKind.QUOTED_IDENTIFIER);
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
        if (c == '.' && d == '.') {
            pos += 2; // scan.l dot_dot (so "1..2" is 1, .., 2)
            return TokenKind.PUNCTUATION;
        }
        if (c == ':' && (d == ':' || d == '=')) {
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
        // scan.l {other}: a character of its own, which the grammar then rejects
        if (c == '{' || c == '}') {
            uncertain("JDBC escape syntax ({…}), which PgJDBC rewrites before PostgreSQL reads it");
        }
        pos++;
        return TokenKind.OPERATOR;
    }

    /** scan.l {@code xc}: nested; a star-slash closes one level, a slash-star opens one. */
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

    /**
     * {@code open} is the index of the opening quote; a doubled quote is an escaped quote. With
     * backslash escapes (scan.l {@code xe}) a backslash takes the next character with it.
     */
    private TokenKind quoted(int open, char quote, boolean backslashEscapes, TokenKind kind) {
        int i = open + 1;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (backslashEscapes && c == '\\') {
                checkUnicodeEscape(i);
                i += 2;
            } else if (c == quote) {
                if (i + 1 < n && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    int next = quote == '\'' ? continuation(i + 1) : -1;
                    if (next < 0) {
                        pos = i + 1;
                        return kind;
                    }
                    i = next + 1;
                }
            } else {
                i++;
            }
        }
        pos = n;
        return TokenKind.UNTERMINATED;
    }

    /** scan.l {@code xeunicodefail}: {@code \}u needs 4 hex digits, {@code \}U needs 8, else an error. */
    private void checkUnicodeEscape(int backslash) {
        char u = at(backslash + 1);
        int want = u == 'u' ? 4 : u == 'U' ? 8 : 0;
        for (int k = 0; k < want; k++) {
            if (Character.digit(at(backslash + 2 + k), 16) < 0) {
                uncertain("invalid Unicode escape in an escape string at offset " + backslash);
                return;
            }
        }
    }

    /**
     * scan.l {@code quotecontinue}: a string literal goes on in the next quoted part when only whitespace with a
     * newline (and {@code --} comments) lies between ({@code 'ann@'} newline {@code 'example.com'} is one literal,
     * {@code 'ann@example.com'}). Returns the index of the next part's opening quote, or -1.
     */
    private int continuation(int from) {
        boolean newline = false;
        int i = from;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\n' || c == '\r') {
                newline = true;
                i++;
            } else if (c == ' ' || c == '\t' || c == '\f' || (newline && isSpace(c))) {
                i++;
            } else if (c == '-' && at(i + 1) == '-') {
                while (i < sql.length() && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
                    i++;
                }
            } else {
                break;
            }
        }
        return newline && at(i) == '\'' ? i : -1;
    }

    /** scan.l {@code xb}/{@code xh}: no escapes and no doubled quote; the first quote ends it (or a continuation goes on). */
    private TokenKind bitString() {
        int close = sql.indexOf('\'', pos + 2);
        for (int next; close >= 0 && (next = continuation(close + 1)) >= 0; ) {
            close = sql.indexOf('\'', next + 1);
        }
        if (close < 0) {
            pos = sql.length();
            return TokenKind.UNTERMINATED;
        }
        pos = close + 1;
        return TokenKind.STRING;
    }

    private TokenKind dollar() {
        if (isDigit(at(pos + 1))) {
            pos++;
            while (isDigit(at(pos))) {
                pos++;
            }
            if (isIdentPart(at(pos))) {
                uncertain("trailing junk after parameter at offset " + pos);
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

    /**
     * Numbers, scanned as PostgreSQL 16+ scans them (underscores, 0x/0o/0b). The readings that depend on
     * the server's version are uncertain: PostgreSQL 14 and 15 read {@code 0x1F} as {@code 0} followed by
     * the identifier {@code x1F} and {@code 1_000} as {@code 1} followed by {@code _000}, and a number
     * directly followed by an identifier character is an error since PostgreSQL 15 and two tokens before.
     */
    private TokenKind number() {
        int start = pos;
        char c = sql.charAt(pos);
        char d = Character.toLowerCase(at(pos + 1));
        int radix = d == 'x' ? 16 : d == 'o' ? 8 : d == 'b' ? 2 : 0;
        if (c == '0' && radix > 0 && radixDigitsAt(pos + 2, radix) > pos + 2) {
            pos = radixDigitsAt(pos + 2, radix);
            uncertain("0" + d + " literal at offset " + start + " (PostgreSQL 15 and older read 0 and an identifier)");
        } else {
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
                } else {
                    uncertain("trailing junk after numeric literal at offset " + start);
                }
            }
        }
        if (pos < sql.length() && isIdentStart(sql.charAt(pos))) {
            uncertain("trailing junk after numeric literal at offset " + start);
        }
        if (sql.indexOf('_', start) >= 0 && sql.indexOf('_', start) < pos) {
            uncertain("underscore in the number at offset " + start + " (PostgreSQL 15 and older read a number and an identifier)");
        }
        return TokenKind.NUMBER;
    }

    /** End of {@code (_?digit)+} in the radix from {@code i}; {@code i} itself when none. */
    private int radixDigitsAt(int i, int radix) {
        int end = i;
        while (true) {
            int j = at(end) == '_' ? end + 1 : end;
            if (Character.digit(at(j), radix) < 0 || at(j) > 'z') {
                return end;
            }
            end = j + 1;
        }
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
            // scan.l: a comment start ends the operator
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

    /** scan.l {@code ident_start}: ASCII letters, underscore, and every non-ASCII character. */
    static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    static boolean isIdentPart(char c) {
        return isIdentStart(c) || isDigit(c) || c == '$';
    }
}
