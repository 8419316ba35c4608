package io.dualwrite.rewriter.analysis;

import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.Set;

/** Whether the last token of a SELECT-list item is an alias written without AS ({@code SELECT email e}). */
final class BareAlias {

    /**
     * Words that end an expression ({@code IS UNKNOWN}, {@code AT LOCAL}, {@code WITH TIME ZONE}, an interval's field) or
     * continue it. Not the keywords PostgreSQL (14 and later) takes as a bare label and no expression ends with:
     * {@code SELECT email first}, {@code … desc}, {@code … at} are aliases there ({@code IS UNKNOWN} is told by the
     * word before).
     */
    private static final Set<String> NOT_A_BARE_ALIAS = Set.of("null", "true", "false", "end", "is", "not", "and",
            "or", "like", "ilike", "similar", "collate", "between", "in", "escape", "distinct", "from", "then", "else",
            "when", "case", "zone", "precision", "varying", "with", "without", "all", "any", "some", "array", "row",
            "over", "filter", "within", "group", "isnull", "notnull", "local", "year", "month", "day", "hour", "minute",
            "second");
    /**
     * Words of {@link #NOT_A_BARE_ALIAS} that end an expression (a constant, CASE's END, a postfix operator, the last word
     * of a type or an interval's field): a name after one is an alias ({@code CASE … END email}).
     */
    private static final Set<String> ENDS_AN_EXPRESSION = Set.of("null", "true", "false", "end", "isnull", "notnull",
            "zone", "precision", "varying", "local", "year", "month", "day", "hour", "minute", "second");
    /** Last words of type names of two words ({@code national character}), never an alias after a cast. */
    private static final Set<String> TYPE_NAME_ENDS = Set.of("character", "char");

    private BareAlias() {
    }

    /** Whether token {@code last} of the item starting at {@code start} is a bare alias. */
    static boolean at(Sig s, int start, int last) {
        Token t = s.get(last);
        if (!t.isName() || s.depth(last) != s.depth(start)) {
            return false;
        }
        Token p = s.get(last - 1);
        if (t.kind() == TokenKind.IDENTIFIER
                && (NOT_A_BARE_ALIAS.contains(t.normalized()) || TYPE_NAME_ENDS.contains(t.normalized()))
                && !(t.is("zone") && !(p.is("time") && (s.is(last - 2, "with") || s.is(last - 2, "without")))
                    || t.is("local") && !p.is("at"))) {
            return false; // but ZONE not after WITH|WITHOUT TIME, LOCAL not after AT: an alias
        }
        if (p.kind() == TokenKind.IDENTIFIER && NOT_A_BARE_ALIAS.contains(p.normalized())
                && !ENDS_AN_EXPRESSION.contains(p.normalized())) {
            return false;
        }
        return p.isName() || p.isSymbol(")") || p.isSymbol("]") || p.kind() == TokenKind.NUMBER
                || p.kind() == TokenKind.STRING
                || p.kind() == TokenKind.PARAMETER;
    }
}
