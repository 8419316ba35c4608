package io.dualwrite.driver.jdbc;

import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a read may run a second time, as a shadow, without any effect: read from the lexer's
 * tokens, so that a statement is shadowed only when it provably cannot change anything. It must be
 * one SELECT (or WITH … SELECT, VALUES) without a data-modifying or locking clause ({@code INSERT},
 * {@code UPDATE}, {@code DELETE}, {@code MERGE}, {@code FOR UPDATE/SHARE}, {@code INTO}), and every
 * function it calls must be one of PostgreSQL's built-in immutable or stable functions listed here
 * ({@code nextval}, {@code random}, {@code setval}, advisory locks and any user-defined function are
 * not). Operators must be the built-in spellings listed here (a user-defined operator may call
 * anything). A statement outside these rules is simply not shadowed.
 */
final class ShadowSafety {

    /** Built-in functions PostgreSQL marks immutable or stable (pg_proc.provolatile 'i' or 's'), and aggregates. */
    private static final Set<String> FUNCTIONS = Set.of(
            "lower", "upper", "length", "char_length", "character_length", "octet_length", "trim", "btrim", "ltrim", "rtrim",
            "substr", "substring", "position", "strpos", "replace", "split_part", "left", "right", "lpad", "rpad", "concat",
            "concat_ws", "format", "initcap", "reverse", "md5", "encode", "decode", "coalesce", "nullif", "greatest", "least",
            "abs", "round", "trunc", "floor", "ceil", "ceiling", "mod", "count", "sum", "min", "max", "avg", "bool_and",
            "bool_or", "every", "string_agg", "array_agg", "json_agg", "jsonb_agg", "exists", "now", "current_date",
            "date_trunc", "date_part", "extract", "to_char", "to_date", "to_timestamp", "age", "cast", "array_length",
            "cardinality", "unnest", "row", "array", "any", "all", "some", "in", "lag", "lead", "row_number", "rank",
            "dense_rank", "over", "filter", "within", "regexp_replace", "regexp_match", "starts_with", "similar", "distinct",
            "values", "select", "from", "where", "and", "or", "not", "like", "ilike", "between", "is", "on", "using", "as",
            "then", "else", "when", "case", "end", "join");

    private static final Set<String> OPERATORS = Set.of(
            "=", "<>", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "||", "~~", "!~~", "~~*", "!~~*", "~", "~*", "!~",
            "!~*", "::", "->", "->>", "#>", "#>>", "@>", "<@", "?", "^");

    private static final Set<String> FORBIDDEN = Set.of(
            "insert", "update", "delete", "merge", "into", "for", "truncate", "copy", "call", "do", "lock", "notify", "listen",
            "set", "execute", "prepare", "declare", "fetch", "move", "table");

    private ShadowSafety() {
    }

    static boolean sideEffectFree(String sql) {
        List<List<Token>> statements = Statements.split(Lexer.tokenize(sql));
        if (statements.size() != 1) {
            return false;
        }
        List<Token> t = Statements.significant(statements.get(0));
        if (t.isEmpty() || !(t.get(0).is("select") || t.get(0).is("with") || t.get(0).is("values"))) {
            return false;
        }
        for (int i = 0; i < t.size(); i++) {
            Token token = t.get(i);
            switch (token.kind()) {
                case IDENTIFIER -> {
                    String word = token.text().toLowerCase(Locale.ROOT);
                    if (FORBIDDEN.contains(word) || (isCall(t, i) && (!FUNCTIONS.contains(word) || !builtIn(t, i)))) {
                        return false;
                    }
                }
                case QUOTED_IDENTIFIER -> {
                    if (isCall(t, i)) {
                        return false;
                    }
                }
                case OPERATOR -> {
                    if (!OPERATORS.contains(token.text())) {
                        return false;
                    }
                }
                case UNTERMINATED -> {
                    return false;
                }
                default -> { }
            }
        }
        return true;
    }

    /** An unqualified name (PostgreSQL searches pg_catalog first unless the path says otherwise), or pg_catalog's. */
    private static boolean builtIn(List<Token> t, int i) {
        return i < 2 || !t.get(i - 1).isSymbol(".") || t.get(i - 2).is("pg_catalog");
    }

    /** A name followed by {@code (}: a function call (or a keyword such as IN, which the list allows). */
    private static boolean isCall(List<Token> t, int i) {
        return i + 1 < t.size() && t.get(i + 1).isSymbol("(") && t.get(i + 1).kind() == TokenKind.PUNCTUATION;
    }
}
