package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.WriteShape;
import java.util.List;

/**
 * {@code INSERT INTO users (id, …, email) <query>}: the inserted rows' values of the old column are
 * not in the inserted row, so the query is computed once (a MATERIALIZED CTE), the INSERT takes every
 * other column from it, and the sync joins the inserted keys back to the query's rows on the key
 * column. Exact because the key is unique (the migration's premise): one query row per inserted key.
 * Without ON CONFLICT only: a skipped duplicate would join to the wrong row.
 */
final class InsertSelectForm {

    private InsertSelectForm() {
    }

    static Rewrite translate(TranslationDraft d, WriteShape shape, List<Integer> columnTokens, int column, int key,
                             int sourceStart, int sourceEnd, int returning, NewSchemaTranslator owner) {
        Sig t = d.t;
        if (returning >= 0 && d.edited(returning + 1, t.size()).contains(TranslationDraft.RETURNED)) {
            return owner.refused(d.statement, "an INSERT … SELECT … RETURNING the migrated column",
                    "return the column from a SELECT after the insert, or insert with VALUES");
        }
        StringBuilder aliases = new StringBuilder();
        StringBuilder kept = new StringBuilder();
        StringBuilder taken = new StringBuilder();
        for (int k = 0; k < columnTokens.size(); k++) {
            String alias = "\"dw$c" + (k + 1) + "\"";
            aliases.append(k == 0 ? "" : ", ").append(alias);
            if (k != column) {
                kept.append(kept.isEmpty() ? "" : ", ").append(t.get(columnTokens.get(k)).text());
                taken.append(taken.isEmpty() ? "" : ", ").append(alias);
            }
        }
        String query = "\"dw$q\" AS MATERIALIZED (" + d.edited(sourceStart, sourceEnd) + ")";
        String head = d.edited(d.main, columnTokens.get(0) - 1);
        String write = head + " (" + kept + ") SELECT " + taken + " FROM \"dw$q\" AS \"dw$q\"(" + aliases + ")";
        String keyOut = d.quotedKey(shape.hasAlias() ? shape.qualifier() : null) + " AS \"dw$k\"";
        String sync = "INSERT INTO " + d.spec.qualifiedSyncView() + " (k, v, deleted) SELECT w.\"dw$k\", "
                + d.forSync("q.\"dw$c" + (column + 1) + "\"") + ", false FROM \"dw$w\" w JOIN \"dw$q\" AS q(" + aliases
                + ") ON q.\"dw$c" + (key + 1) + "\" = w.\"dw$k\"" + DualWriteForm.rlsGuard(d.spec);
        String with = d.withPrefix() == null ? "WITH " : d.withPrefix() + ", ";
        d.standalone.add(write + " RETURNING " + (returning < 0 ? "" : d.edited(returning + 1, t.size()) + ", ") + keyOut);
        if (returning < 0) {
            return d.rewritten(with + query + ", \"dw$w\" AS (" + write + " RETURNING " + keyOut + ") " + sync,
                    Rewrite.Kind.DUAL_WRITE, 0);
        }
        String list = d.edited(returning + 1, t.size());
        return d.rewritten(with + query + ", \"dw$w\" AS (" + write + " RETURNING " + list + ", " + keyOut
                        + ", NULL AS \"" + DualWriteForm.HIDDEN_VALUE + "\"), \"dw$s\" AS (" + sync + ") SELECT * FROM \"dw$w\"",
                Rewrite.Kind.DUAL_WRITE_RETURNING, DualWriteForm.HIDDEN_COLUMNS);
    }
}
