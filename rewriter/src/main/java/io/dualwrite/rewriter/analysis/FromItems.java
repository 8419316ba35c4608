package io.dualwrite.rewriter.analysis;

import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * The FROM list of one query scope, or of a write's FROM / USING clause ({@link ReadScopes}), read into the scope's
 * relations: tables and functions by name, derived tables, {@code ROWS FROM}, parenthesized joins, each with its alias
 * and column alias list, and whether NATURAL or USING joins merge columns. The names it reads are relations, not
 * column references, and are marked so in the scopes' shared set.
 */
final class FromItems {

    private static final Set<String> NOT_AN_ALIAS = Set.of("on", "using", "join", "inner", "left", "right", "full",
            "cross", "natural", "where", "group", "having", "window", "order", "limit", "offset", "fetch", "for",
            "union", "intersect", "except", "tablesample", "with", "into", "returning", "lateral", "outer");

    private final Sig s;
    private final SourceNames names;
    private final Scope[] owner;
    private final BitSet notReferences;
    private String refusal;

    FromItems(Sig s, SourceNames names, Scope[] owner, BitSet notReferences) {
        this.s = s;
        this.names = names;
        this.owner = owner;
        this.notReferences = notReferences;
    }

    /**
     * Reads tokens [from, to) of {@code sc}'s FROM list into its relations; why references through them cannot be
     * resolved with certainty, or null.
     */
    String read(Scope sc, int from, int to) {
        refusal = null;
        relations(sc, from, to);
        return refusal;
    }

    private void relations(Scope sc, int from, int to) {
        Set<Integer> fromDepths = new HashSet<>();
        fromDepths.add(sc.depth);
        Deque<int[]> groups = new ArrayDeque<>(); // {closing index, first relation inside}
        boolean expect = true;
        int i = from;
        while (i < to) {
            if (owner[i] != sc) {
                i++;
                continue;
            }
            Token t = s.get(i);
            if (expect) {
                if (t.is("lateral") || t.is("only")) {
                    i++;
                } else if (t.isSymbol("(")) {
                    int close = s.match(i);
                    if (close < 0) {
                        refusal = "unbalanced parentheses in FROM";
                        return;
                    }
                    if (s.is(i + 1, "select") || s.is(i + 1, "values") || s.is(i + 1, "with")) {
                        Relation r = new Relation();
                        r.derivedOpen = i;
                        i = alias(r, close + 1, null);
                        r.end = i;
                        sc.relations.add(r);
                        expect = false;
                    } else {
                        fromDepths.add(s.depth(i) + 1);
                        groups.push(new int[] {close, sc.relations.size()});
                        i++;
                    }
                } else if (s.is(i, "rows") && s.is(i + 1, "from") && s.isSymbol(i + 2, "(") && s.match(i + 2) > 0) {
                    i = rowsFrom(sc, i);
                    expect = false;
                } else if (s.isIdentifier(i)) {
                    i = namedRelation(sc, i);
                    expect = false;
                } else {
                    expect = false;
                    i++;
                }
                continue;
            }
            if (!groups.isEmpty() && groups.peek()[0] == i) {
                int first = groups.pop()[1];
                boolean aliased = s.is(i + 1, "as") || (s.isName(i + 1)
                        && (s.get(i + 1).kind() == TokenKind.QUOTED_IDENTIFIER
                        || !NOT_AN_ALIAS.contains(s.get(i + 1).normalized())));
                for (int r = first; aliased && r < sc.relations.size(); r++) {
                    if (sc.relations.get(r).source) {
                        refusal = "an alias on a parenthesized join hides the migrated table's name; remove the alias";
                    }
                }
            }
            if ((t.isSymbol(",") && fromDepths.contains(s.depth(i))) || t.is("join")) {
                expect = true;
            } else if (t.is("natural")) {
                sc.naturalOrUsing = true;
                sc.natural = true;
            } else if (t.is("using") && s.isSymbol(i + 1, "(") && s.match(i + 1) > 0) {
                sc.naturalOrUsing = true;
                int close = s.match(i + 1);
                for (int j = i + 2; j < close && sc.hasSource(); j++) {
                    if (s.isIdentifier(j) && names.isColumn(s.get(j).normalized())) {
                        if (sc.writeRoot) {
                            // the written table cannot become a derived table (DerivedSources#wrap)
                            refusal = "a JOIN … USING on the migrated column in a write's own FROM or USING list cannot"
                                    + " be rewritten; use JOIN … ON";
                        }
                        sc.joinsUsingColumn = true;
                    }
                }
                markNotReference(i, close + 1);
                i = close + 1;
                continue;
            }
            i++;
        }
    }

    private int namedRelation(Scope sc, int i) {
        int k = i;
        while (s.isSymbol(k + 1, ".") && s.isName(k + 2)) {
            k += 2;
        }
        int j = k + 1;
        Relation r = new Relation();
        if (s.isSymbol(j, "(") && s.match(j) > 0) {
            r.refName = s.get(k).normalized();
            r.qualifier = s.get(k).text();
            j = s.match(j) + 1;
            if (s.is(j, "with") && s.is(j + 1, "ordinality")) {
                j += 2;
            }
            markNotReference(i, k + 1);
        } else {
            int len = names.tableAt(s, i);
            r.source = len > 0 && len == k - i + 1;
            r.refName = s.get(k).normalized();
            r.tableName = r.refName;
            r.tableSchema = k > i ? s.get(k - 2).normalized() : null;
            r.qualifier = WriteAnalyzer.written(s, i, k + 1);
            if (s.isSymbol(j, "*")) {
                j++;
            }
            markNotReference(i, j);
            r.start = s.is(i - 1, "only") ? i - 1 : i;
            r.nameEnd = j;
        }
        j = alias(r, j, r.qualifier);
        r.end = j;
        sc.relations.add(r);
        return j;
    }

    /** {@code ROWS FROM (f(…), …)} at i, which PostgreSQL names after its first function unless aliased. */
    private int rowsFrom(Scope sc, int i) {
        int k = i + 3;
        while (s.isSymbol(k + 1, ".") && s.isName(k + 2)) {
            k += 2;
        }
        Relation r = new Relation();
        r.refName = s.get(k).normalized();
        r.qualifier = s.get(k).text();
        markNotReference(i, i + 2);
        int j = s.match(i + 2) + 1;
        if (s.is(j, "with") && s.is(j + 1, "ordinality")) {
            j += 2;
        }
        j = alias(r, j, r.qualifier);
        r.end = j;
        sc.relations.add(r);
        return j;
    }

    /** Parses {@code [AS] alias [(columns)]} at j; returns the index after it. */
    private int alias(Relation r, int j, String fallback) {
        int a = -1;
        if (s.is(j, "as") && s.isName(j + 1)) {
            a = j + 1;
        } else if (s.isName(j) && (s.get(j).kind() == TokenKind.QUOTED_IDENTIFIER
                || !NOT_AN_ALIAS.contains(s.get(j).normalized()))) {
            a = j;
        }
        if (a < 0) {
            r.qualifier = fallback;
            return j;
        }
        r.aliased = true;
        r.refName = s.get(a).normalized();
        r.qualifier = s.get(a).text();
        markNotReference(j, a + 1);
        j = a + 1;
        if (s.isSymbol(j, "(") && s.match(j) > 0) {
            r.columnAliases = true;
            int close = s.match(j);
            r.columnAliasCount = 1;
            for (int k = j + 1; k < close; k++) {
                if (s.isSymbol(k, ",") && s.depth(k) == s.depth(j + 1)) {
                    r.columnAliasCount++;
                } else if (s.isName(k) && (k == j + 1 || s.isSymbol(k - 1, ","))) {
                    r.columnAliasNames.add(s.get(k).normalized());
                }
            }
            markNotReference(j, close + 1);
            j = close + 1;
        }
        return j;
    }

    private void markNotReference(int from, int to) {
        notReferences.set(from, to);
    }
}
