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
        int depth = s.depth(merge);
        boolean updates = false;
        boolean deletes = false;
        boolean inserts = false;
        Set<String> assigned = new LinkedHashSet<>();
        Set<String> insertColumns = new LinkedHashSet<>();
        boolean positional = false;
        int cases = 0; // CASE … END at the MERGE's depth: their WHEN is not a MERGE clause's
        for (int i = merge + 1; i < s.size() && s.depth(i) >= depth; i++) {
            if (s.depth(i) != depth || s.isSymbol(i - 1, ".")) {
                continue;
            }
            if (s.is(i, "case")) {
                cases++;
            } else if (s.is(i, "end") && cases > 0) {
                cases--;
            } else if (cases == 0 && s.is(i, "then")) {
                if (s.is(i + 1, "update") && s.is(i + 2, "set")) {
                    updates = true;
                    assigned.addAll(setTargets(s, i + 2, depth));
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
        }
        return new MergeActions(updates, deletes, inserts, Set.copyOf(assigned),
                positional ? null : Set.copyOf(insertColumns));
    }

    /** The targets of the SET list whose {@code SET} is token {@code set}, up to the next MERGE clause. */
    private static List<String> setTargets(Sig s, int set, int depth) {
        List<String> targets = new ArrayList<>();
        int cases = 0;
        boolean expectTarget = true;
        for (int k = set + 1; k < s.size() && s.depth(k) >= depth; k++) {
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
            if (expectTarget) {
                if (s.isSymbol(k, "(") || s.is(k, "row") && s.isSymbol(k + 1, "(")) {
                    targets.addAll(names(s, s.isSymbol(k, "(") ? k : k + 1));
                } else if (s.isName(k)) {
                    targets.add(s.get(k).normalized());
                }
                expectTarget = false;
            }
            if (s.isSymbol(k, ",") && cases == 0) {
                expectTarget = true;
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
