package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.Relation;
import io.dualwrite.rewriter.analysis.Scope;
import io.dualwrite.rewriter.analysis.Sig;
import java.util.ArrayList;
import java.util.List;

/**
 * The query a FROM item of a statement reads, for {@link ResultOrigins}: its own derived table's or the WITH query it
 * names (the one of that name; none where several are), where that query's SELECT is, and the names the item gives its
 * columns (its column alias list first, then the WITH query's).
 */
final class FromItemQueries {

    private final Sig s;
    private final ReadScopes scopes;
    private List<WithQueries.Query> withQueries;

    FromItemQueries(Sig s, ReadScopes scopes) {
        this.s = s;
        this.scopes = scopes;
    }

    /** The opening parenthesis of the query FROM item {@code r} reads: its own, or its WITH query's; else -1. */
    int open(Relation r) {
        if (r.derivedOpen >= 0) {
            return r.derivedOpen;
        }
        WithQueries.Query w = withQuery(r);
        return w == null ? -1 : w.open();
    }

    /** The scope of the SELECT at token {@code select}; null when there is none (VALUES, a parenthesized query). */
    Scope scopeAt(int select) {
        for (Scope scope : scopes.scopes()) {
            if (scope.select == select) {
                return scope;
            }
        }
        return null;
    }

    /** Whether the query in the parentheses opened at {@code open} is a set operation at its own level. */
    boolean hasSetOperator(int open) {
        int close = s.match(open);
        for (int k = open + 1; k < close; k++) {
            if (s.depth(k) == s.depth(open + 1) && isSetOperator(k)) {
                return true;
            }
        }
        return false;
    }

    boolean isSetOperator(int i) {
        return s.is(i, "union") || s.is(i, "intersect") || s.is(i, "except");
    }

    /** {@code names}, the columns FROM item {@code r} reads, as it names them: its column alias list first, then its WITH query's. */
    List<String> renamed(Relation r, List<String> names) {
        WithQueries.Query w = r.derivedOpen >= 0 ? null : withQuery(r);
        List<String> withColumns = w == null ? List.of() : w.columns();
        List<String> out = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            out.add(k < r.columnAliasNames.size() ? r.columnAliasNames.get(k)
                    : k < withColumns.size() ? withColumns.get(k) : names.get(k));
        }
        return out;
    }

    /** The one WITH query FROM item {@code r} may name; null when none or several. */
    WithQueries.Query withQuery(Relation r) {
        if (r.tableName == null || r.tableSchema != null) {
            return null;
        }
        if (withQueries == null) {
            withQueries = WithQueries.all(s);
        }
        WithQueries.Query found = null;
        for (WithQueries.Query w : withQueries) {
            if (w.name().equals(r.tableName)) {
                if (found != null) {
                    return null;
                }
                found = w;
            }
        }
        return found;
    }
}
