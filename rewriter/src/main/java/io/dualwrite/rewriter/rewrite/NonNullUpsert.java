package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import java.util.ArrayList;
import java.util.List;

/**
 * The dual write's form for non-NULL values ({@link Rewrite.IfNotNull}) of an INSERT or UPDATE: which application
 * parameters give the column its values, and the rewrite that offers the upsert for them. The translated phases'
 * forms are built with the translation ({@link TranslationDraft}).
 */
final class NonNullUpsert {

    private NonNullUpsert() {
    }

    /**
     * The write's dual write with its form for non-NULL values ({@link Rewrite.IfNotNull}): taken outright for
     * literals, offered for parameters, none for any other value. {@code insert}: an INSERT, else an UPDATE.
     */
    static Rewrite dualWrite(boolean insert, DualWriteForm.Form form, SourceNames names, String statement, int offset, Sig s) {
        Sig t = ParameterTags.tag(statement, offset, s, "", List.of()).sig();
        int[] sources = insert ? insertValueSources(names, t) : updateValueSources(names, t);
        if (sources == null) {
            return new Rewrite.Rewritten(form.plain(), Rewrite.Kind.DUAL_WRITE);
        }
        Rewrite.Rewritten upsert = new Rewrite.Rewritten(form.plainUpsert(), Rewrite.Kind.DUAL_WRITE);
        return sources.length == 0 ? upsert : new Rewrite.Rewritten(form.plain(), Rewrite.Kind.DUAL_WRITE, 0, null,
                new Rewrite.IfNotNull(upsert, sources));
    }

    /**
     * The parameters that give an {@code INSERT INTO table [AS alias] (columns) VALUES (…), … [ON CONFLICT … DO
     * NOTHING]} the column's values: empty when they are non-NULL literals; null for any other value or shape (no
     * column list, the column left to its default, {@code DEFAULT}, a query, DO UPDATE: whose stored value for an
     * existing row may be NULL).
     */
    private static int[] insertValueSources(SourceNames names, Sig t) {
        if (!t.is(0, "insert") || !t.is(1, "into")) {
            return null;
        }
        int j = 2 + names.tableAt(t, 2);
        if (j == 2) {
            return null;
        }
        if (t.is(j, "as") && t.isName(j + 1)) {
            j += 2;
        }
        if (!t.isSymbol(j, "(") || t.is(j + 1, "select") || t.is(j + 1, "with") || t.is(j + 1, "values")) {
            return null;
        }
        int close = t.match(j), column = -1, position = 0;
        for (int k = j + 1; k < close; k += 2, position++) {
            if (!t.isName(k) || !(k + 1 == close || t.isSymbol(k + 1, ","))) {
                return null;
            }
            if (names.isColumn(t.get(k).normalized())) {
                if (column >= 0) {
                    return null;
                }
                column = position;
            }
        }
        if (column < 0 || !t.is(close + 1, "values")) {
            return null;
        }
        List<Integer> sources = new ArrayList<>();
        int k = close + 2;
        while (true) {
            if (!t.isSymbol(k, "(") || t.match(k) <= k) {
                return null;
            }
            int end = t.match(k);
            List<int[]> values = InsertClauses.expressions(t, new int[] {k, end});
            int source = column < values.size() ? TranslationDraft.notNullSource(t, values.get(column)[0], values.get(column)[1]) : -1;
            if (source < 0) {
                return null;
            }
            if (source > 0) {
                sources.add(source);
            }
            k = end + 1;
            if (!t.isSymbol(k, ",")) {
                break;
            }
            k++;
        }
        int doAt = t.find("do", k, t.size(), 0);
        boolean doNothing = t.is(k, "on") && t.is(k + 1, "conflict") && doAt == t.size() - 2 && t.is(doAt + 1, "nothing");
        if (k != t.size() && !doNothing) {
            return null;
        }
        return sources.stream().mapToInt(Integer::intValue).distinct().toArray();
    }

    /**
     * The application's parameters that give an UPDATE's new values of the column: empty when they are non-NULL
     * literals, null when one is anything else or the SET list is not read with certainty.
     */
    private static int[] updateValueSources(SourceNames names, Sig t) {
        int set = t.find("set", 1, t.size(), 0);
        if (set < 0) {
            return null;
        }
        List<TranslationDraft.Assignment> list = TranslationDraft.assignments(t, set + 1, TranslationDraft.setEnd(t, set + 1));
        if (list == null) {
            return null;
        }
        List<Integer> sources = new ArrayList<>();
        boolean assigned = false;
        for (TranslationDraft.Assignment a : list) {
            boolean column = false;
            for (int i = a.start(); i < a.eq(); i++) {
                column |= t.isIdentifier(i) && names.isColumn(t.get(i).normalized());
            }
            if (!column) {
                continue;
            }
            assigned = true;
            int source = a.eq() == a.start() + 1 ? TranslationDraft.notNullSource(t, a.eq() + 1, a.end()) : -1;
            if (source < 0) {
                return null;
            }
            if (source > 0) {
                sources.add(source);
            }
        }
        return assigned ? sources.stream().mapToInt(Integer::intValue).distinct().toArray() : null;
    }
}
