package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.analysis.MergeActions;
import io.dualwrite.rewriter.analysis.Reasons;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import io.dualwrite.rewriter.analysis.WriteScan;

/**
 * A MERGE into the migrated table. Its per-row actions cannot feed a sync in one statement (MERGE has no RETURNING before
 * PostgreSQL 17), so it is never rewritten; it passes through where nothing it does needs one, and is refused with the
 * reason elsewhere:
 * <ul>
 * <li>in every phase from DUAL_WRITE on, one that names the migrated column (its SET list, INSERT column list,
 * conditions, RETURNING), reads whole rows of the table ({@code *}, {@code u}), gives values by position
 * ({@code INSERT VALUES} without a column list), assigns the key, or names the table again;</li>
 * <li>while the old column is written (DUAL_WRITE, READ_NEW), one that deletes rows (the new table would keep their
 * values), inserts rows while the column's default or a BEFORE trigger may store a value, or updates rows while such a
 * trigger may;</li>
 * <li>once it is not (NEW_ONLY, CONTRACTED), one that deletes rows while no trigger follows deletes, or inserts rows
 * while the column has a default (the new table would not get it).</li>
 * </ul>
 * The rest — updates of other columns, inserts that leave the column NULL, {@code DO NOTHING}, and from NEW_ONLY on
 * deletes — changes nothing the new table holds, as the same UPDATE, INSERT or DELETE written alone would not.
 */
final class MergeIntoSource {

    private final SourceNames names;
    private final MigrationSpec spec;
    private final boolean omittedValueMayBeStored;
    private final boolean storedMayDiffer;
    private final boolean hasDefault;
    private final boolean deletesFollowed;

    MergeIntoSource(SourceTable table, SourceNames names) {
        this.names = names;
        this.spec = table.spec();
        this.storedMayDiffer = table.storedMayDiffer();
        this.hasDefault = table.valueDefault() != null;
        this.omittedValueMayBeStored = hasDefault || storedMayDiffer;
        this.deletesFollowed = table.deletesFollowed();
    }

    /** The plan of {@code s}, a MERGE whose target is the migrated table. */
    PhaseRewrites plan(String statement, Sig s) {
        int merge = 0;
        int target = WriteScan.writeTarget(s, merge);
        MergeActions actions = MergeActions.of(s, merge);
        String everywhere = refusal(s, target, actions);
        if (everywhere != null) {
            return PhaseRewrites.rejectBoth(reason(everywhere, statement));
        }
        String whileWritten = actions.deletes() ? "that deletes rows: the new table would keep their values"
                : actions.inserts() && omittedValueMayBeStored ? "that inserts rows while the migrated column's default or a"
                        + " BEFORE trigger may store a value in it, which the new table would not get"
                : actions.updates() && storedMayDiffer ? "that updates rows while a BEFORE trigger or rule may store a"
                        + " value in the migrated column, which the new table would not get"
                : null;
        String onceNotWritten = actions.deletes() && !deletesFollowed ? "that deletes rows while no trigger follows"
                + " deletes: the new table would keep their values"
                : actions.inserts() && hasDefault ? "that inserts rows while the migrated column has a default, which"
                        + " the new table would not get"
                : null;
        Rewrite written = whileWritten == null ? Rewrite.PASS_THROUGH : new Rewrite.Rejected(reason(whileWritten, statement));
        Rewrite translated = onceNotWritten == null ? Rewrite.PASS_THROUGH
                : new Rewrite.Rejected(reason(onceNotWritten, statement));
        return new PhaseRewrites(written, written, null, Rewrite.PASS_THROUGH, translated, null);
    }

    /** Why {@code s} is refused in every phase from DUAL_WRITE on, or null. */
    private String refusal(Sig s, int target, MergeActions actions) {
        if (WriteScan.readsColumn(s, names, true)) {
            return "that names the migrated column, or reads whole rows with *";
        }
        if (actions.insertColumns() == null) {
            return "with an INSERT that gives values by position (no column list), the migrated column's too";
        }
        if (actions.assigned().contains(spec.keyColumn())) {
            return "that assigns the key column: the new table would keep the value under the old key";
        }
        int length = target < 0 ? 0 : names.tableAt(s, target);
        if (length == 0) {
            return "in a form that is not recognised";
        }
        String reference = s.get(target + length - 1).normalized();
        int alias = s.is(target + length, "as") ? target + length + 1 : target + length;
        if (s.isIdentifier(alias) && !s.is(alias, "using")) {
            reference = s.get(alias).normalized();
        } else {
            alias = -1;
        }
        for (int i = target + length; i < s.size(); i++) {
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
