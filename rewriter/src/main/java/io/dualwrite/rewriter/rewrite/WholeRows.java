package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.analysis.Sig;
import java.util.Set;

/**
 * Where a whole-row reference of the migrated table ({@code u}, {@code u.*}) can become a row of the application's
 * columns ({@link ReadRewriter}): its type is then an anonymous record where it was the table's, which the contract
 * changes anyway, so only where nothing reads the type.
 */
final class WholeRows {

    /** Functions whose result does not depend on the row type of a whole-row argument, only on its fields' names and values. */
    private static final Set<String> ROW_READING_FUNCTIONS = Set.of("row_to_json", "to_json", "to_jsonb", "json_agg",
            "jsonb_agg", "json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array",
            "json_object_agg", "jsonb_object_agg", "format", "concat", "concat_ws", "count", "num_nulls", "num_nonnulls",
            "hstore");

    private WholeRows() {
    }

    /** {@code (u).name}: the reference in tokens [start, end) in parentheses of its own, a field name after them. */
    static boolean isFieldSelection(Sig s, int start, int end) {
        int before = start - 1;
        return s.isSymbol(before, "(") && s.match(before) == end && s.isSymbol(end + 1, ".") && s.isName(end + 2)
                && !s.isIdentifier(before - 1);
    }

    /**
     * Whether the whole-row reference in tokens [start, end) reaches the result only through its fields' names and
     * values: an argument of a JSON builder or of another function that reads the fields ({@link #ROW_READING_FUNCTIONS}),
     * a cast to text, {@code IS [NOT] NULL}. Not where the row's type shows: a bare {@code SELECT u}, {@code array_agg(u)},
     * {@code u::users}, a function taking {@code users}.
     */
    static boolean readsOnlyFields(Sig s, int start, int end) {
        int before = start - 1;
        if (s.isSymbol(end, "::") && s.is(end + 1, "text") && !s.isSymbol(end + 2, "[")) {
            return true;
        }
        if (s.is(end, "is") && (s.is(end + 1, "null") || (s.is(end + 1, "not") && s.is(end + 2, "null")))) {
            return true;
        }
        if (!(s.isSymbol(before, "(") || s.isSymbol(before, ","))) {
            return false;
        }
        int open = before;
        while (open >= 0 && !(s.isSymbol(open, "(") && s.depth(open) == s.depth(start) - 1)) {
            open--;
        }
        if (open < 1 || s.match(open) < end || !s.isName(open - 1)) {
            return false;
        }
        String function = s.get(open - 1).normalized();
        if (function.equals("cast")) {
            return open == before && s.is(end, "as") && s.is(end + 1, "text") && s.isSymbol(end + 2, ")");
        }
        boolean qualified = s.isSymbol(open - 2, ".");
        return ROW_READING_FUNCTIONS.contains(function) && (!qualified || s.is(open - 3, "pg_catalog"))
                && (s.isSymbol(end, ")") || s.isSymbol(end, ",") || s.is(end, "order"));
    }
}
