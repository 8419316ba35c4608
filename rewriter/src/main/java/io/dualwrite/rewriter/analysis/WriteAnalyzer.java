package io.dualwrite.rewriter.analysis;

import io.dualwrite.rewriter.lexer.Token;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads the structure of INSERT / UPDATE / DELETE from tokens. This is exact for the parts the
 * rewrite depends on (target, alias, SET targets, RETURNING), which is why it also serves when
 * jOOQ cannot parse the statement.
 */
public final class WriteAnalyzer {

    private static final Set<String> NOT_AN_ALIAS = Set.of("set", "using", "where", "returning", "as");

    private final SourceNames names;

    public WriteAnalyzer(SourceNames names) {
        this.names = names;
    }

    /** The shape if {@code s} is INSERT/UPDATE/DELETE whose target is the source table, else null. */
    public WriteShape analyze(Sig s) {
        if (s.is(0, "insert") && s.is(1, "into")) {
            return insert(s);
        }
        if (s.is(0, "update")) {
            return update(s);
        }
        if (s.is(0, "delete") && s.is(1, "from")) {
            return delete(s);
        }
        return null;
    }

    private WriteShape insert(Sig s) {
        int len = names.tableAt(s, 2);
        if (len == 0) {
            return null;
        }
        int j = 2 + len;
        String qualifier = written(s, 2, j);
        boolean alias = false;
        if (s.is(j, "as") && s.isName(j + 1)) {
            qualifier = s.get(j + 1).text();
            alias = true;
        }
        Set<String> assigned = Set.of();
        int setList = -1;
        for (int i = j; i < s.size() - 1; i++) {
            if (s.depth(i) == 0 && s.is(i, "on") && s.is(i + 1, "conflict")) {
                int doAt = s.find("do", i, s.size(), 0);
                if (doAt > 0 && s.is(doAt + 1, "update") && s.is(doAt + 2, "set")) {
                    setList = doAt + 3;
                    assigned = assignments(s, setList, s.size());
                }
                break;
            }
        }
        return new WriteShape(WriteShape.Verb.INSERT, qualifier, alias, hasReturning(s), assigned, setList);
    }

    private WriteShape update(Sig s) {
        Target t = target(s, s.is(1, "only") ? 2 : 1, token -> token.is("set"));
        if (t == null || !s.is(t.next(), "set")) {
            return null;
        }
        return new WriteShape(WriteShape.Verb.UPDATE, t.qualifier(), t.alias(), hasReturning(s),
                assignments(s, t.next() + 1, s.size()), t.next() + 1);
    }

    private WriteShape delete(Sig s) {
        Target t = target(s, s.is(2, "only") ? 3 : 2, token -> NOT_AN_ALIAS.contains(token.normalized()));
        if (t == null) {
            return null;
        }
        return new WriteShape(WriteShape.Verb.DELETE, t.qualifier(), t.alias(), hasReturning(s), Set.of(), -1);
    }

    /** The written target of UPDATE/DELETE: its qualifier for RETURNING, whether that is an alias, and what follows it. */
    private record Target(String qualifier, boolean alias, int next) {
    }

    /** {@code table [*] [[AS] alias]} at {@code j}, or null when the table there is not the source table. */
    private Target target(Sig s, int j, Predicate<Token> notAnAlias) {
        int len = names.tableAt(s, j);
        if (len == 0) {
            return null;
        }
        String qualifier = written(s, j, j + len);
        j += len;
        if (s.isSymbol(j, "*")) {
            j++;
        }
        if (s.is(j, "as") && s.isName(j + 1)) {
            return new Target(s.get(j + 1).text(), true, j + 2);
        }
        if (s.isName(j) && !notAnAlias.test(s.get(j))) {
            return new Target(s.get(j).text(), true, j + 1);
        }
        return new Target(qualifier, false, j);
    }

    static boolean hasReturning(Sig s) {
        return s.find("returning", 0, s.size(), 0) >= 0;
    }

    /**
     * Normalized names on the left-hand side of each assignment from {@code from} up to the
     * clause that ends the SET list. Every name left of '=' counts, so that a subfield or a
     * qualified target can only make the result larger (fail closed).
     */
    static Set<String> assignments(Sig s, int from, int to) {
        Set<String> out = new HashSet<>();
        for (int[] a : assignmentSpans(s, from, to)) {
            for (int i = a[0]; i < a[1] && !(s.depth(i) == s.depth(a[0]) && s.isSymbol(i, "=")); i++) {
                if (s.isName(i)) {
                    out.add(s.get(i).normalized());
                }
            }
        }
        return out;
    }

    /**
     * The token range [start, end) of each assignment of the SET list that starts at {@code from}, up to the clause that
     * ends the list (FROM, WHERE, RETURNING) or {@code to}.
     */
    public static List<int[]> assignmentSpans(Sig s, int from, int to) {
        List<int[]> out = new ArrayList<>();
        if (from >= s.size()) {
            return out;
        }
        int base = s.depth(from);
        int start = from;
        int i = from;
        for (; i < to; i++) {
            int d = s.depth(i);
            Token t = s.get(i);
            if (d < base || d == base && !s.isSymbol(i - 1, ".")
                    && ((t.is("from") && !s.isDistinctFrom(i)) || t.is("where") || t.is("returning"))) {
                break;
            }
            if (d == base && t.isSymbol(",")) {
                out.add(new int[] {start, i});
                start = i + 1;
            }
        }
        out.add(new int[] {start, i});
        return out;
    }

    /** The tokens as written, without the trivia between them ({@code public . users} → {@code public.users}). */
    public static String written(Sig s, int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            b.append(s.get(i).text());
        }
        return b.toString();
    }
}
