package io.dualwrite.rewriter.analysis;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the {@code WHEN … THEN} actions of one MERGE do to its target: whether any updates, deletes or inserts rows, the
 * columns its {@code UPDATE SET} lists assign, and the columns its INSERTs name ({@code null} when one is positional:
 * {@code INSERT VALUES (…)} without a column list gives every column in table order).
 *
 * @param assigned      the columns the {@code UPDATE SET} lists assign, alone ({@code a = …}, {@code a[1] = …},
 *                      {@code a.f = …}) or in a row ({@code (a, b) = …}), normalized
 * @param insertColumns the columns the INSERTs name, normalized; {@code DEFAULT VALUES} names none; null when an
 *                      INSERT is positional
 */
public record MergeActions(boolean updates, boolean deletes, boolean inserts, Set<String> assigned,
                           Set<String> insertColumns) {

    /** The actions of the MERGE whose verb is token {@code merge}. */
    public static MergeActions of(Sig s, int merge) {
        boolean updates = false;
        boolean deletes = false;
        boolean inserts = false;
        Set<String> assigned = new LinkedHashSet<>();
        Set<String> insertColumns = new LinkedHashSet<>();
        boolean positional = false;
        for (int i : thens(s, merge)) {
            if (s.is(i + 1, "update") && s.is(i + 2, "set")) {
                updates = true;
                assigned.addAll(setTargets(s, i + 2, s.depth(merge)));
            } else if (s.is(i + 1, "delete")) {
                deletes = true;
            } else if (s.is(i + 1, "insert")) {
                inserts = true;
                if (s.isSymbol(i + 2, "(")) {
                    insertColumns.addAll(names(s, i + 2));
                } else if (!(s.is(i + 2, "default") && s.is(i + 3, "values"))) {
                    positional = true;
                }
            }
        }
        return new MergeActions(updates, deletes, inserts, Set.copyOf(assigned),
                positional ? null : Set.copyOf(insertColumns));
    }

    /**
     * The token range [start, end) of each UPDATE action's SET list of the MERGE whose verb is token {@code merge}: from
     * the token after {@code SET} up to the next MERGE clause ({@code WHEN}, {@code RETURNING}) or the statement's end.
     */
    public static List<int[]> updateSetLists(Sig s, int merge) {
        List<int[]> lists = new ArrayList<>();
        for (int i : thens(s, merge)) {
            if (s.is(i + 1, "update") && s.is(i + 2, "set")) {
                lists.add(new int[] {i + 3, setListEnd(s, i + 2, s.depth(merge))});
            }
        }
        return lists;
    }

    /** The {@code THEN} of each action of the MERGE whose verb is token {@code merge}. */
    private static List<Integer> thens(Sig s, int merge) {
        int depth = s.depth(merge);
        List<Integer> thens = new ArrayList<>();
        int cases = 0; // CASE … END at the MERGE's depth: their WHEN … THEN is not a MERGE clause's
        for (int i = merge + 1; i < s.size() && s.depth(i) >= depth; i++) {
            if (s.depth(i) != depth || s.isSymbol(i - 1, ".")) {
                continue;
            }
            if (s.is(i, "case")) {
                cases++;
            } else if (s.is(i, "end") && cases > 0) {
                cases--;
            } else if (cases == 0 && s.is(i, "then")) {
                thens.add(i);
            }
        }
        return thens;
    }

    /** The token after the SET list whose {@code SET} is token {@code set}: the next MERGE clause, or the end. */
    private static int setListEnd(Sig s, int set, int depth) {
        int cases = 0;
        int k = set + 1;
        for (; k < s.size() && s.depth(k) >= depth; k++) {
            if (s.depth(k) != depth) {
                continue;
            }
            if (s.is(k, "case")) {
                cases++;
            } else if (s.is(k, "end") && cases > 0) {
                cases--;
            } else if (cases == 0 && (s.is(k, "when") || s.is(k, "returning")) && !s.isSymbol(k - 1, ".")) {
                break;
            }
        }
        return k;
    }

    /** The targets of the SET list whose {@code SET} is token {@code set}, up to the next MERGE clause. */
    private static List<String> setTargets(Sig s, int set, int depth) {
        List<String> targets = new ArrayList<>();
        for (int[] a : WriteAnalyzer.assignmentSpans(s, set + 1, setListEnd(s, set, depth))) {
            int k = a[0];
            if (k >= a[1]) {
                continue;
            }
            if (s.isSymbol(k, "(") || s.is(k, "row") && s.isSymbol(k + 1, "(")) {
                targets.addAll(names(s, s.isSymbol(k, "(") ? k : k + 1));
            } else if (s.isName(k)) {
                targets.add(s.get(k).normalized());
            }
        }
        return targets;
    }

    /** The first name of each comma-separated item of the parenthesized list opening at {@code open}. */
    private static List<String> names(Sig s, int open) {
        List<String> out = new ArrayList<>();
        int close = s.match(open);
        for (int k = open + 1; k < close; k++) {
            if (s.depth(k) == s.depth(open) + 1 && (s.isSymbol(k - 1, "(") && k == open + 1 || s.isSymbol(k - 1, ","))
                    && s.isName(k)) {
                out.add(s.get(k).normalized());
            }
        }
        return out;
    }
}
