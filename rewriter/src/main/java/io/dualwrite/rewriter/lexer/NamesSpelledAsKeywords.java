package io.dualwrite.rewriter.lexer;

import java.util.List;
import java.util.Set;

/**
 * Finds the reserved words that are names: after a dot ({@code x.select}, {@code u.from}) and after {@code AS} in a select
 * list or RETURNING list, where PostgreSQL reads any word as the column's name ({@code ColLabel} in gram.y), {@code SELECT
 * email AS select, name AS from FROM users}. A scan that took such a word for its keyword would open a sub-query or end a
 * clause there.
 *
 * <p>A word after {@code AS} is a label when what follows it can follow a select list item: a comma, a closing
 * parenthesis, the end, or a clause. Not the {@code AS} that introduces a query ({@code CREATE TABLE t AS SELECT FROM u},
 * {@code PREPARE p AS …}, {@code CREATE RULE r AS ON SELECT …}: the first at depth 0 after CREATE or PREPARE and before
 * any SELECT), nor a type in {@code CAST(x AS …)}.
 */
final class NamesSpelledAsKeywords {

    /** The words that may follow a select list or RETURNING list item. */
    private static final Set<String> FOLLOWERS = Set.of("from", "into", "where", "group", "having", "window", "order",
            "limit", "offset", "fetch", "for", "union", "intersect", "except", "returning", "on");

    private NamesSpelledAsKeywords() {
    }

    /** Replaces each such name in {@code significant} (a statement's significant tokens) by a {@link TokenKind#LABEL}. */
    static void mark(List<Token> significant) {
        int depth = 0;
        int[] openedAt = new int[significant.size() + 1];
        boolean hosted = false;
        boolean queryStarted = false;
        for (int i = 0; i < significant.size(); i++) {
            Token t = significant.get(i);
            if (t.isSymbol("(") || t.isSymbol("[")) {
                openedAt[depth++] = i;
                continue;
            }
            if ((t.isSymbol(")") || t.isSymbol("]")) && depth > 0) {
                depth--;
                continue;
            }
            if (t.kind() == TokenKind.SEMICOLON) {
                // a list of several statements (a whole string): each starts afresh
                hosted = false;
                queryStarted = false;
            } else if (depth == 0 && !queryStarted && (t.is("create") || t.is("prepare"))) {
                hosted = true;
            } else if (depth == 0 && (t.is("select") || t.is("returning"))) {
                queryStarted = true;
            } else if (depth == 0 && hosted && !queryStarted && t.is("as")) {
                queryStarted = true;
                i++; // the word after it starts the hosted statement
            } else if (t.isSymbol(".") && i + 1 < significant.size() && ReservedWords.is(significant.get(i + 1))) {
                asName(significant, ++i);
            } else if (t.is("as") && i + 1 < significant.size() && isLabel(significant, i + 1)
                    && !(depth > 0 && isCast(significant, openedAt[depth - 1]))) {
                asName(significant, ++i);
            }
        }
    }

    private static void asName(List<Token> t, int i) {
        Token w = t.get(i);
        t.set(i, new Token(TokenKind.LABEL, w.start(), w.end(), w.sql()));
    }

    private static boolean isLabel(List<Token> t, int i) {
        if (!ReservedWords.is(t.get(i))) {
            return false;
        }
        if (i + 1 == t.size()) {
            return true;
        }
        Token next = t.get(i + 1);
        return next.isSymbol(",") || next.isSymbol(")") || next.kind() == TokenKind.SEMICOLON
                || (next.kind() == TokenKind.IDENTIFIER && FOLLOWERS.contains(next.normalized()));
    }

    /** Whether the parenthesis at {@code open} is a CAST's (or XMLSERIALIZE's): what follows its AS is a type. */
    private static boolean isCast(List<Token> t, int open) {
        return open > 0 && (t.get(open - 1).is("cast") || t.get(open - 1).is("xmlserialize"));
    }
}
