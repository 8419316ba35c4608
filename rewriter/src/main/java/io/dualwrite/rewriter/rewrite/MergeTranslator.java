package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.analysis.Reasons;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code NEW_ONLY} / {@code CONTRACTED}: a MERGE into the migrated table that gives the column a value, on PostgreSQL
 * 17 and later (Hibernate's {@code StatelessSession.upsert}: {@code merge into users as t using (select ? id, ? email,
 * …) as s on (t.id=s.id) when not matched then insert (id, email, …) values (s.id, s.email, …) when matched then update
 * set email=s.email, …}). The column leaves the UPDATE SET lists and the INSERT column lists, and the MERGE's RETURNING
 * gives the sync view each row's value by {@code merge_action()}: the UPDATE actions' value, the INSERT actions' value
 * (the column's default where they leave it out), NULL for a deleted row, whose primary row the sync removes. One count
 * per row, as the MERGE's own.
 *
 * <p>Exact only where RETURNING computes what SET and VALUES would have: so the value may read the source row, literals
 * and parameters, never the target row (RETURNING sees it after the write), and every action of a kind gives the same
 * value ({@code merge_action()} tells UPDATE from INSERT, not one WHEN clause from another). UPDATE actions that leave
 * the column alone give the sync the stored value, read with a lock as a translated {@code SET email = email} reads it.
 * Refused otherwise, as are a RETURNING list and generated keys of such a MERGE, and any other reference to the column.
 */
final class MergeTranslator {

    private final SourceTable table;
    private final SourceNames names;
    private final ReadRewriter reads;

    MergeTranslator(SourceTable table, SourceNames names, ReadRewriter reads) {
        this.table = table;
        this.names = names;
        this.reads = reads;
    }

    /** One action's value of the column: its tokens [from, to), or none (from -1). */
    private record Value(int from, int to) {
        static final Value NONE = new Value(-1, -1);
    }

    /**
     * @param s      the MERGE's tokens, {@code offset} ahead of {@code statement}; it has no WITH list
     * @param target the first token of the target's name, {@code length} tokens long
     * @param alias  the target's alias token, or -1
     */
    Rewrite translate(String statement, int offset, Sig s, int target, int length, int alias) {
        if (statement.contains("dw$p")) {
            return refused(statement, "containing dualwrite's own parameter tag text \"dw$p\"", "rename whatever spells it");
        }
        TranslationDraft d = new TranslationDraft(table, names, reads, statement,
                ParameterTags.tag(statement, offset, s, "", List.of()), 0, false);
        Sig t = d.t;
        if (t.find("returning", 0, t.size(), 0) >= 0) {
            return refused(statement, "with a RETURNING list, which would return the migrated column or whole rows",
                    "return what you need from a SELECT after the MERGE");
        }
        int named = alias >= 0 ? alias : target + length - 1;
        String reference = t.get(named).normalized();
        String qualifier = t.get(named).text();
        int using = t.find("using", named + 1, t.size(), 0);
        int on = using < 0 ? -1 : t.find("on", using + 1, t.size(), 0);
        if (on < 0) {
            return refused(statement, "in a form that is not recognised", "write MERGE INTO table [AS alias] USING source ON …");
        }
        Set<Integer> targets = new HashSet<>();
        // the column leaves each list only once every value is read from the unedited text
        List<Runnable> removals = new ArrayList<>();
        List<Value> updates = new ArrayList<>();
        List<Value> inserts = new ArrayList<>();
        for (int i : clauseWords(t, on + 1, "then")) {
            if (t.is(i + 1, "update") && t.is(i + 2, "set")) {
                Object v = update(d, i + 3, targets, removals, qualifier);
                if (v instanceof String why) {
                    return refused(statement, why, "assign the migrated column on its own: SET column = expression");
                }
                updates.add((Value) v);
            } else if (t.is(i + 1, "insert")) {
                Object v = insert(d, i + 2, targets, removals);
                if (v instanceof String why) {
                    return refused(statement, why, "name the columns: INSERT (column, …) VALUES (…)");
                }
                inserts.add((Value) v);
            }
        }
        String stray = strayReference(t, reference, targets, using, on);
        if (stray != null) {
            return refused(statement, stray, "read the value from the source (USING) only");
        }
        Object updated = value(d, updates, reference);
        Object inserted = value(d, inserts, reference);
        for (Object v : List.of(updated, inserted)) {
            if (v instanceof String why) {
                return refused(statement, why, "give the migrated column one value per kind of action, computed from"
                        + " the source row, parameters or literals");
            }
        }
        StringBuilder value = new StringBuilder("CASE merge_action()");
        if (!updates.isEmpty()) {
            Value u = (Value) updated;
            value.append(" WHEN 'UPDATE' THEN ").append(d.forSync(u == Value.NONE
                    ? d.locked(d.stored(qualifier), qualifier) : text(d, u)));
        }
        if (!inserts.isEmpty()) {
            Value v = (Value) inserted;
            value.append(" WHEN 'INSERT' THEN ").append(d.forSync(v == Value.NONE ? d.defaultValue() : text(d, v)));
        }
        value.append(" END");
        removals.forEach(Runnable::run);
        SyncForm.Part part = new SyncForm.Part(d.edited(0, t.size()), d.quotedKey(qualifier), value.toString());
        return d.rewritten(SyncForm.plain(d, List.of(part), false), Rewrite.Kind.DUAL_WRITE, 0);
    }

    /**
     * The UPDATE action whose SET list starts at {@code from}: its value of the column (its assignment's removal added to
     * {@code removals}), or why it cannot be translated.
     */
    private Object update(TranslationDraft d, int from, Set<Integer> targets, List<Runnable> removals, String qualifier) {
        Sig t = d.t;
        int end = actionEnd(t, from);
        List<TranslationDraft.Assignment> list = d.assignments(from, end);
        if (list == null) {
            return "whose SET list was not recognised";
        }
        Value value = Value.NONE;
        for (int index = 0; index < list.size(); index++) {
            TranslationDraft.Assignment a = list.get(index);
            boolean simple = a.eq() == a.start() + 1;
            for (int k = a.start(); k < a.eq(); k++) {
                if (t.isIdentifier(k) && names.isColumn(t.get(k).normalized())) {
                    if (!simple) {
                        return "that assigns the migrated column in a row, subfield or subscript form";
                    }
                    if (value != Value.NONE) {
                        // translated, one would win; PostgreSQL rejects the statement
                        return "that PostgreSQL rejects (the migrated column assigned twice, 42601)";
                    }
                    targets.add(k);
                    value = new Value(a.eq() + 1, a.end());
                    int assignment = index;
                    removals.add(() -> d.removeAssignment(list, assignment, qualifier));
                }
            }
        }
        return value;
    }

    /**
     * The INSERT action after token {@code at} ({@code INSERT}): its value of the column (the removal of the column and
     * its value added to {@code removals}), or why it cannot be translated.
     */
    private Object insert(TranslationDraft d, int at, Set<Integer> targets, List<Runnable> removals) {
        Sig t = d.t;
        if (t.is(at, "default") && t.is(at + 1, "values")) {
            return Value.NONE;
        }
        if (!t.isSymbol(at, "(")) {
            return "with an INSERT that gives values by position (no column list)";
        }
        int close = t.match(at);
        int values = t.find("values", close + 1, t.size(), 0);
        if (values < 0 || !t.isSymbol(values + 1, "(") || values > close + 1 && !t.is(close + 1, "overriding")) {
            return "with an INSERT that is not recognised";
        }
        int rowEnd = t.match(values + 1);
        List<int[]> columns = InsertClauses.expressions(t, new int[] {at, close});
        List<int[]> row = InsertClauses.expressions(t, new int[] {values + 1, rowEnd});
        Value value = Value.NONE;
        for (int k = 0; k < columns.size(); k++) {
            int[] c = columns.get(k);
            if (t.isIdentifier(c[0]) && names.isColumn(t.get(c[0]).normalized())) {
                if (c[1] != c[0] + 1 || row.size() != columns.size() || value != Value.NONE) {
                    return "with an INSERT that gives the migrated column a subfield or subscript, names it twice, or"
                            + " whose VALUES do not match its columns";
                }
                targets.add(c[0]);
                value = new Value(row.get(k)[0], row.get(k)[1]);
                int item = k;
                removals.add(columns.size() == 1
                        // OVERRIDING needs a column list; with none left, the row is the defaults
                        ? () -> d.splice.replaceCovering(t.get(at).start(), t.get(rowEnd).end(), "DEFAULT VALUES")
                        : () -> {
                            removeItem(d, columns, item);
                            removeItem(d, row, item);
                        });
            }
        }
        return value;
    }

    /** The end of the action whose tokens start at {@code from}: the next WHEN clause, or the statement's end. */
    private static int actionEnd(Sig t, int from) {
        List<Integer> whens = clauseWords(t, from, "when");
        return whens.isEmpty() ? t.size() : whens.get(0);
    }

    /** The tokens {@code word} of the MERGE's own clauses from token {@code from} on: at depth 0, outside CASE … END. */
    private static List<Integer> clauseWords(Sig t, int from, String word) {
        List<Integer> out = new ArrayList<>();
        int cases = 0;
        for (int i = from; i < t.size(); i++) {
            if (t.depth(i) != 0 || t.isSymbol(i - 1, ".")) {
                continue;
            }
            if (t.is(i, "case")) {
                cases++;
            } else if (t.is(i, "end") && cases > 0) {
                cases--;
            } else if (cases == 0 && t.is(i, word)) {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * Why a token other than the SET and INSERT targets reads the target row's column or its whole row, or null. The
     * source ({@code USING} … {@code ON}) names the column only of other relations or as its own alias (a read of the
     * migrated table there is refused before).
     */
    private String strayReference(Sig t, String reference, Set<Integer> targets, int using, int on) {
        for (int i = 0; i < t.size(); i++) {
            if (i > using && i < on || targets.contains(i)) {
                continue;
            }
            boolean qualified = t.isSymbol(i - 1, ".");
            boolean ofTarget = qualified && t.isName(i - 2) && t.get(i - 2).normalized().equals(reference);
            if (t.isIdentifier(i) && names.isColumn(t.get(i).normalized()) && (!qualified || ofTarget)
                    && !t.isSymbol(i + 1, ".")) {
                return "that reads the migrated column (" + t.get(i).text() + ")";
            }
            if (ofTarget && t.isSymbol(i, "*")) {
                return "that reads the target's whole rows (" + reference + ".*)";
            }
        }
        return null;
    }

    /**
     * The one value every action of a kind gives the column: {@link Value#NONE} when none gives one, else the value, or
     * why not: actions that differ, or a value that reads the target row.
     */
    private Object value(TranslationDraft d, List<Value> actions, String reference) {
        Value first = actions.isEmpty() ? Value.NONE : actions.get(0);
        for (Value v : actions) {
            if ((v == Value.NONE) != (first == Value.NONE)
                    || v != Value.NONE && !d.edited(v.from(), v.to()).equals(d.edited(first.from(), first.to()))) {
                return "whose actions of one kind give the migrated column different values (RETURNING tells UPDATE"
                        + " from INSERT, not one WHEN clause from another)";
            }
        }
        if (first == Value.NONE) {
            return first;
        }
        Set<String> columns = Set.copyOf(table.columns());
        Sig t = d.t;
        for (int k = first.from(); k < first.to(); k++) {
            boolean qualified = t.isSymbol(k - 1, ".");
            boolean call = t.isSymbol(k + 1, "(");
            boolean type = t.isSymbol(k - 1, "::") || t.is(k - 1, "as");
            if (t.isName(k) && (t.get(k).normalized().equals(reference) && !qualified
                    || !qualified && !call && !type && t.isIdentifier(k) && columns.contains(t.get(k).normalized()))) {
                return "whose value of the migrated column reads the target row (" + t.get(k).text() + "), which"
                        + " RETURNING would read after the write";
            }
        }
        return first;
    }

    /** The value's text; the column's default for DEFAULT. */
    private static String text(TranslationDraft d, Value v) {
        return v.to() == v.from() + 1 && d.t.is(v.from(), "default") ? d.defaultValue() : d.edited(v.from(), v.to());
    }

    /** Removes item {@code k} of a comma-separated list of two or more, with one of its commas. */
    private static void removeItem(TranslationDraft d, List<int[]> items, int k) {
        Sig t = d.t;
        if (k < items.size() - 1) {
            d.splice.replaceCovering(t.get(items.get(k)[0]).start(), t.get(items.get(k + 1)[0]).start(), "");
        } else {
            d.splice.replaceCovering(t.get(items.get(k - 1)[1] - 1).end(), t.get(items.get(k)[1] - 1).end(), "");
        }
    }

    private Rewrite refused(String statement, String shape, String advice) {
        return new Rewrite.Rejected(Reasons.of("a MERGE into the migrated table " + shape + " (" + names.spec().name() + ")",
                advice, statement));
    }
}
