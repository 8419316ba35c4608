package io.dualwrite.rewriter.rewrite;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Replacements at character offsets of the application's SQL; everything else is kept byte for byte. */
public final class Splice {

    private record Edit(int start, int end, String text, int order) {
    }

    private final List<Edit> edits = new ArrayList<>();

    public void replace(int start, int end, String text) {
        edits.add(new Edit(start, end, text, edits.size()));
    }

    public void insert(int at, String text) {
        replace(at, at, text);
    }

    public boolean isEmpty() {
        return edits.isEmpty();
    }

    public String apply(String sql) {
        List<Edit> sorted = new ArrayList<>(edits);
        sorted.sort(Comparator.comparingInt(Edit::start).thenComparingInt(Edit::end).thenComparingInt(Edit::order));
        StringBuilder out = new StringBuilder(sql.length() + 64 * sorted.size());
        int at = 0;
        for (Edit e : sorted) {
            if (e.start() < at) {
                throw new IllegalStateException("overlapping edits at offset " + e.start());
            }
            out.append(sql, at, e.start()).append(e.text());
            at = e.end();
        }
        return out.append(sql, at, sql.length()).toString();
    }
}
