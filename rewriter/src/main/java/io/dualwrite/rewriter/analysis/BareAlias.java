package io.dualwrite.rewriter.analysis;

import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.Set;

/** Whether the last token of a SELECT-list item is an alias written without AS ({@code SELECT email e}). */
final class BareAlias {

    private static final Set<String> NOT_A_BARE_ALIAS = Set.of("null", "true", "false", "end", "is", "not", "and",
            "or", "like", "ilike", "similar", "collate", "between", "in", "escape", "distinct", "from", "then", "else",
            "when", "case", "zone", "time", "precision", "varying", "with", "without", "default", "all", "any", "some",
            "array", "row", "interval", "asc", "desc", "nulls", "first", "last", "unknown", "over", "filter",
            "within", "group", "isnull", "notnull", "at", "local", "year", "month", "day", "hour", "minute", "second");
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
        if (t.kind() == TokenKind.IDENTIFIER
                && (NOT_A_BARE_ALIAS.contains(t.normalized()) || TYPE_NAME_ENDS.contains(t.normalized()))) {
            return false;
        }
        Token p = s.get(last - 1);
        if (p.kind() == TokenKind.IDENTIFIER && NOT_A_BARE_ALIAS.contains(p.normalized())) {
            return false;
        }
        return p.isName() || p.isSymbol(")") || p.isSymbol("]") || p.kind() == TokenKind.NUMBER
                || p.kind() == TokenKind.STRING
                || p.kind() == TokenKind.PARAMETER;
    }
}
