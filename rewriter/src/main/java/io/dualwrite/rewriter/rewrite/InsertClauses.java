package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.analysis.Sig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The clauses of an INSERT on the migrated table, as token indexes, read for its translation ({@link InsertTranslator}):
 * the target and its alias, the column list, OVERRIDING, the rows (VALUES, DEFAULT VALUES or a query), ON CONFLICT and
 * what it needs (DO UPDATE's assignments, the new table's inference for a target {@code (email)}), RETURNING.
 */
final class InsertClauses {
    int headEnd;
    List<Integer> columns;
    int sourceStart;
    int sourceEnd;
    boolean defaultValues;
    List<int[]> rows;
    int conflict = -1;
    int conflictEnd;
    /** The ON CONFLICT clause's DO. */
    int doAt = -1;
    boolean doUpdate;
    List<TranslationDraft.Assignment> updates = List.of();
    /** DO UPDATE's assignment of the migrated column, also in a row form; else null. */
    NewSchemaTranslator.Assigned updated;
    int returning = -1;
    /**
     * ON CONFLICT (&lt;the old column&gt;) DO …: the new table's inference ({@link ValueArbiterInsert}); ON CONFLICT DO
     * NOTHING without a target while a unique index reads the old column: {@link ValueArbiterInsert#EVERY_UNIQUE_INDEX};
     * else null.
     */
    String valueArbiter;
    /** {@code OVERRIDING SYSTEM VALUE} or {@code … USER VALUE} as written, with a space before it; else empty. */
    String overriding = "";
    boolean overridingUser;

    /**
     * Reads the INSERT of {@code d} into {@code p}; returns why a clause is not recognised or cannot be translated, or
     * null.
     *
     * @param owner the translator that judges DO UPDATE's assignment targets
     */
    static String parse(TranslationDraft d, NewSchemaTranslator owner, InsertClauses p) {
        Sig t = d.t;
        int i = d.main + 2;
        int j = i + d.names.tableAt(t, i);
        if (t.is(j, "as") && t.isName(j + 1)) {
            j += 2;
        }
        p.headEnd = j;
        if (t.isSymbol(j, "(") && !t.is(j + 1, "select") && !t.is(j + 1, "with") && !t.is(j + 1, "values")
                && !t.isSymbol(j + 1, "(")) {
            int close = t.match(j);
            p.columns = new ArrayList<>();
            for (int k = j + 1; k < close; k += 2) {
                if (!t.isName(k) || !(k + 1 == close || t.isSymbol(k + 1, ","))) {
                    return "an INSERT whose column list has subfields or subscripts";
                }
                p.columns.add(k);
            }
            j = close + 1;
        }
        if (t.is(j, "overriding")) {
            if (!(t.is(j + 1, "system") || t.is(j + 1, "user")) || !t.is(j + 2, "value")) {
                return "an INSERT … OVERRIDING clause that was not recognised";
            }
            p.overriding = " " + d.edited(j, j + 3);
            p.overridingUser = t.is(j + 1, "user");
            j += 3;
        }
        p.sourceStart = j;
        for (int k = j; k < t.size(); k++) {
            if (t.depth(k) == 0 && t.is(k, "on") && t.is(k + 1, "conflict") && p.conflict < 0) {
                p.conflict = k;
            } else if (t.depth(k) == 0 && t.is(k, "returning")) {
                p.returning = k;
                break;
            }
        }
        p.sourceEnd = p.conflict >= 0 ? p.conflict : p.returning >= 0 ? p.returning : t.size();
        p.conflictEnd = p.returning >= 0 ? p.returning : t.size();
        if (t.is(j, "default") && t.is(j + 1, "values")) {
            p.defaultValues = true;
            if (j + 2 != p.sourceEnd) {
                return "INSERT … DEFAULT VALUES followed by something unexpected";
            }
        } else if (t.is(j, "values")) {
            p.rows = new ArrayList<>();
            int k = j + 1;
            while (t.isSymbol(k, "(") && t.match(k) > k) {
                p.rows.add(new int[] {k, t.match(k)});
                k = t.match(k) + 1;
                if (!t.isSymbol(k, ",")) {
                    break;
                }
                k++;
            }
            if (p.rows.isEmpty() || k != p.sourceEnd) {
                return "an INSERT … VALUES whose rows were not recognised";
            }
        }
        return p.conflict < 0 ? null : conflict(d, owner, p);
    }

    private static String conflict(TranslationDraft d, NewSchemaTranslator owner, InsertClauses p) {
        Sig t = d.t;
        int doAt = t.find("do", p.conflict, p.conflictEnd, 0);
        p.doAt = doAt;
        if (doAt < 0) {
            return "an ON CONFLICT clause that was not recognised";
        }
        for (int k = p.conflict; k < doAt && p.valueArbiter == null; k++) {
            if (t.isIdentifier(k) && d.names.isColumn(t.get(k).normalized())) {
                if (t.isSymbol(p.conflict + 2, "(") && t.match(p.conflict + 2) == doAt - 1) {
                    p.valueArbiter = ValueArbiterInsert.inference(d, p.conflict + 2, doAt - 1);
                }
                if (p.valueArbiter == null) {
                    return "ON CONFLICT on the migrated column other than (" + d.spec.sourceColumn() + ") or a function of"
                            + " it (its unique index cannot outlive the column, and a target with other columns or a"
                            + " predicate has no twin on the new table to decide by)";
                }
            }
        }
        boolean onConstraint = t.is(p.conflict + 2, "on") && t.is(p.conflict + 3, "constraint") && t.isName(p.conflict + 4);
        if (onConstraint && d.table.valueUniqueConstraints().contains(t.get(p.conflict + 4).normalized())) {
            // UNIQUE (email): the constraint PostgreSQL infers for ON CONFLICT (email), whose twin then decides
            p.valueArbiter = "(" + Identifiers.quote(d.spec.targetValueColumn()) + ")";
        } else if (onConstraint && d.table.valueUniqueIndexes().contains(t.get(p.conflict + 4).normalized())) {
            return "ON CONFLICT ON CONSTRAINT " + t.get(p.conflict + 4).text() + ", a unique index on " + d.spec.sourceColumn()
                    + ", which once the old column is not written is the new table's, where this statement's conflict"
                    + " cannot reach it; name the key as the conflict target (ON CONFLICT (" + d.spec.keyColumn() + "))"
                    + " and let a taken " + d.spec.sourceColumn() + " fail with 23505";
        }
        if (t.is(doAt + 1, "nothing")) {
            if (p.valueArbiter == null && doAt == p.conflict + 2 && !d.table.valueUniqueIndexes().isEmpty()) {
                // it also skips a row whose value a unique index refuses: once the old column is not written, the twins
                p.valueArbiter = ValueArbiterInsert.EVERY_UNIQUE_INDEX;
            }
            return doAt + 2 == p.conflictEnd ? null : "an ON CONFLICT DO NOTHING followed by something unexpected";
        }
        if (!t.is(doAt + 1, "update") || !t.is(doAt + 2, "set")) {
            return "an ON CONFLICT clause that was not recognised";
        }
        p.doUpdate = true;
        int setEnd = d.clauseEnd(doAt + 3, "where", "returning");
        p.updates = d.assignments(doAt + 3, setEnd);
        if (p.updates == null) {
            return "an ON CONFLICT … DO UPDATE whose SET list was not recognised";
        }
        Set<String> others = new HashSet<>();
        for (int k = 0; k < p.updates.size(); k++) {
            Object assigned = owner.assignment(t, k, p.updates.get(k), others);
            if (assigned instanceof String refusal) {
                return refusal;
            }
            if (assigned != null && p.updated != null) {
                // translated, the last would win; PostgreSQL rejects the statement
                return "an ON CONFLICT … DO UPDATE that PostgreSQL rejects (the migrated column assigned twice, 42601)";
            }
            if (assigned != null) {
                p.updated = (NewSchemaTranslator.Assigned) assigned;
            }
        }
        if (p.updated == null) {
            return null;
        }
        // the new value is computed in RETURNING, after the update: a column it reads that the same SET assigns would
        // have its new value there, where PostgreSQL's SET reads the old one
        for (int k = p.updated.from(); k < p.updated.to(); k++) {
            if (t.isName(k) && others.contains(t.get(k).normalized()) && !(t.isSymbol(k - 1, ".")
                    && "excluded".equals(t.get(k - 2).normalized()))) {
                return "an ON CONFLICT … DO UPDATE whose new value of the migrated column reads a column the same"
                        + " SET assigns (" + t.get(k).normalized() + ")";
            }
        }
        return null;
    }

    /** The first {@code n} columns written, as the statement spells them (quoted from the recorded order without a list). */
    List<String> written(Sig t, List<String> columns, int n) {
        List<String> written = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            written.add(this.columns == null ? Identifiers.quote(columns.get(k)) : t.get(this.columns.get(k)).text());
        }
        return written;
    }

    static int rowLength(Sig t, int[] row) {
        return expressions(t, row).size();
    }

    /** The expressions of a VALUES row {@code (…)}: token ranges [start, end). */
    static List<int[]> expressions(Sig t, int[] row) {
        List<int[]> out = new ArrayList<>();
        int start = row[0] + 1;
        int depth = t.depth(row[0]) + 1;
        for (int k = row[0] + 1; k <= row[1]; k++) {
            if (k == row[1] || (t.depth(k) == depth && t.isSymbol(k, ","))) {
                out.add(new int[] {start, k});
                start = k + 1;
            }
        }
        return out;
    }

    /** A VALUES expression that is the keyword DEFAULT. */
    static boolean isDefault(Sig t, int[] expression) {
        return expression[1] - expression[0] == 1 && t.is(expression[0], "default");
    }
}
