package io.dualwrite.rewriter.lexer;

/** What a token is; comments and whitespace are tokens too so that token texts rebuild the input. */
public enum TokenKind {
    WHITESPACE,
    LINE_COMMENT,
    BLOCK_COMMENT,
    /** {@code '...'}, also with a B, X or N prefix. */
    STRING,
    /** {@code E'...'} with backslash escapes. */
    ESCAPE_STRING,
    /** {@code U&'...'} (and {@code U&"..."} is a {@link #QUOTED_IDENTIFIER}). */
    UNICODE_STRING,
    DOLLAR_STRING,
    QUOTED_IDENTIFIER,
    /** Unquoted identifier or keyword: PostgreSQL does not tell them apart lexically. */
    IDENTIFIER,
    /**
     * A reserved word written without quotes where PostgreSQL reads any word as a name: a column label ({@code email AS
     * select}), after a dot ({@code x.from}); never a keyword. Only {@link Statements#significant} makes these.
     */
    LABEL,
    NUMBER,
    /** PgJDBC {@code ?} or native {@code $1}. */
    PARAMETER,
    OPERATOR,
    /** {@code ( ) [ ] , . :} */
    PUNCTUATION,
    SEMICOLON,
    /** Input the lexer cannot classify, e.g. an unterminated string; always reaches the end of input. */
    UNTERMINATED;

    public boolean isTrivia() {
        return this == WHITESPACE || this == LINE_COMMENT || this == BLOCK_COMMENT;
    }
}
