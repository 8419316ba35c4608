package io.dualwrite.rewriter.lexer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Statement-level reasons why a scan may not be how PostgreSQL reads the text, beyond what the
 * lexer sees token by token (unterminated literals, junk after numbers, bad escapes).
 */
final class Uncertainty {

    private Uncertainty() {
    }

    /** Why the reading of {@code tokens} is not certain, or null. */
    static String of(String sql, List<Token> tokens, boolean standardConformingStrings) {
        // the protocol ends a query string at a NUL byte
        String why = sql.indexOf('\0') >= 0 ? "a NUL character in the statement text" : unicodeEscapes(tokens);
        if (why == null) {
            why = brackets(tokens);
        }
        if (why == null) {
            why = settingMayChange(tokens);
        }
        if (why == null) {
            why = pgJdbcSplitsElsewhere(sql, tokens, standardConformingStrings);
        }
        return why;
    }

    private static String unicodeEscapes(List<Token> tokens) {
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (UnicodeEscapes.isUnicode(t) && UnicodeEscapes.decode(t) == null) {
                return "invalid Unicode escape or UESCAPE character in " + t.text();
            }
            if (t.is("uescape") && previousIsUnicode(tokens, i)) {
                return "UESCAPE not followed by a simple string literal";
            }
        }
        return null;
    }

    private static boolean previousIsUnicode(List<Token> tokens, int i) {
        for (int k = i - 1; k >= 0; k--) {
            if (!tokens.get(k).isTrivia()) {
                return UnicodeEscapes.isUnicode(tokens.get(k));
            }
        }
        return false;
    }

    /**
     * Unbalanced brackets, or a semicolon inside them, are syntax errors except in rule actions;
     * PgJDBC splits inside brackets and counts parentheses below zero, so it would cut such a
     * text where PostgreSQL and this lexer do not.
     */
    private static String brackets(List<Token> tokens) {
        Deque<Character> open = new ArrayDeque<>();
        for (Token t : tokens) {
            if (t.isSymbol("(") || t.isSymbol("[")) {
                open.push(t.isSymbol("(") ? ')' : ']');
            } else if (t.isSymbol(")") || t.isSymbol("]")) {
                if (open.isEmpty() || open.pop() != t.text().charAt(0)) {
                    return "unbalanced " + t.text() + " at offset " + t.start();
                }
            } else if (t.kind() == TokenKind.SEMICOLON && !open.isEmpty()) {
                return "a semicolon inside parentheses or brackets at offset " + t.start();
            }
        }
        return open.isEmpty() ? null : "an unclosed parenthesis or bracket";
    }

    /**
     * An earlier statement of the same string may change {@code standard_conforming_strings}
     * (SET, RESET, set_config, a function, ROLLBACK of a SET), and PostgreSQL reads the later ones
     * with the value of that moment (extended protocol) or of the start (simple protocol). A plain
     * string with a backslash reads differently under the two values.
     */
    private static String settingMayChange(List<Token> tokens) {
        boolean afterFirst = false;
        boolean seen = false;
        for (Token t : tokens) {
            if (t.kind() == TokenKind.SEMICOLON) {
                afterFirst |= seen;
            } else if (!t.isTrivia()) {
                seen = true;
                if (afterFirst && t.kind() == TokenKind.STRING && t.sql().charAt(t.start()) != 'b'
                        && t.sql().charAt(t.start()) != 'B' && t.sql().charAt(t.start()) != 'x'
                        && t.sql().charAt(t.start()) != 'X' && t.text().indexOf('\\') >= 0) {
                    return "a string with a backslash after another statement in the same text: an earlier statement"
                            + " may change standard_conforming_strings";
                }
            }
        }
        return null;
    }

    private static String pgJdbcSplitsElsewhere(String sql, List<Token> tokens, boolean standardConformingStrings) {
        List<Integer> splits = new ArrayList<>();
        List<Integer> marks = new ArrayList<>();
        for (Token t : tokens) {
            if (t.kind() == TokenKind.SEMICOLON) {
                splits.add(t.start());
            } else if (t.kind() == TokenKind.PARAMETER || t.kind() == TokenKind.OPERATOR) {
                for (int i = t.start(); i < t.end(); i++) {
                    if (sql.charAt(i) == '?') {
                        marks.add(i);
                    }
                }
            }
        }
        PgJdbcView.View jdbc = PgJdbcView.of(sql, standardConformingStrings);
        if (!jdbc.splits().equals(splits)) {
            return "PgJDBC would split this text into statements differently from PostgreSQL's reading";
        }
        if (!jdbc.questionMarks().equals(marks)) {
            return "PgJDBC would read a ? as a parameter where PostgreSQL reads a comment or string, or the reverse";
        }
        return null;
    }
}
