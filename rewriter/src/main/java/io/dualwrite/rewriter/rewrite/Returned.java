package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.analysis.Relation;

/** In a write's RETURNING list (tokens from {@code from} on), the value the write left in the column of {@code row}. */
record Returned(Relation row, int from, String value) {

    /** What the column of {@code r} reads at token {@code i}: the written value in a write's RETURNING, else null (the new table). */
    static String valueIn(Returned returned, Relation r, int i) {
        return returned != null && returned.row() == r && i >= returned.from() ? returned.value() : null;
    }
}
