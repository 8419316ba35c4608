package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.analysis.Sig;
import java.util.ArrayList;
import java.util.List;

/** {@code WITH [RECURSIVE] name [(columns)] AS [[NOT] MATERIALIZED] (query), …} read from the tokens. */
final class WithQueries {

    /** A WITH query: its name, its column list's names (normalized; empty without one), its query's opening parenthesis. */
    record Query(String name, List<String> columns, int open) {
    }

    private WithQueries() {
    }

    /** The statement's WITH queries, at any level: a FROM item named so may be one of them. */
    static List<Query> all(Sig s) {
        List<Query> out = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            if (s.is(i, "with") && !s.isSymbol(i - 1, ".")) {
                parse(s, i, out);
            }
        }
        return out;
    }

    /**
     * Reads the list that the WITH at {@code with} opens into {@code out}; returns the index after it, or -1 when it is
     * not in that form (what was read stays in {@code out}).
     */
    static int parse(Sig s, int with, List<Query> out) {
        int k = s.is(with + 1, "recursive") ? with + 2 : with + 1;
        while (true) {
            if (!s.isName(k)) {
                return -1;
            }
            String name = s.get(k).normalized();
            List<String> columns = new ArrayList<>();
            if (s.isSymbol(k + 1, "(") && s.match(k + 1) > 0) {
                for (int c = k + 2; c < s.match(k + 1); c += 2) {
                    columns.add(s.get(c).normalized());
                }
                k = s.match(k + 1) + 1;
            } else {
                k++;
            }
            if (!s.is(k, "as")) {
                return -1;
            }
            k = s.is(k + 1, "not") ? k + 2 : k + 1;
            k = s.is(k, "materialized") ? k + 1 : k;
            if (!s.isSymbol(k, "(") || s.match(k) < 0) {
                return -1;
            }
            out.add(new Query(name, columns, k));
            k = s.match(k) + 1;
            if (!s.isSymbol(k, ",")) {
                return k;
            }
            k++;
        }
    }
}
