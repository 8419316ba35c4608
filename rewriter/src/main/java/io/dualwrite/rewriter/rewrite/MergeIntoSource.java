package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.analysis.MergeActions;
import io.dualwrite.rewriter.analysis.Reasons;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import io.dualwrite.rewriter.analysis.WriteScan;
import java.util.function.Function;

/**
 * A MERGE into the migrated table. It passes through where nothing it does needs a sync, judged per action as the UPDATE,
 * INSERT or DELETE written alone would be: updates of other columns, inserts that leave the column NULL,
 * {@code DO NOTHING}, and from NEW_ONLY on deletes (the source's triggers follow them). Otherwise:
 * <ul>
 * <li>while the old column is written (DUAL_WRITE, READ_NEW) on PostgreSQL 17 and later
 * ({@link SourceTable#mergeReturns}), it feeds the sync view from its RETURNING ({@link DualWriteForm.Form#merge}):
 * each row's stored value, whatever set it (a SET list, a column list, by position, a default, a trigger), NULL where
 * it was deleted; its own RETURNING list and generated keys as a write's ({@code DUAL_WRITE_RETURNING});</li>
 * <li>once the old column is not written (NEW_ONLY, CONTRACTED), on 17 and later, one that needs a translation (it
 * names the migrated column, deletes rows while no trigger follows deletes, or inserts rows while the column has a
 * default) is translated by {@link MergeTranslator} (RETURNING's {@code merge_action()} tells which kind of action
 * gave a row its value), and refused where it gives values by position or reads whole rows or the table again;</li>
 * <li>before 17 (MERGE has no RETURNING, or may not stand in WITH) it is refused in every phase from DUAL_WRITE on
 * where it needs a sync or a translation: one that names the migrated column, gives values by position, reads whole
 * rows or the table again, deletes rows while no trigger follows deletes, inserts rows while the column's default (or,
 * while the old column is written, a BEFORE trigger) may store a value, or, while it is written, updates rows while
 * such a trigger may;</li>
 * <li>in every phase from DUAL_WRITE on, one that assigns the key (the new table would keep the value under the old
 * key).</li>
 * </ul>
 */
final class MergeIntoSource {

    private final SourceNames names;
    private final MigrationSpec spec;
    private final boolean omittedValueMayBeStored;
    private final boolean storedMayDiffer;
    private final boolean hasDefault;
    /** {@link SourceTable#omittedValueRefused()}: an INSERT action goes through the translation, whose sync refuses the NULL. */
    private final boolean omittedRefused;
    private final boolean deletesFollowed;
    private final boolean mergeReturns;
    private final MergeTranslator translator;

    MergeIntoSource(SourceTable table, SourceNames names, ReadRewriter reads) {
        this.names = names;
        this.spec = table.spec();
        this.storedMayDiffer = table.storedMayDiffer();
        this.hasDefault = table.valueDefault() != null;
        this.omittedRefused = table.omittedValueRefused();
        this.omittedValueMayBeStored = hasDefault || storedMayDiffer;
        this.deletesFollowed = table.deletesFollowed();
        this.mergeReturns = table.mergeReturns();
        this.translator = new MergeTranslator(table, names, reads);
    }

    /** The plan of {@code s}, a MERGE whose target is the migrated table; {@code s} is {@code offset} ahead of {@code statement}. */
    PhaseRewrites plan(String statement, int offset, Sig s) {
        return plan(statement, offset, s, false);
    }

    /** @param keyKept the UPDATE actions' key assignments are {@link KeptKey guarded} already */
    private PhaseRewrites plan(String statement, int offset, Sig s, boolean keyKept) {
        int target = WriteScan.writeTarget(s, 0);
        int length = target < 0 ? 0 : names.tableAt(s, target);
        if (length == 0) {
            return PhaseRewrites.rejectBoth(reason("in a form that is not recognised", statement));
        }
        int alias = s.is(target + length, "as") ? target + length + 1 : target + length;
        if (!s.isIdentifier(alias) || s.is(alias, "using")) {
            alias = -1;
        }
        String qualifier = alias >= 0 ? s.get(alias).text() : s.get(target + length - 1).text();
        MergeActions actions = MergeActions.of(s, 0);
        if (actions.assigned().contains(spec.keyColumn()) && !keyKept) {
            KeptKey.Guarded kept = KeptKey.ofMerge(spec, qualifier, statement, offset, s);
            return kept == null ? PhaseRewrites.rejectBoth(reason("that assigns the key column otherwise than as key ="
                    + " <value> in an UPDATE action: the new table would keep the value under the old key", statement))
                    : kept.sentWhereSynced(plan(kept.statement(), 0, kept.sig(), true));
        }
        String again = readsAgain(s, target + length, alias, actions);
        String reads = again != null ? again : WriteScan.readsColumn(s, names, true)
                ? "that names the migrated column, or reads whole rows with *" : null;
        String whileWritten = reads != null ? reads
                : actions.deletes() ? "that deletes rows: the new table would keep their values"
                : actions.inserts() && omittedValueMayBeStored ? "that inserts rows while the migrated column's default or"
                        + " a BEFORE trigger may store a value in it, which the new table would not get"
                : actions.updates() && storedMayDiffer ? "that updates rows while a BEFORE trigger or rule may store a"
                        + " value in the migrated column, which the new table would not get"
                : null;
        String onceNotWritten = reads != null ? reads
                : actions.deletes() && !deletesFollowed ? "that deletes rows while no trigger follows deletes: the new"
                        + " table would keep their values"
                : actions.inserts() && hasDefault ? "that inserts rows while the migrated column has a default, which"
                        + " the new table would not get"
                : actions.inserts() && omittedRefused ? "that inserts rows while the migrated column is NOT NULL without a"
                        + " default: the original fails on each (23502)"
                : null;
        Rewrite translated = onceNotWritten == null ? Rewrite.PASS_THROUGH
                : again == null && mergeReturns ? translator.translate(statement, offset, s, target, length, alias)
                : new Rewrite.Rejected(reason(onceNotWritten, statement));
        // generated keys: PgJDBC appends RETURNING * (17 and later), which would read the old column, or miss it
        Function<String, Rewrite> translatedKeys = mergeReturns && !(translated instanceof Rewrite.Rejected)
                ? list -> new Rewrite.Rejected(reason("with generated keys, which would return the migrated column",
                statement)) : null;
        if (whileWritten == null) {
            return new PhaseRewrites(Rewrite.PASS_THROUGH, Rewrite.PASS_THROUGH, null, Rewrite.PASS_THROUGH, translated,
                    translatedKeys);
        }
        if (!mergeReturns) {
            Rewrite refused = new Rewrite.Rejected(reason(whileWritten + "; before PostgreSQL 17 a MERGE cannot feed the"
                    + " sync in one statement", statement));
            return new PhaseRewrites(refused, refused, null, Rewrite.PASS_THROUGH, translated, null);
        }
        boolean returns = s.find("returning", 0, s.size(), 0) >= 0;
        DualWriteForm.Form form = new DualWriteForm.Form(spec, null, statement, qualifier, false, returns, true);
        if (returns) {
            Rewrite written = StatementPlanner.returningIsLast(s) ? new Rewrite.Rewritten(form.returning(null),
                    Rewrite.Kind.DUAL_WRITE_RETURNING, DualWriteForm.HIDDEN_COLUMNS)
                    : new Rewrite.Rejected(reason("whose RETURNING list could not be delimited", statement));
            return new PhaseRewrites(written, written, null, Rewrite.PASS_THROUGH, translated, null);
        }
        Rewrite written = new Rewrite.Rewritten(form.plain(), Rewrite.Kind.DUAL_WRITE);
        return new PhaseRewrites(written, written, list -> new Rewrite.Rewritten(form.returning(list),
                Rewrite.Kind.DUAL_WRITE_RETURNING, DualWriteForm.HIDDEN_COLUMNS), Rewrite.PASS_THROUGH, translated,
                translatedKeys);
    }

    /**
     * Why the MERGE (its target named before token {@code from}, aliased at {@code alias} or not, -1) may read or write
     * the migrated column beyond what its actions and the names in it say, or null: it gives values by position, reads
     * whole rows of the table or the table again.
     */
    private String readsAgain(Sig s, int from, int alias, MergeActions actions) {
        if (actions.insertColumns() == null) {
            return "with an INSERT that gives values by position (no column list), the migrated column's too";
        }
        String reference = alias >= 0 ? s.get(alias).normalized() : s.get(from - 1).normalized();
        for (int i = from; i < s.size(); i++) {
            int named = i == alias ? 0 : names.tableAt(s, i);
            boolean wholeRow = i != alias && s.isIdentifier(i) && s.get(i).normalized().equals(reference)
                    && !s.isSymbol(i - 1, ".");
            if (named > 0 && !s.isSymbol(i + named, ".") || wholeRow && !s.isSymbol(i + 1, ".")) {
                return "that reads the table again (in USING or a subquery) or reads its whole rows (" + s.get(i).text()
                        + ")";
            }
        }
        return null;
    }

    private String reason(String shape, String statement) {
        return Reasons.of("a MERGE into the migrated table " + shape + " (" + spec.name() + ")",
                "write it as INSERT … ON CONFLICT, UPDATE or DELETE, which the driver rewrites", statement);
    }
}
