package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import java.util.Set;

/**
 * Whether an expression gives the same value each time a statement computes it. A translation that computes the value
 * it gives the column in two places (RETURNING for the application and the value for the sync) must not call nextval
 * twice: it may do so only for such an expression.
 */
final class ComputedOnce {

    /**
     * Built-in functions that give one value for the same arguments within a statement: immutable ones, stable ones
     * (PostgreSQL's contract for STABLE: the same result for all rows within a single statement; CAST's conversions are
     * at worst stable), and aggregates whose result does not depend on the order of their rows (a sub-select computed
     * twice on one snapshot reads the same rows, not necessarily in the same order). An assigned value using only these
     * may be computed twice. Every overload of each name in pg_catalog is immutable or stable and returns no set
     * (PostgreSQL 14 to 17); not current_setting, which a set_config elsewhere in the statement changes, nor timezone
     * (volatile for a time with time zone before 15).
     */
    private static final Set<String> SAME_WITHIN_A_STATEMENT = Set.of("cast", "lower", "upper", "trim", "btrim", "ltrim",
            "rtrim", "coalesce", "nullif", "concat", "concat_ws", "format", "replace", "substr", "substring", "left",
            "right", "lpad", "rpad", "split_part", "strpos", "md5", "initcap", "length", "reverse", "translate", "overlay",
            "position", "greatest", "least", "repeat", "regexp_replace", "char_length", "octet_length", "abs", "round",
            "ceil", "floor", "trunc", "mod", "chr", "ascii", "to_hex", "quote_ident", "quote_literal", "encode", "decode",
            "starts_with", "to_char", "to_number", "to_date", "to_timestamp", "date_trunc", "date_part", "extract",
            "array_to_string", "string_to_array", "to_json", "to_jsonb", "json_build_object", "jsonb_build_object",
            "count", "min", "max", "bool_and", "bool_or", "every",
            // the time of the transaction or statement, and date arithmetic
            "now", "statement_timestamp", "transaction_timestamp", "age", "date_add", "date_subtract", "date_bin",
            "make_date", "make_time", "make_timestamp", "make_timestamptz", "make_interval", "justify_days",
            "justify_hours", "justify_interval", "isfinite",
            // arrays, json and jsonb, enums
            "array_append", "array_prepend", "array_cat", "array_remove", "array_replace", "array_length", "array_lower",
            "array_upper", "array_ndims", "array_dims", "array_position", "array_positions", "cardinality", "array_fill",
            "trim_array", "jsonb_set", "jsonb_set_lax", "jsonb_insert", "jsonb_strip_nulls", "json_strip_nulls",
            "jsonb_build_array", "json_build_array", "jsonb_extract_path", "jsonb_extract_path_text", "json_extract_path",
            "json_extract_path_text", "jsonb_typeof", "json_typeof", "jsonb_pretty", "jsonb_array_length",
            "json_array_length", "jsonb_object", "json_object", "row_to_json", "array_to_json", "jsonb_path_query_first",
            "jsonb_path_exists", "jsonb_path_match", "enum_first", "enum_last",
            // text and numbers
            "regexp_substr", "regexp_count", "regexp_instr", "regexp_like", "regexp_match", "sha224", "sha256", "sha384",
            "sha512", "normalize", "quote_nullable", "bit_length", "power", "pow", "sqrt", "cbrt", "exp", "ln", "log",
            "log10", "sign", "div", "gcd", "lcm", "width_bucket", "scale", "trim_scale", "to_tsvector", "setweight",
            "strip", "array_to_tsvector");

    private ComputedOnce() {
    }

    /**
     * Tokens [from, to): no call but of {@link #SAME_WITHIN_A_STATEMENT} functions. A sub-select of such calls gives the
     * same value each time: the translation computes it twice in one RETURNING list, for one row, on the statement's
     * snapshot (which does not see the sync's changes, made by later commands), after PostgreSQL re-read the row under
     * READ COMMITTED, where the original's SET computed it once on that same row. A name before a parenthesis {@code scopes}
     * knows is no reference (a FROM item's column alias list, {@code users v(a, b)}) is no call.
     */
    static boolean of(Sig t, ReadScopes scopes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (t.isName(i) && t.isSymbol(i + 1, "(") && !isBuiltIn(t, i) && !isTypeName(t, i)
                    && (scopes == null || !scopes.isNotAReference(i + 1))) {
                return false;
            }
        }
        return true;
    }

    /** {@link #of} an expression's text (a column default; null, none: NULL). */
    static boolean expression(String expression) {
        if (expression == null) {
            return true;
        }
        Sig s = new Sig(Statements.significant(Lexer.scan(expression, true).tokens()));
        return of(s, null, 0, s.size());
    }

    /** One of {@link #SAME_WITHIN_A_STATEMENT}, unqualified or in pg_catalog (another schema's is the application's own). */
    private static boolean isBuiltIn(Sig t, int i) {
        return SAME_WITHIN_A_STATEMENT.contains(t.get(i).normalized())
                && (!t.isSymbol(i - 1, ".") || t.is(i - 2, "pg_catalog"));
    }

    /** A type with modifiers after {@code ::} or CAST's AS ({@code varchar(3)}, {@code character varying(3)}), not a call. */
    private static boolean isTypeName(Sig t, int i) {
        int start = t.isName(i - 1) && !t.is(i - 1, "as") ? i - 1 : i;
        return t.isSymbol(start - 1, "::") || t.is(start - 1, "as");
    }
}
