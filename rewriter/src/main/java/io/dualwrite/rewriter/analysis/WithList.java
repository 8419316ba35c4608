package io.dualwrite.rewriter.analysis;

import java.util.List;

/** A statement's own WITH list: where its main statement starts, and its queries' names and spans. */
public final class WithList {

    private WithList() {
    }

    /**
     * Index of the main statement after {@code WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (…), …},
     * or -1 when the CTE list is not in that form; collects the CTE names (normalized) and, into {@code spans} unless
     * it is null, the indexes of each one's name and of the parentheses around its query.
     */
    public static int mainStatement(Sig s, List<String> cteNames, List<int[]> spans) {
        int i = 1;
        if (s.is(i, "recursive")) {
            i++;
        }
        while (true) {
            if (!s.isName(i)) {
                return -1;
            }
            int name = i;
            cteNames.add(s.get(i).normalized());
            i++;
            if (s.isSymbol(i, "(")) {
                int m = s.match(i);
                if (m < 0) {
                    return -1;
                }
                i = m + 1;
            }
            if (!s.is(i, "as")) {
                return -1;
            }
            i++;
            if (s.is(i, "not")) {
                i++;
            }
            if (s.is(i, "materialized")) {
                i++;
            }
            if (!s.isSymbol(i, "(")) {
                return -1;
            }
            int m = s.match(i);
            if (m < 0) {
                return -1;
            }
            if (spans != null) {
                spans.add(new int[] {name, i, m});
            }
            i = m + 1;
            if (s.isSymbol(i, ",")) {
                i++;
                continue;
            }
            return i < s.size() ? i : -1;
        }
    }
}
