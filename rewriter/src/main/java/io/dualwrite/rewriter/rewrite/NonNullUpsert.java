package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import java.util.ArrayList;
import java.util.List;

/**
 * The dual write's form for non-NULL values ({@link Rewrite.IfNotNull}) of an UPDATE: which application parameters
 * give the column its new values, and the rewrite that offers the upsert for them. The translated phases' forms are
 * built with the translation ({@link TranslationDraft}).
 */
final class NonNullUpsert {

    private NonNullUpsert() {
    }

    /**
     * The UPDATE's dual write with its form for non-NULL values ({@link Rewrite.IfNotNull}): taken outright for
     * literals, offered for parameters, none for any other value.
     */
    static Rewrite dualWriteUpdate(DualWriteForm.Form form, SourceNames names, String statement, int offset, Sig s) {
        int[] sources = updateValueSources(names, statement, offset, s);
        if (sources == null) {
            return new Rewrite.Rewritten(form.plain(), Rewrite.Kind.DUAL_WRITE);
        }
        Rewrite.Rewritten upsert = new Rewrite.Rewritten(form.plainUpsert(), Rewrite.Kind.DUAL_WRITE);
        return sources.length == 0 ? upsert : new Rewrite.Rewritten(form.plain(), Rewrite.Kind.DUAL_WRITE, 0, null,
                new Rewrite.IfNotNull(upsert, sources));
    }

    /**
     * The application's parameters that give an UPDATE's new values of the column: empty when they are non-NULL
     * literals, null when one is anything else or the SET list is not read with certainty.
     */
    private static int[] updateValueSources(SourceNames names, String statement, int offset, Sig s) {
        Sig t = ParameterTags.tag(statement, offset, s, "", List.of()).sig();
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
