package io.dualwrite.rewriter.lexer;

import io.dualwrite.rewriter.Identifiers;

/** One lexical token of {@code sql}: the text is {@code sql.substring(start, end)}. */
public record Token(TokenKind kind, int start, int end, String sql) {

    public String text() {
        return sql.substring(start, end);
    }

    public boolean isTrivia() {
        return kind.isTrivia();
    }

    /** True for an unquoted identifier or keyword equal to {@code word}, ignoring case. */
    public boolean is(String word) {
        return kind == TokenKind.IDENTIFIER && end - start == word.length()
                && sql.regionMatches(true, start, word, 0, word.length());
    }

    /** True for punctuation or an operator spelled exactly {@code symbol}. */
    public boolean isSymbol(String symbol) {
        return (kind == TokenKind.PUNCTUATION || kind == TokenKind.OPERATOR || kind == TokenKind.SEMICOLON)
                && end - start == symbol.length() && sql.startsWith(symbol, start);
    }

    public boolean isName() {
        return kind == TokenKind.IDENTIFIER || kind == TokenKind.QUOTED_IDENTIFIER;
    }

    /** The identifier as PostgreSQL stores it; only meaningful for {@link #isName()} tokens. */
    public String normalized() {
        return Identifiers.normalize(text());
    }

    @Override
    public String toString() {
        return kind + "[" + text() + "]";
    }
}
