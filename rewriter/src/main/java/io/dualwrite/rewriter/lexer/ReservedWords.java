package io.dualwrite.rewriter.lexer;

import java.util.Set;

/**
 * PostgreSQL's keywords that can never be a table or column name when written without quotes: the reserved ones
 * and those reserved except as a function or type name (kwlist.h, categories R and T; {@code pg_get_keywords()}
 * catcode 'R' and 'T'). {@code FROM} is a keyword even when a migrated column is called {@code "from"}; only after a
 * dot ({@code t.from}) or {@code AS} does PostgreSQL read such a word as a name.
 */
public final class ReservedWords {

    private static final Set<String> WORDS = Set.of(
            // R: reserved
            "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast",
            "check", "collate", "column", "constraint", "create", "current_catalog", "current_date", "current_role",
            "current_time", "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do",
            "else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in",
            "initially", "intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not",
            "null", "offset", "on", "only", "or", "order", "placing", "primary", "references", "returning", "select",
            "session_user", "some", "symmetric", "system_user", "table", "then", "to", "trailing", "true", "union",
            "unique", "user", "using", "variadic", "when", "where", "window", "with",
            // T: reserved, but can be a function or type name
            "authorization", "binary", "collation", "concurrently", "cross", "current_schema", "freeze", "full",
            "ilike", "inner", "is", "isnull", "join", "left", "like", "natural", "notnull", "outer", "overlaps",
            "right", "similar", "tablesample", "verbose");

    private ReservedWords() {
    }

    /** Whether the token is one of these words written without quotes. */
    public static boolean is(Token t) {
        return t.kind() == TokenKind.IDENTIFIER && WORDS.contains(t.normalized());
    }

    /** The words, for a test to compare with the server's {@code pg_get_keywords()}. */
    public static Set<String> words() {
        return WORDS;
    }
}
