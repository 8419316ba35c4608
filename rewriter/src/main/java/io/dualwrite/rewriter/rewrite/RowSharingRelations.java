package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.RelationName;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.SourceView;
import io.dualwrite.rewriter.analysis.HostedStatement;
import io.dualwrite.rewriter.analysis.MergeActions;
import io.dualwrite.rewriter.analysis.Reasons;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import io.dualwrite.rewriter.analysis.StatementClass;
import io.dualwrite.rewriter.analysis.WriteScan;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Statements that reach the migrated table's rows through another relation, whose name the rewrites do not know:
 * a partition or inheritance child ({@link SourceTable#descendants}: its rows are the table's; so are a parent's, in
 * part), or a relation with a rule that reads or writes the migrated column, such as a view over the table, or inserts or
 * deletes the table's rows ({@link SourceTable#columnRules}: a write to it may write the column or remove rows). Passed
 * through, such a write changed the old column, or removed a row, where no sync followed; once the old column is not
 * written, a read of it in a descendant read a stale or dropped column. So from DUAL_WRITE on these are refused:
 * <ul>
 * <li>of a descendant: a write that may change the column's rows (an INSERT, DELETE, MERGE, TRUNCATE or COPY … FROM,
 * an UPDATE that assigns the column or the key) and DDL naming it; from NEW_ONLY on also a statement that may read the
 * column there. An UPDATE of other columns, and reads while the old column is written, pass through;</li>
 * <li>of a relation with such a rule: an INSERT, UPDATE, DELETE or MERGE (a view's columns may rename the table's, so
 * any). Reads pass: such a rule keeps the phase gates from NEW_ONLY.</li>
 * <li>of a view over the table that does not read the column ({@link SourceView}): a DELETE while no trigger follows
 * deletes (the target kept the deleted rows' values), an INSERT while the column's default is not NULL or a BEFORE
 * trigger may set it (the target would not get the value), an UPDATE of the view's key columns or while such a trigger
 * may set the column, a MERGE whose actions do one of these ({@link MergeActions}); any write when the view's own
 * triggers or rules may write anything. The rest (an UPDATE of other columns, an INSERT leaving the column NULL, reads)
 * passes.</li>
 * </ul>
 * The application writes through the migrated table itself, where PostgreSQL routes each row.
 */
final class RowSharingRelations {

    private final MigrationSpec spec;
    /** One per relation: the migration's names with the relation in the source's place. */
    private final List<SourceNames> descendants;
    private final List<SourceNames> columnRules;
    private final List<SourceNames> views;
    /** Per view, its key columns ({@link SourceView#keyColumns}; null: unknown). */
    private final List<Set<String>> viewKeys = new ArrayList<>();
    /** An INSERT that leaves the column out may store a value in it: its default, or a BEFORE trigger's. */
    private final boolean omittedValueMayBeStored;
    private final boolean omittedValueRefused;
    /** A BEFORE trigger or rule on the source may store a value in the column whatever the write gives it. */
    private final boolean storedMayDiffer;
    private final boolean deletesFollowed;

    RowSharingRelations(SourceTable table) {
        this.spec = table.spec();
        this.descendants = names(table.descendants());
        this.columnRules = names(table.columnRules());
        List<RelationName> viewNames = new ArrayList<>();
        for (SourceView v : table.views()) {
            viewNames.add(v.view());
            viewKeys.add(v.keyColumns());
        }
        this.views = names(viewNames);
        this.omittedValueMayBeStored = table.valueDefault() != null || table.storedMayDiffer();
        this.omittedValueRefused = table.omittedValueRefused();
        this.storedMayDiffer = table.storedMayDiffer();
        this.deletesFollowed = table.deletesFollowed();
    }

    private List<SourceNames> names(Collection<RelationName> relations) {
        List<SourceNames> out = new ArrayList<>();
        for (RelationName r : relations) {
            out.add(new SourceNames(new MigrationSpec(r.schema(), r.name(), spec.keyColumn(), spec.sourceColumn(),
                    spec.targetSchema(), spec.targetTable(), spec.targetKeyColumn(), spec.targetValueColumn(),
                    spec.primaryFlagColumn(), spec.syncView())));
        }
        return out;
    }

    /**
     * Where {@code s} names the source ({@code source}) or one of the relations qualified with a database
     * ({@link SourceNames#catalogQualified}), or -1.
     */
    int catalogQualified(Sig s, SourceNames source) {
        int at = source.catalogQualified(s);
        for (List<SourceNames> relations : List.of(descendants, columnRules, views)) {
            for (int r = 0; at < 0 && r < relations.size(); r++) {
                at = relations.get(r).catalogQualified(s);
            }
        }
        return at;
    }

    /** Whether {@code s} names one of the relations. */
    boolean named(Sig s) {
        return named(s, descendants) != null || named(s, columnRules) != null || named(s, views) != null;
    }

    /**
     * Whether {@code s} names a descendant or a relation with a rule on the column, whose DDL is refused as the
     * table's is (a view that does not read the column may be replaced or dropped at will).
     */
    boolean namedWithDdl(Sig s) {
        return named(s, descendants) != null || named(s, columnRules) != null;
    }

    private static SourceNames named(Sig s, List<SourceNames> relations) {
        for (SourceNames d : relations) {
            if (d.mentionsTable(s)) {
                return d;
            }
        }
        return null;
    }

    /** Whether a string (a DO block's or a routine's body) contains a descendant's or a view's name. */
    boolean inDescendantOrViewText(String lowerCaseText) {
        return inText(lowerCaseText, descendants) || inText(lowerCaseText, views);
    }

    /** Whether a string (a DO block's or a routine's body) contains the name of a relation with a rule on the column. */
    boolean inColumnRuleText(String lowerCaseText) {
        return inText(lowerCaseText, columnRules);
    }

    private static boolean inText(String lowerCaseText, List<SourceNames> relations) {
        for (SourceNames r : relations) {
            if (lowerCaseText.contains(r.spec().sourceTable().toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code planned} (what the statement gets for what it does with the migrated table itself, if it names that too)
     * with the refusals its naming of one of the relations calls for; {@code planned} unchanged where none does.
     */
    PhaseRewrites refine(PhaseRewrites planned, Sig s, String statement) {
        SourceNames ruled = named(s, columnRules);
        String write = ruled == null ? null : ruledWrite(s, ruled);
        SourceNames descendant = named(s, descendants);
        String advice = throughTheTable();
        if (write == null && descendant != null) {
            write = descendantWrite(s, descendant);
            advice = "write through " + spec.sourceTable() + " (PostgreSQL routes each row to its partition), or run"
                    + " it in the EXPANDED phase";
        }
        if (write != null) {
            return refusedFromDualWrite(planned, rejected(write, advice, statement));
        }
        PhaseRewrites viewWrite = viewWrite(planned, s, statement);
        if (viewWrite != null) {
            return viewWrite;
        }
        if (descendant == null || planned.translated() instanceof Rewrite.Rejected || !readsColumn(s, descendant)) {
            return planned;
        }
        return planned.translatedAs(rejected("a statement that may read the migrated column of " + descendant(descendant)
                        + ", which the new schema keeps in " + spec.targetTable() + " only",
                "read it through " + spec.sourceTable() + " (the driver reads the new table there), or stay in a phase"
                        + " that keeps the old column", statement), null);
    }

    /** Why the statement may write the column through the relation's rule, or null. */
    private static String ruledWrite(Sig s, SourceNames ruled) {
        if (copyFrom(s)) { // into a view with an INSTEAD OF INSERT trigger, the only view COPY writes
            return "a COPY … FROM into " + ruled.spec().sourceSchema() + "." + ruled.spec().sourceTable()
                    + " (a view over the migrated column, or a relation with a rule on it: its triggers may write the"
                    + " column where no sync follows)";
        }
        for (int i = 0; i < s.size(); i++) {
            int target = WriteScan.writeTarget(s, i);
            if (target >= 0 && ruled.tableAt(s, target) > 0) {
                return verb(s, i) + " of " + ruled.spec().sourceSchema() + "." + ruled.spec().sourceTable()
                        + " (a view over the migrated column, or a relation with a rule on it: a write to it may write"
                        + " the column where no sync follows)";
            }
        }
        return null;
    }

    /** {@code planned} with the refusals a write through one of the views calls for, or null when it calls for none. */
    private PhaseRewrites viewWrite(PhaseRewrites planned, Sig s, String statement) {
        String beforeNewOnly = null;
        String fromNewOnly = null;
        for (int v = 0; v < views.size(); v++) {
            SourceNames view = views.get(v);
            Set<String> keys = viewKeys.get(v);
            String name = view.spec().sourceSchema() + "." + view.spec().sourceTable() + " (a view over the migrated table)";
            if (keys == null && copyFrom(s) && view.mentionsTable(s)) {
                return refusedFromDualWrite(planned, rejected("a COPY … FROM into " + name + ", whose own INSTEAD OF"
                        + " triggers may write the migrated column", throughTheTable(), statement));
            }
            for (int i = 0; i < s.size(); i++) {
                int target = WriteScan.writeTarget(s, i);
                int length = target < 0 ? 0 : view.tableAt(s, target);
                if (length == 0) {
                    continue;
                }
                String write = verb(s, i) + " through " + name;
                // a MERGE does what its actions do: each is judged as the INSERT, UPDATE or DELETE written alone
                MergeActions merge = s.is(i, "merge") ? MergeActions.of(s, i) : null;
                String assigned = merge != null ? merge.assigned().stream().filter(keys::contains).findFirst().orElse(null)
                        : s.is(i, "update") && keys != null ? assigned(s, target + length, keys) : null;
                String why = null;
                if (keys == null) {
                    why = write + ", whose own INSTEAD OF triggers or rules may write the migrated column";
                } else if ((merge != null ? merge.inserts() : s.is(i, "insert")) && omittedValueMayBeStored) {
                    why = write + ", which leaves the migrated column to its default or a trigger, a value the new table"
                            + " would not get";
                } else if ((merge != null ? merge.inserts() : s.is(i, "insert")) && omittedValueRefused) {
                    // while the old column is written its own constraint refuses the NULL
                    fromNewOnly = write + ", which leaves the migrated column NULL: NOT NULL without a default, the"
                            + " original fails on each row it inserts (23502)";
                } else if (assigned != null) {
                    why = write + " that assigns " + assigned + ", the migrated table's key: the new table would keep"
                            + " the value under the old key";
                } else if ((merge != null ? merge.updates() : s.is(i, "update")) && storedMayDiffer) {
                    why = write + " while a BEFORE trigger or rule on " + spec.sourceTable() + " may store a value in the"
                            + " migrated column, which the new table would not get";
                } else if (merge != null ? merge.deletes() : s.is(i, "delete")) {
                    String kept = write + ": the new table would keep the deleted rows' values";
                    if (deletesFollowed) { // from NEW_ONLY on: the source's triggers delete them
                        beforeNewOnly = kept;
                    } else {
                        why = kept;
                    }
                }
                if (why != null) {
                    return refusedFromDualWrite(planned, rejected(why, throughTheTable(), statement));
                }
            }
        }
        PhaseRewrites out = fromNewOnly == null ? planned
                : planned.translatedAs(rejected(fromNewOnly, throughTheTable(), statement), null);
        if (beforeNewOnly == null) {
            return out == planned ? null : out;
        }
        Rewrite refused = rejected(beforeNewOnly, throughTheTable(), statement);
        return new PhaseRewrites(refused, refused, null, out.expanded(), out.translated(), out.translatedReturning());
    }

    /** Refused in every phase from DUAL_WRITE on; in EXPANDED as {@code planned}. */
    private static PhaseRewrites refusedFromDualWrite(PhaseRewrites planned, Rewrite refused) {
        return new PhaseRewrites(refused, refused, null, planned.expanded(), refused, null);
    }

    private String throughTheTable() {
        return "write through " + spec.sourceTable() + " itself, or run it in the EXPANDED phase";
    }

    /** Why the statement may change the descendant's migrated column or rows unseen, or null. */
    private String descendantWrite(Sig s, SourceNames d) {
        StatementClass kind = StatementClass.of(s);
        if (kind == StatementClass.TRUNCATE) {
            return "a TRUNCATE of " + descendant(d);
        }
        if (copyFrom(s)) {
            return "a COPY … FROM into " + descendant(d);
        }
        for (int i = 0; i < s.size(); i++) {
            int target = WriteScan.writeTarget(s, i);
            int length = target < 0 ? 0 : d.tableAt(s, target);
            if (length == 0) {
                continue;
            }
            String write = verb(s, i) + " of " + descendant(d);
            if (!s.is(i, "update")) {
                return write;
            }
            String assigned = assigned(s, target + length, Set.of(spec.keyColumn(), spec.sourceColumn()));
            if (assigned != null) {
                return write + " that assigns " + assigned;
            }
        }
        if (kind == StatementClass.OTHER && HostedStatement.of(s) == null) {
            return s.get(0).text().toUpperCase(Locale.ROOT) + " statement that names " + descendant(d)
                    + " (DDL, rules, DO blocks …): it could change or remove the relation's rows behind the sync";
        }
        return null;
    }

    /** {@code COPY relation … FROM}: the one relation it names is the one it writes. */
    private static boolean copyFrom(Sig s) {
        return StatementClass.of(s) == StatementClass.COPY && HostedStatement.of(s) == null
                && s.find("from", 1, s.size(), 0) >= 0;
    }

    /**
     * The first of {@code columns} an UPDATE's SET list (after the target name at {@code i}) assigns, alone
     * ({@code SET email = …}, {@code email[1] = …}, {@code email.f = …}) or in a row ({@code SET (name, email) = …});
     * null when it assigns none.
     */
    private static String assigned(Sig s, int i, Set<String> columns) {
        int depth = s.depth(i);
        int set = s.find("set", i, s.size(), depth);
        if (set < 0) {
            return null;
        }
        for (int k = set + 1; k < s.size() && s.depth(k) >= depth; k++) {
            if (s.depth(k) == depth && (s.is(k, "from") || s.is(k, "where") || s.is(k, "returning"))) {
                break;
            }
            boolean alone = s.depth(k) == depth && (s.isSymbol(k - 1, ",") || k == set + 1);
            boolean inRow = s.depth(k) == depth + 1 && (s.isSymbol(k - 1, ",") || s.isSymbol(k - 1, "("))
                    && rowTarget(s, k, set, depth);
            if ((alone || inRow) && s.isName(k)) {
                String name = s.get(k).normalized();
                if (columns.contains(name)) {
                    return name;
                }
            }
        }
        return null;
    }

    /** Whether token {@code k}, one level inside parentheses, is in a row of SET targets ({@code SET (a, b) = …}). */
    private static boolean rowTarget(Sig s, int k, int set, int depth) {
        int open = k - 1;
        while (open > set && !(s.isSymbol(open, "(") && s.depth(open) == depth)) {
            open--;
        }
        return open > set && (open == set + 1 || s.isSymbol(open - 1, ",") || s.is(open - 1, "row"))
                && s.isSymbol(s.match(open) + 1, "=");
    }

    /** {@code an INSERT}, {@code an UPDATE}, {@code a DELETE}, {@code a MERGE}: the write whose verb is token {@code i}. */
    private static String verb(Sig s, int i) {
        String verb = s.get(i).normalized().toUpperCase(Locale.ROOT);
        return (verb.startsWith("I") || verb.startsWith("U") ? "an " : "a ") + verb;
    }

    /** Whether the statement may read the migrated column: its name, any {@code *} but {@code count(*)}, TABLE, COPY. */
    private static boolean readsColumn(Sig s, SourceNames d) {
        StatementClass kind = StatementClass.of(s);
        return kind == StatementClass.TABLE || kind == StatementClass.COPY || WriteScan.readsColumn(s, d, true);
    }

    private static String descendant(SourceNames d) {
        return d.spec().sourceSchema() + "." + d.spec().sourceTable() + " (a partition or inheritance child of the"
                + " migrated table)";
    }

    private Rewrite rejected(String shape, String advice, String statement) {
        return new Rewrite.Rejected(Reasons.of(shape + " (" + spec.name() + ")", advice, statement));
    }
}
