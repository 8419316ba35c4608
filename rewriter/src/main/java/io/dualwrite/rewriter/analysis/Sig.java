package io.dualwrite.rewriter.analysis;

import io.dualwrite.rewriter.lexer.ReservedWords;
import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The significant tokens of one statement with their parenthesis depth, so clause keywords can
 * be recognised only where they belong to the statement itself and not to a nested expression.
 */
public final class Sig {

    private static final Set<String> QUERY_CLAUSES = Set.of("from", "into", "where", "group", "having", "window",
            "order", "limit", "offset", "fetch", "for");

    private final List<Token> tokens;
    private final int[] depth;
    private final int[] match;

    public Sig(List<Token> tokens) {
        this.tokens = tokens;
        this.depth = new int[tokens.size()];
        this.match = new int[tokens.size()];
        Arrays.fill(match, -1);
        int d = 0;
        int[] open = new int[tokens.size() + 1];
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isSymbol(")") || t.isSymbol("]")) {
                if (d > 0) {
                    d--;
                    match[i] = open[d];
                    match[open[d]] = i;
                }
            }
            depth[i] = d;
            if (t.isSymbol("(") || t.isSymbol("[")) {
                open[d] = i;
                d++;
            }
        }
    }

    public int size() {
        return tokens.size();
    }

    public Token get(int i) {
        return tokens.get(i);
    }

    public List<Token> tokens() {
        return tokens;
    }

    /** Depth of the token: an opening and its closing parenthesis have the depth outside them. */
    public int depth(int i) {
        return depth[i];
    }

    /** Index of the matching parenthesis, or -1 when unbalanced. */
    public int match(int i) {
        return match[i];
    }

    public boolean is(int i, String word) {
        return i >= 0 && i < tokens.size() && tokens.get(i).is(word);
    }

    public boolean isSymbol(int i, String symbol) {
        return i >= 0 && i < tokens.size() && tokens.get(i).isSymbol(symbol);
    }

    public boolean isName(int i) {
        return i >= 0 && i < tokens.size() && tokens.get(i).isName();
    }

    /**
     * A name that can refer to a table or column: {@link #isName} but not a reserved word written without quotes,
     * unless it follows a dot or {@code AS}, where PostgreSQL reads any word as a name. A column called
     * {@code "from"} is never the keyword {@code FROM}.
     */
    public boolean isIdentifier(int i) {
        return isName(i) && (!ReservedWords.is(tokens.get(i)) || isSymbol(i - 1, ".") || is(i - 1, "as"));
    }

    /** First index in [from, to) at {@code atDepth} that is the keyword {@code word} (not a name after a dot), or -1. */
    public int find(String word, int from, int to, int atDepth) {
        for (int i = from; i < to && i < tokens.size(); i++) {
            if (depth[i] == atDepth && tokens.get(i).is(word) && !isSymbol(i - 1, ".")) {
                return i;
            }
        }
        return -1;
    }

    /** True when {@code FROM} at i is part of {@code IS [NOT] DISTINCT FROM}, not a clause. */
    public boolean isDistinctFrom(int i) {
        return is(i, "from") && is(i - 1, "distinct") && (is(i - 2, "is") || is(i - 2, "not"));
    }

    /** Whether token i starts a clause of a SELECT (FROM, WHERE, ORDER BY, FOR UPDATE …), not a word of an expression. */
    public boolean isQueryClause(int i) {
        Token t = get(i);
        if (t.kind() != TokenKind.IDENTIFIER || !QUERY_CLAUSES.contains(t.normalized()) || isSymbol(i - 1, ".")) {
            // after a dot a keyword is a column's name: t.from, t.order
            return false;
        }
        if (isDistinctFrom(i) || isCollationFor(i)) {
            return false;
        }
        return !(t.is("group") && is(i - 1, "within"));
    }

    /**
     * Whether token i is the FROM of a {@code ROWS FROM (…)} item where a FROM item may start (after FROM, a comma, JOIN
     * or LATERAL; a caller knows whether that comma is in a FROM clause), not a clause.
     */
    public boolean isRowsFrom(int i) {
        return is(i, "from") && is(i - 1, "rows") && isSymbol(i + 1, "(")
                && (is(i - 2, "from") || isSymbol(i - 2, ",") || is(i - 2, "join") || is(i - 2, "lateral"));
    }

    /** Whether token i is the FOR of {@code COLLATION FOR (expression)}, a function, not a clause. */
    public boolean isCollationFor(int i) {
        return is(i, "for") && is(i - 1, "collation");
    }
}
