package io.dualwrite.rewriter.analysis;

import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One SELECT's scope ({@link ReadScopes}): the tokens it owns, its FROM relations and SELECT-list items, the names
 * its SELECT list outputs, and where its clauses start and end.
 */
public final class Scope {

    private static final Set<String> ORDER_ITEM_END = Set.of("asc", "desc", "nulls", "using");

    public final int select;
    public final int depth;
    public final Scope parent;
    public int end;
    public final List<Relation> relations = new ArrayList<>();
    public final List<ReadScopes.Item> items = new ArrayList<>();
    public final Set<String> outputNames = new HashSet<>();
    /** The SELECT list's stars ({@code *}, {@code q.*}, {@code schema.table.*}): see {@link #starCoversSource}. */
    final List<ReadScopes.Item> stars = new ArrayList<>();
    public boolean naturalOrUsing;
    /** A NATURAL join in FROM: it joins on every column name the two sides share. */
    public boolean natural;
    /** A JOIN … USING whose list names the migrated column, with the migrated table among the FROM items before it. */
    public boolean joinsUsingColumn;
    /**
     * The scope follows UNION, INTERSECT or EXCEPT: a trailing ORDER BY at its level sorts the
     * whole set operation and can name only its output columns.
     */
    public boolean setOperand;
    /** The clauses of an INSERT/UPDATE/DELETE ({@link ReadScopes#ofWrite}): an unqualified column is the written table's. */
    public boolean writeRoot;
    /** The scope has GROUP BY or HAVING: an aggregate of an outer reference in a subquery may belong to it. */
    public boolean grouped;
    /** GROUP BY's tokens [groupStart, groupEnd), or -1. */
    public int groupStart = -1;
    public int groupEnd = -1;
    /** GROUP BY has ROLLUP, CUBE or GROUPING SETS: then PostgreSQL lets no column through for being functionally dependent. */
    public boolean groupingSets;
    /**
     * Names here do not resolve in the enclosing scopes: a query under a write that cannot see the written table, as an
     * INSERT's VALUES or SELECT and a write's WITH queries cannot in PostgreSQL ({@link ReadScopes#hideWrittenTable}).
     */
    boolean outermost;
    int orderStart = -1;
    int orderEnd = -1;
    int distinctOnStart = -1;
    int distinctOnEnd = -1;
    /** The FROM and WHERE keywords and the ends of their clauses (exclusive); -1 when absent. */
    public int fromStart = -1;
    public int fromEnd = -1;
    public int whereStart = -1;
    public int whereEnd = -1;
    final BitSet clauseStarts = new BitSet();

    Scope(int select, int depth, Scope parent) {
        this.select = select;
        this.depth = depth;
        this.parent = parent;
    }

    public boolean hasSource() {
        for (Relation r : relations) {
            if (r.source) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a star of the SELECT list outputs the migrated table's columns, the migrated column among them, so that a
     * bare name in ORDER BY or DISTINCT ON may mean that output column. A star over other tables does not: the same
     * name there is the migrated table's column (or ambiguous), never passed over.
     */
    public boolean starCoversSource(Sig s) {
        for (ReadScopes.Item star : stars) {
            if (star.end - star.start == 1) {
                if (hasSource()) {
                    return true;
                }
            } else {
                Relation r = resolveQualifier(s.get(star.end - 3).normalized());
                if (r == null || r.source) {
                    return true; // an unknown qualifier: assume the worst
                }
            }
        }
        return false;
    }

    /** Whether the SELECT list has a star ({@code *}, {@code q.*}): which names it outputs the tokens do not tell. */
    public boolean hasStar() {
        return !stars.isEmpty();
    }

    public boolean anyAncestorHasSource() {
        for (Scope sc = this; sc.enclosing() != null; sc = sc.enclosing()) {
            if (sc.enclosing().hasSource()) {
                return true;
            }
        }
        return false;
    }

    /** The relation a qualifier names, innermost scope first; null if none. */
    public Relation resolveQualifier(String normalized) {
        for (Scope sc = this; sc != null; sc = sc.enclosing()) {
            for (Relation r : sc.relations) {
                if (normalized.equals(r.refName)) {
                    return r;
                }
            }
        }
        return null;
    }

    /**
     * The migrated table where a schema-qualified name ({@code public.users.email}) finds it, innermost scope first:
     * PostgreSQL matches such a name by the table itself among the FROM items without an alias, so an item aliased
     * like the table ({@code orders users}) does not hide it; null if none.
     */
    public Relation unaliasedSource() {
        for (Scope sc = this; sc != null; sc = sc.enclosing()) {
            for (Relation r : sc.relations) {
                if (r.source && !r.aliased) {
                    return r;
                }
            }
        }
        return null;
    }

    /** Records GROUP BY in tokens [start, end). */
    void groupBy(Sig s, int start, int end) {
        groupStart = start;
        groupEnd = end;
        for (int k = start + 2; k < end; k++) {
            groupingSets |= (s.is(k, "rollup") || s.is(k, "cube")) && s.isSymbol(k + 1, "(")
                    || s.is(k, "grouping") && s.is(k + 1, "sets");
        }
    }

    /** The scope, this one or an enclosing one, whose FROM has {@code r}; null if none. */
    public Scope owning(Relation r) {
        for (Scope sc = this; sc != null; sc = sc.enclosing()) {
            if (sc.relations.contains(r)) {
                return sc;
            }
        }
        return null;
    }

    /**
     * Whether GROUP BY lists {@code r}'s column {@code column} as a plain reference ({@code id}, {@code u.id}), one
     * grouping item on its own.
     */
    public boolean groupsBy(Sig s, Relation r, String column) {
        for (int k = groupStart + 2; groupStart >= 0 && k < groupEnd; k++) {
            boolean named = s.isName(k) && s.get(k).normalized().equals(column) && (!s.isSymbol(k - 1, ".")
                    || s.get(k - 2).normalized().equals(r.refName) && !s.isSymbol(k - 3, "."));
            int first = s.isSymbol(k - 1, ".") ? k - 2 : k;
            if (named && (first == groupStart + 2 || s.isSymbol(first - 1, ",")) && (k + 1 >= groupEnd || s.isSymbol(k + 1, ","))
                    && s.depth(k) == s.depth(groupStart)) {
                return true;
            }
        }
        return false;
    }

    /** The nearest enclosing scope (this one excluded) that has the migrated table in FROM, or null. */
    public Scope enclosingWithSource() {
        for (Scope sc = enclosing(); sc != null; sc = sc.enclosing()) {
            if (sc.hasSource()) {
                return sc;
            }
        }
        return null;
    }

    /** The scope on the way out from this one whose parent is {@code outer} (this one, if its parent is). */
    public Scope childOf(Scope outer) {
        Scope sc = this;
        while (sc != null && sc.parent != outer) {
            sc = sc.parent;
        }
        return sc;
    }

    /** The scope whose names this one also sees: its parent, unless this is {@link #outermost}. */
    private Scope enclosing() {
        return outermost ? null : parent;
    }

    public ReadScopes.Item itemContaining(int i) {
        for (ReadScopes.Item item : items) {
            if (i >= item.start && i < item.end) {
                return item;
            }
        }
        return null;
    }

    /** Token {@code i} lies in this scope's FROM or WHERE clause, which PostgreSQL evaluates before grouping. */
    public boolean beforeGrouping(int i) {
        return fromStart >= 0 && i > fromStart && i < fromEnd || whereStart >= 0 && i > whereStart && i < whereEnd;
    }

    public boolean inOrderBy(int i) {
        return orderStart >= 0 && i > orderStart && i < orderEnd;
    }

    /** Inside the parentheses of {@code DISTINCT ON (…)}, which resolves names like ORDER BY. */
    public boolean inDistinctOn(int i) {
        return distinctOnStart >= 0 && i > distinctOnStart && i < distinctOnEnd;
    }

    /**
     * Whether name {@code i} of ORDER BY or DISTINCT ON is an item on its own (perhaps in parentheses, which the parser
     * drops), where PostgreSQL looks for an output column of that name first (SQL-92 rules); not an argument of a
     * function nor inside a window's {@code OVER (ORDER BY …)}, where a name is always an input column.
     */
    public boolean isBareItem(Sig s, int i) {
        boolean distinctOn = inDistinctOn(i);
        int before = i - 1;
        int after = i + 1;
        while (s.isSymbol(before, "(") && s.match(before) == after && !(distinctOn && before == distinctOnStart)) {
            before--;
            after++;
        }
        int listDepth = distinctOn ? s.depth(distinctOnStart) + 1 : s.depth(orderStart);
        boolean starts = distinctOn && before == distinctOnStart
                || (s.depth(before) == listDepth && (s.is(before, "by") || s.isSymbol(before, ",")));
        Token n = after < s.size() ? s.get(after) : null;
        if (!starts || n == null) {
            return starts;
        }
        if (distinctOn) {
            return after == distinctOnEnd || (n.isSymbol(",") && s.depth(after) == listDepth);
        }
        return n.isSymbol(",") || isClauseEnd(after)
                || (n.kind() == TokenKind.IDENTIFIER && ORDER_ITEM_END.contains(n.normalized()));
    }

    /**
     * The conjuncts of this scope's WHERE, each {start, end} in tokens; none without WHERE or when OR or CASE (whose WHEN
     * conditions hold ANDs) stands at the clause's own level. AND is the loosest operator but OR, so there splitting at
     * AND gives the conjuncts; the AND of a BETWEEN belongs to it.
     */
    public List<int[]> whereConjuncts(Sig s, ReadScopes scopes) {
        if (whereStart < 0) {
            return List.of();
        }
        List<int[]> out = new ArrayList<>();
        int start = whereStart + 1;
        int betweens = 0;
        for (int i = whereStart + 1; i < whereEnd; i++) {
            if (s.depth(i) != depth || scopes.owner(i) != this || s.get(i).kind() != TokenKind.IDENTIFIER
                    || s.isSymbol(i - 1, ".")) {
                continue;
            }
            if (s.is(i, "or") || s.is(i, "case")) {
                return List.of();
            }
            if (s.is(i, "between")) {
                betweens++;
            } else if (s.is(i, "and") && betweens > 0) {
                betweens--;
            } else if (s.is(i, "and")) {
                out.add(new int[] {start, i});
                start = i + 1;
            }
        }
        out.add(new int[] {start, whereEnd});
        return out;
    }

    public boolean isClauseEnd(int i) {
        return i >= end || clauseStarts.get(i);
    }

}
