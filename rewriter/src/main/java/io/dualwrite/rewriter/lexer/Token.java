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

    /**
     * True for an unquoted identifier or keyword equal to {@code word} (lower case), ignoring ASCII
     * case only, as PostgreSQL does; {@code analyse} counts as {@code analyze} (gram.y accepts both).
     */
    public boolean is(String word) {
        return kind == TokenKind.IDENTIFIER && (spells(word) || ("analyze".equals(word) && spells("analyse")));
    }

    private boolean spells(String word) {
        if (end - start != word.length()) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (asciiLower(sql.charAt(start + i)) != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** True for punctuation or an operator spelled exactly {@code symbol}. */
    public boolean isSymbol(String symbol) {
        return (kind == TokenKind.PUNCTUATION || kind == TokenKind.OPERATOR || kind == TokenKind.SEMICOLON)
                && end - start == symbol.length() && sql.startsWith(symbol, start);
    }

    public boolean isName() {
        return kind == TokenKind.IDENTIFIER || kind == TokenKind.QUOTED_IDENTIFIER || kind == TokenKind.LABEL;
    }

    /**
     * The identifier as PostgreSQL stores it; only meaningful for {@link #isName()} tokens. Quoted
     * names lose their quotes and doubled quotes, {@code U&"…"} names their escapes; unquoted names
     * are folded to lower case in ASCII only (scansup.c); then truncated to 63 bytes.
     */
    public String normalized() {
        String name;
        if (kind == TokenKind.QUOTED_IDENTIFIER && sql.charAt(start) != '"') {
            String decoded = UnicodeEscapes.decode(this);
            name = decoded == null ? text() : decoded;
        } else if (kind == TokenKind.QUOTED_IDENTIFIER && end - start >= 2 && sql.charAt(end - 1) == '"') {
            name = sql.substring(start + 1, end - 1).replace("\"\"", "\"");
        } else {
            StringBuilder b = new StringBuilder(end - start);
            for (int i = start; i < end; i++) {
                b.append(asciiLower(sql.charAt(i)));
            }
            name = b.toString();
        }
        return Identifiers.truncate(name, Identifiers.MAX_BYTES);
    }

    private static char asciiLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    @Override
    public String toString() {
        return kind + "[" + text() + "]";
    }
}
