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

    /** Replaces [start, end) and drops the edits that lie inside it (they edited text that goes away). */
    public void replaceCovering(int start, int end, String text) {
        edits.removeIf(e -> e.start() >= start && e.end() <= end);
        replace(start, end, text);
    }

    public boolean isEmpty() {
        return edits.isEmpty();
    }

    public String apply(String sql) {
        return apply(sql, 0, sql.length());
    }

    /** {@code sql.substring(from, to)} with the edits that lie inside it (insertions at either end included). */
    public String apply(String sql, int from, int to) {
        List<Edit> sorted = new ArrayList<>();
        for (Edit e : edits) {
            if (e.start() >= from && e.end() <= to) {
                sorted.add(e);
            }
        }
        sorted.sort(Comparator.comparingInt(Edit::start).thenComparingInt(Edit::end).thenComparingInt(Edit::order));
        StringBuilder out = new StringBuilder(to - from + 64 * sorted.size());
        int at = from;
        for (Edit e : sorted) {
            if (e.start() < at) {
                throw new IllegalStateException("overlapping edits at offset " + e.start());
            }
            out.append(sql, at, e.start()).append(e.text());
            at = e.end();
        }
        return out.append(sql, at, to).toString();
    }
}
