package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.RelationName;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.analysis.HostedStatement;
import io.dualwrite.rewriter.analysis.Reasons;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import io.dualwrite.rewriter.analysis.StatementClass;
import io.dualwrite.rewriter.analysis.WriteScan;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Statements that name a partition or an inheritance child of the migrated table ({@link SourceTable#descendants}):
 * their rows are the migrated table's rows, but the rewrites know the table by its own name only. A write sent to
 * such a relation would change the old column, or remove a row, where no sync follows; once the old column is not
 * written, a read of it there would read a stale or dropped column. So, from DUAL_WRITE on, a write that may change
 * the column's rows (an INSERT, DELETE, MERGE, TRUNCATE or COPY … FROM of the relation, an UPDATE that assigns the
 * column or the key) and DDL naming the relation are refused; in NEW_ONLY and CONTRACTED so is a statement that may
 * read the column there. The application writes through the migrated table itself, where PostgreSQL routes each row.
 * An UPDATE of other columns, and reads while the old column is written, pass through.
 */
final class DescendantStatements {

    private final MigrationSpec spec;
    /** One per descendant: the migration's names with the descendant in the source's place. */
    private final List<SourceNames> descendants = new ArrayList<>();

    DescendantStatements(SourceTable table) {
        this.spec = table.spec();
        for (RelationName r : table.descendants()) {
            descendants.add(new SourceNames(new MigrationSpec(r.schema(), r.name(), spec.keyColumn(), spec.sourceColumn(),
                    spec.targetSchema(), spec.targetTable(), spec.targetKeyColumn(), spec.targetValueColumn(),
                    spec.primaryFlagColumn(), spec.syncView())));
        }
    }

    /** The descendant that {@code s} names, or null. */
    SourceNames named(Sig s) {
        for (SourceNames d : descendants) {
            if (d.mentionsTable(s)) {
                return d;
            }
        }
        return null;
    }

    /** Whether a string (a DO block's or a routine's body) contains a descendant's name. */
    boolean inText(String lowerCaseText) {
        for (SourceNames d : descendants) {
            if (lowerCaseText.contains(d.spec().sourceTable().toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code planned} (what the statement gets for what it does with the migrated table itself, if it names that too)
     * with the refusals its naming of a descendant calls for; {@code planned} unchanged where none does.
     */
    PhaseRewrites refine(PhaseRewrites planned, Sig s, String statement) {
        SourceNames named = named(s);
        if (named == null) {
            return planned;
        }
        String write = writeRefusal(s, named);
        if (write != null) {
            Rewrite refused = rejected(write, "write through " + spec.sourceTable() + " (PostgreSQL routes each"
                    + " row to its partition or child), or run it in the EXPANDED phase", statement);
            return new PhaseRewrites(refused, refused, null, planned.expanded(), refused, null);
        }
        if (planned.translated() instanceof Rewrite.Rejected || !readsColumn(s, named)) {
            return planned;
        }
        return planned.translatedAs(rejected("a statement that may read the migrated column of " + relation(named)
                        + ", which the new schema keeps in " + spec.targetTable() + " only",
                "read it through " + spec.sourceTable() + " (the driver reads the new table there), or stay in a phase"
                        + " that keeps the old column", statement), null);
    }

    /** Why the statement may change the descendant's migrated column or rows unseen, or null. */
    private String writeRefusal(Sig s, SourceNames d) {
        StatementClass kind = StatementClass.of(s);
        if (kind == StatementClass.TRUNCATE) {
            return "a TRUNCATE of " + relation(d);
        }
        if (kind == StatementClass.COPY && HostedStatement.of(s) == null && s.find("from", 1, s.size(), 0) >= 0) {
            return "a COPY … FROM into " + relation(d);
        }
        for (int i = 0; i < s.size(); i++) {
            int t;
            String verb;
            if ((s.is(i, "insert") || s.is(i, "merge")) && s.is(i + 1, "into")) {
                t = i + 2;
                verb = s.is(i, "insert") ? "an INSERT into " : "a MERGE into ";
            } else if (s.is(i, "update") && !s.is(i - 1, "key") && !s.is(i - 1, "for") && !s.is(i - 1, "do")) {
                t = i + 1;
                verb = "an UPDATE of ";
            } else if (s.is(i, "delete") && s.is(i + 1, "from")) {
                t = i + 2;
                verb = "a DELETE from ";
            } else {
                continue;
            }
            t += s.is(t, "only") ? 1 : 0;
            int length = d.tableAt(s, t);
            if (length == 0) {
                continue;
            }
            if (!verb.startsWith("an UPDATE")) {
                return verb + relation(d);
            }
            String assigned = assigned(s, t + length);
            if (assigned != null) {
                return verb + relation(d) + " that assigns " + assigned;
            }
        }
        if (kind == StatementClass.OTHER && HostedStatement.of(s) == null) {
            return s.get(0).text().toUpperCase(Locale.ROOT) + " statement that names " + relation(d)
                    + " (DDL, rules, DO blocks …): it could change or remove the relation's rows behind the sync";
        }
        return null;
    }

    /**
     * The key or the migrated column where an UPDATE's SET list (after the target name at {@code i}) assigns it, alone
     * ({@code SET email = …}, {@code email[1] = …}, {@code email.f = …}) or in a row ({@code SET (name, email) = …});
     * null when it assigns neither.
     */
    private String assigned(Sig s, int i) {
        int depth = s.depth(i);
        int set = s.find("set", i, s.size(), depth);
        if (set < 0) {
            return null;
        }
        for (int k = set + 1; k < s.size() && s.depth(k) >= depth; k++) {
            if (s.depth(k) == depth && (s.is(k, "from") || s.is(k, "where") || s.is(k, "returning"))) {
                break;
            }
            boolean listed = s.isSymbol(k - 1, ",") || k == set + 1;
            boolean alone = s.depth(k) == depth && listed;
            boolean inRow = s.depth(k) == depth + 1 && (s.isSymbol(k - 1, ",") || s.isSymbol(k - 1, "("))
                    && rowTarget(s, k, set, depth);
            if ((alone || inRow) && s.isName(k)) {
                String name = s.get(k).normalized();
                if (name.equals(spec.keyColumn()) || name.equals(spec.sourceColumn())) {
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

    /** Whether the statement may read the migrated column: its name, any {@code *} but {@code count(*)}, TABLE, COPY. */
    private static boolean readsColumn(Sig s, SourceNames d) {
        StatementClass kind = StatementClass.of(s);
        return kind == StatementClass.TABLE || kind == StatementClass.COPY || WriteScan.readsColumn(s, d, true);
    }

    private static String relation(SourceNames d) {
        return d.spec().sourceSchema() + "." + d.spec().sourceTable() + " (a partition or inheritance child of the"
                + " migrated table)";
    }

    private Rewrite rejected(String shape, String advice, String statement) {
        return new Rewrite.Rejected(Reasons.of(shape + " (" + spec.name() + ")", advice, statement));
    }
}
