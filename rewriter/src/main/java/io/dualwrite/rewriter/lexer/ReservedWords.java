package io.dualwrite.rewriter.lexer;

import java.util.Map;
import java.util.Set;

/**
 * PostgreSQL's keywords that can never be a table or column name when written without quotes: the reserved ones
 * and those reserved except as a function or type name (kwlist.h, categories R and T; {@code pg_get_keywords()}
 * catcode 'R' and 'T'). {@code FROM} is a keyword even when a migrated column is called {@code "from"}; only after a
 * dot ({@code t.from}) or {@code AS} does PostgreSQL read such a word as a name.
 *
 * <p>A word reserved only on some supported versions is left out ({@link #RESERVED_SINCE}): where the server takes it
 * for a name, a column of that name must be seen, or a write to it would pass unsynced; on a newer server the same
 * text then reads the keyword as a column reference, a wrong read but never a missed write.
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
            "session_user", "some", "symmetric", "table", "then", "to", "trailing", "true", "union",
            "unique", "user", "using", "variadic", "when", "where", "window", "with",
            // T: reserved, but can be a function or type name
            "authorization", "binary", "collation", "concurrently", "cross", "current_schema", "freeze", "full",
            "ilike", "inner", "is", "isnull", "join", "left", "like", "natural", "notnull", "outer", "overlaps",
            "right", "similar", "tablesample", "verbose");

    /** Words reserved from a PostgreSQL major version on (14 is the oldest supported), and which one. */
    public static final Map<String, Integer> RESERVED_SINCE = Map.of("system_user", 16);

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
