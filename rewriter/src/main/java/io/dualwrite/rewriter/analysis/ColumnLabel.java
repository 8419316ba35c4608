package io.dualwrite.rewriter.analysis;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.Set;

/**
 * Which column reference, if any, names a SELECT item without an alias, following PostgreSQL's
 * {@code FigureColname}: a column reference gives its own name, and so does one under enclosing
 * parentheses, a cast ({@code ::} or {@code CAST(… AS …)}), {@code COLLATE}, or as the ELSE result
 * of a CASE. Any other item is named by something a rewrite of the column does not change
 * (a function, an operator's {@code ?column?}), so only these items need {@code AS "column"}
 * once the reference becomes a subquery, which PostgreSQL would name after the new table's column.
 */
public final class ColumnLabel {

    /** Words after {@code ::} that end an item's type and start an expression instead. */
    private static final Set<String> OPERATOR_WORDS = Set.of("is", "isnull", "notnull", "and", "or", "not", "like",
            "ilike", "similar", "between", "in", "at", "overlaps", "escape", "collate", "over", "filter", "within", "operator");

    private ColumnLabel() {
    }

    /**
     * The first token of the column reference that names the item of tokens [start, end), or -1
     * when the item is not named by a column reference.
     */
    public static int reference(Sig s, int start, int end) {
        int a = start;
        int b = end - 1;
        if (a > b) {
            return -1;
        }
        int primaryEnd = primaryEnd(s, a, b);
        if (primaryEnd < 0 || !onlyCastsAndCollations(s, primaryEnd + 1, b)) {
            return -1;
        }
        if (s.isSymbol(a, "(")) {
            return reference(s, a + 1, primaryEnd);
        }
        if (s.is(a, "cast")) {
            int as = s.find("as", a + 2, primaryEnd, s.depth(a) + 1);
            return as < 0 ? -1 : reference(s, a + 2, as);
        }
        if (s.is(a, "case")) {
            int elseAt = caseWord(s, a, primaryEnd, "else");
            return elseAt < 0 ? -1 : reference(s, elseAt + 1, primaryEnd);
        }
        return s.isName(a) ? a : -1;
    }

    /**
     * {@link #reference}, also under subscripts: PostgreSQL names {@code email[1]} and {@code (u.email)[1:2]} after the
     * column too, though such an item has no column as its origin.
     */
    public static int namingReference(Sig s, int start, int end) {
        int b = end - 1;
        int primaryEnd = start <= b ? primaryEnd(s, start, b) : -1;
        int k = primaryEnd;
        while (k >= 0 && k < b && s.isSymbol(k + 1, "[")) {
            k = s.match(k + 1);
        }
        return k == primaryEnd || k < 0 || !onlyCastsAndCollations(s, k + 1, b) ? reference(s, start, end)
                : reference(s, start, primaryEnd + 1);
    }

    /**
     * The name PostgreSQL gives the item of tokens [start, end) after a column it reads, or after the first item of the
     * sub-select it is ({@code (SELECT x AS email …)}), or null.
     */
    public static String implicitName(Sig s, int start, int end) {
        int k = namingReference(s, start, end);
        if (k >= 0) {
            while (s.isSymbol(k + 1, ".") && s.isName(k + 2)) {
                k += 2;
            }
            return s.get(k).normalized();
        }
        if (!s.isSymbol(start, "(") || !s.is(start + 1, "select") || s.match(start) != end - 1) {
            return null;
        }
        int from = s.is(start + 2, "all") || s.is(start + 2, "distinct") && !s.is(start + 3, "on") ? start + 3 : start + 2;
        int to = from;
        while (to < end - 1 && !(s.depth(to) == s.depth(from) && (s.isSymbol(to, ",") || s.isQueryClause(to)))) {
            to++;
        }
        if (to - from >= 2 && (s.is(to - 2, "as") || BareAlias.at(s, from, to - 1)) && s.isName(to - 1)) {
            return s.get(to - 1).normalized();
        }
        return to > from ? implicitName(s, from, to) : null;
    }

    /**
     * The token of the function's name when the item of tokens [start, end) is a function call, under parentheses,
     * casts and {@code COLLATE} ({@code lower(email)}, {@code pg_catalog.upper(name)::text}): PostgreSQL names such an
     * item after the function; -1 otherwise. The SQL-syntax forms spelled like a call that PostgreSQL names otherwise
     * ({@code CAST} after its operand or type, {@code TRIM} as {@code btrim}, {@code ltrim} or {@code rtrim}) are not
     * calls here; the others ({@code COALESCE}, {@code SUBSTRING}, {@code EXTRACT}, {@code ROW}, {@code ARRAY},
     * {@code EXISTS}, {@code XMLELEMENT} …) are named as they are spelled.
     */
    public static int functionCall(Sig s, int start, int end) {
        int a = start;
        int b = end - 1;
        if (a > b) {
            return -1;
        }
        if (s.isSymbol(a, "(")) {
            int close = s.match(a);
            return close > a && close <= b && onlyCastsAndCollations(s, close + 1, b) ? functionCall(s, a + 1, close) : -1;
        }
        int k = a;
        while (s.isName(k) && s.isSymbol(k + 1, ".") && s.isName(k + 2)) {
            k += 2;
        }
        if (!s.isName(k) || !s.isSymbol(k + 1, "(") || k == a && (s.is(a, "cast") || s.is(a, "trim"))) {
            return -1;
        }
        int close = s.match(k + 1);
        return close > k && close <= b && onlyCastsAndCollations(s, close + 1, b) ? k : -1;
    }

    /**
     * The name PostgreSQL gives the item of tokens [start, end) when it is a function call ({@link #functionCall}) or
     * {@code TRIM(…)}, which it names after the function the syntax stands for: {@code ltrim} for LEADING, {@code rtrim}
     * for TRAILING, else {@code btrim}; null otherwise.
     */
    public static String functionLabel(Sig s, int start, int end) {
        int function = functionCall(s, start, end);
        if (function >= 0) {
            return s.get(function).normalized();
        }
        int a = start;
        int b = end - 1;
        int open = s.isSymbol(a, "(") ? a : s.is(a, "trim") ? a + 1 : -1;
        int close = open < 0 || !s.isSymbol(open, "(") ? -1 : s.match(open);
        if (close <= open || close > b || !onlyCastsAndCollations(s, close + 1, b)) {
            return null;
        }
        if (open == a) {
            return functionLabel(s, a + 1, close);
        }
        return s.is(open + 1, "leading") ? "ltrim" : s.is(open + 1, "trailing") ? "rtrim" : "btrim";
    }

    /**
     * Whether tokens [from, to] name the item of tokens [start, end) as a column reference would: the item is they, under
     * enclosing parentheses, {@code CAST(… AS …)}, casts and {@code COLLATE}.
     */
    public static boolean isNamedBy(Sig s, int start, int end, int from, int to) {
        int a = start;
        int b = end - 1;
        while (a != from) {
            if (s.isSymbol(a, "(") && s.match(a) > to && s.match(a) <= b && onlyCastsAndCollations(s, s.match(a) + 1, b)) {
                b = s.match(a) - 1;
                a++;
            } else if (s.is(a, "cast") && s.isSymbol(a + 1, "(") && s.match(a + 1) > to && s.match(a + 1) <= b
                    && onlyCastsAndCollations(s, s.match(a + 1) + 1, b)) {
                int as = s.find("as", to + 1, s.match(a + 1), s.depth(a) + 1);
                if (as < 0) {
                    return false;
                }
                b = as - 1;
                a += 2;
            } else {
                return false;
            }
        }
        return onlyCastsAndCollations(s, to + 1, b);
    }

    /**
     * {@code value}, the rewritten form of the column reference in tokens [i, k], with {@code AS <column>} when the
     * reference is a whole argument of XMLFOREST or XMLATTRIBUTES: PostgreSQL names those after the column they read and
     * refuses to name any other expression (42601).
     */
    public static String keepingXmlName(Sig s, int i, int k, String value) {
        if (!(s.isSymbol(i - 1, "(") || s.isSymbol(i - 1, ",")) || !(s.isSymbol(k + 1, ")") || s.isSymbol(k + 1, ","))) {
            return value;
        }
        for (int j = i - 1; j > 0; j--) {
            if (s.isSymbol(j, "(") && s.depth(j) == s.depth(i) - 1) {
                return s.is(j - 1, "xmlforest") || s.is(j - 1, "xmlattributes")
                        ? value + " AS " + Identifiers.quote(s.get(k).normalized()) : value;
            }
        }
        return value;
    }

    /** End (inclusive) of the primary expression starting at a: a name chain, (…), CAST(…) or CASE … END; -1 otherwise. */
    private static int primaryEnd(Sig s, int a, int b) {
        if (s.isSymbol(a, "(")) {
            int close = s.match(a);
            return close > a && close <= b ? close : -1;
        }
        if (s.is(a, "cast") && s.isSymbol(a + 1, "(")) {
            int close = s.match(a + 1);
            return close > a && close <= b ? close : -1;
        }
        if (s.is(a, "case")) {
            return caseWord(s, a, b + 1, "end");
        }
        if (!s.isName(a)) {
            return -1;
        }
        int k = a;
        while (k + 2 <= b && s.isSymbol(k + 1, ".") && s.isName(k + 2)) {
            k += 2;
        }
        return s.isSymbol(k + 1, "(") ? -1 : k;
    }

    /**
     * The first {@code word} (ELSE, END) of the CASE at a, before {@code to}: its own, not one of a CASE nested in it
     * (parentheses or not); -1 when there is none.
     */
    private static int caseWord(Sig s, int a, int to, String word) {
        int nested = 0;
        for (int i = a + 1; i < to; i++) {
            if (s.depth(i) != s.depth(a)) {
                continue;
            }
            if (s.is(i, "case")) {
                nested++;
            } else if (nested == 0 && s.is(i, word)) {
                return i;
            } else if (s.is(i, "end")) {
                nested--;
            }
        }
        return -1;
    }

    /** Tokens [from, to] are nothing but {@code :: type} and {@code COLLATE name} suffixes. */
    /** The type (its tokens, normalized) of the cast at {@code k} ({@code ::type} or {@code CAST(… AS type)}), or null. */
    public static String castType(Sig s, int k, int end) {
        int from;
        int to;
        if (s.isSymbol(k, "::")) {
            from = k + 1;
            to = from;
            while (to < end && s.depth(to) >= s.depth(k) && !(s.depth(to) == s.depth(k)
                    && (s.isSymbol(to, "::") || s.is(to, "collate") || s.is(to, "as") || s.isSymbol(to, ")")))) {
                to++;
            }
        } else if (s.is(k, "cast") && s.isSymbol(k + 1, "(") && s.match(k + 1) > 0) {
            to = s.match(k + 1);
            from = s.find("as", k + 2, to, s.depth(k + 2)) + 1;
            if (from <= 0) {
                return null;
            }
        } else {
            return null;
        }
        StringBuilder type = new StringBuilder();
        for (int j = from; j < to; j++) {
            type.append(type.isEmpty() ? "" : " ").append(s.get(j).normalized());
        }
        return type.toString();
    }

    private static boolean onlyCastsAndCollations(Sig s, int from, int to) {
        int i = from;
        while (i <= to) {
            if (s.isSymbol(i, "::") || s.is(i, "collate")) {
                i++;
                if (!s.isName(i)) {
                    return false;
                }
                while (i <= to && !s.isSymbol(i, "::") && !s.is(i, "collate")) {
                    Token t = s.get(i);
                    if (t.isSymbol("(") || t.isSymbol("[")) {
                        i = s.match(i);
                        if (i < 0) {
                            return false;
                        }
                    } else if (!(t.isSymbol(".") || t.isSymbol("]") || t.isSymbol(")")
                            || t.kind() == TokenKind.QUOTED_IDENTIFIER
                            || (t.isName() && !OPERATOR_WORDS.contains(t.normalized())))) {
                        return false;
                    }
                    i++;
                }
            } else {
                return false;
            }
        }
        return true;
    }
}
