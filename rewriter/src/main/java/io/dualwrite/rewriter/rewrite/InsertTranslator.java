package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import io.dualwrite.rewriter.analysis.WriteShape;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;

/**
 * The INSERT translation ({@link NewSchemaTranslator}): the old column's value leaves the VALUES row
 * (a VALUES expression cannot see the row, so moving it into RETURNING changes nothing it reads) and
 * reaches the sync view as {@code "dw$v"}; a row without it gets the old column's recorded default.
 * Without a column list the values map to the original column order, and the translation writes the
 * list. Each VALUES row becomes a write of its own, in row order, so RETURNING rows (and generated
 * keys) come back in that order. ON CONFLICT … DO UPDATE gives the sync
 * {@code CASE WHEN <row>.xmax = 0 THEN <inserted> ELSE <updated> END}: a freshly inserted row version
 * has no deleting transaction (xmax 0), a row updated by DO UPDATE has this one.
 */
final class InsertTranslator {

    private final NewSchemaTranslator owner;

    InsertTranslator(NewSchemaTranslator owner) {
        this.owner = owner;
    }

    Rewrite translate(TranslationDraft d, WriteShape shape) {
        Sig t = d.t;
        SourceNames names = d.names;
        InsertClauses p = new InsertClauses();
        String refusal = InsertClauses.parse(d, owner, p);
        if (refusal != null) {
            return owner.refused(d.statement, refusal, "write it as INSERT INTO table [(columns)] VALUES (…), …"
                    + " [ON CONFLICT …] [RETURNING …]");
        }
        List<String> columns = new ArrayList<>();
        if (p.columns != null) {
            for (int c : p.columns) {
                columns.add(t.get(c).normalized());
            }
        } else if (d.table.columns().isEmpty()) {
            return owner.refused(d.statement, "an INSERT without a column list", "name the columns (the driver did"
                    + " not supply the table's original column order)");
        } else {
            columns.addAll(d.table.columns());
        }
        boolean query = p.rows == null && !p.defaultValues;
        if (query && p.columns == null) {
            // without a column list the query's columns fill the table's first ones, in the original order
            int width = InsertSelectForm.queryWidth(t, p.sourceStart, p.sourceEnd);
            if (width < 0) {
                return owner.refused(d.statement, "an INSERT … SELECT without a column list whose query's columns the"
                        + " driver cannot count (a * in its select list, or a query that is not a SELECT)",
                        "name the columns: INSERT INTO table (columns) SELECT …");
            }
            if (width > columns.size()) {
                return owner.refused(d.statement, "an INSERT that PostgreSQL rejects (more expressions than target"
                        + " columns, 42601)", "correct the statement");
            }
            columns.subList(width, columns.size()).clear();
        }
        int column = columns.indexOf(names.spec().sourceColumn());
        String invalid = invalid(t, p, columns);
        if (invalid != null) {
            // translated, it could succeed; refused, it fails as it does on the original schema, only with 0A000
            return owner.refused(d.statement, "an INSERT that PostgreSQL rejects (" + invalid + ")", "correct the statement");
        }
        if (query && column >= 0 && d.table.storedMayDiffer()) {
            // the value is joined back to the inserted row by the key the query gave it; a BEFORE trigger or a rule
            // may store another key (or none), and the value would be lost
            return owner.refused(d.statement, "an INSERT … SELECT supplying the migrated column into a table with BEFORE"
                    + " row triggers or rules, which may store another key than the query gave", "insert the migrated"
                    + " column's value with INSERT … VALUES, or stay in a phase that writes the old column");
        }
        if (query && column >= 0 && p.overridingUser) {
            // OVERRIDING USER VALUE replaces the key the query gives, when the key is an identity column
            return owner.refused(d.statement, "an INSERT … SELECT supplying the migrated column with OVERRIDING USER"
                    + " VALUE, which may store another key than the query gave", "insert the migrated column's value"
                    + " with INSERT … VALUES, or leave the key out of the column list");
        }
        boolean keyByDefault = column >= 0 && !columns.contains(names.spec().keyColumn());
        if (query && keyByDefault && d.table.keyDefault() == null) {
            return owner.refused(d.statement, "an INSERT … SELECT that supplies the migrated column without the key"
                    + " column, which has no default the driver can compute",
                    "name the columns, the key among them, or insert the migrated column's value with INSERT … VALUES");
        }
        BitSet marks = new BitSet();
        marks.set(d.main, p.sourceStart);
        if (p.conflict >= 0) {
            marks.set(p.conflict, p.doAt + (p.doUpdate ? 3 : 2));
            NewSchemaTranslator.markTargets(t, p.updates, marks);
            refusal = excluded(d, p, marks);
            if (refusal != null) {
                return owner.refused(d.statement, refusal, "name the columns of EXCLUDED explicitly");
            }
        }
        int listStart = p.returning < 0 ? -1 : p.returning + 1;
        ReadScopes scopes = ReadScopes.ofWrite(t, names, d.written(shape.qualifier(), shape.hasAlias(),
                owner.lastTableToken(d)), -1, -1, listStart, marks);
        scopes.hideWrittenTable(0, d.main);
        if (query) {
            // the translation keeps the query where it was, inside a CTE; a VALUES expression moves into RETURNING,
            // which sees the written table, so there a name its own subquery lacks stays a possible outer reference
            scopes.hideWrittenTable(p.sourceStart, p.sourceEnd);
        } else {
            scopes.keepOuterReferencesRefused(p.sourceStart, p.sourceEnd);
        }
        if (p.conflict >= 0) {
            // there an unqualified name may also be EXCLUDED's (PostgreSQL: ambiguous), which no wrapper could tell
            scopes.keepOuterReferencesRefused(p.conflict, p.conflictEnd);
        }
        refusal = d.writeEdits(scopes, listStart, TranslationDraft.RETURNED);
        if (refusal != null) {
            return owner.refused(d.statement, "an INSERT into the migrated table whose references to the column cannot"
                    + " be translated: " + refusal, "change it as suggested");
        }
        if (p.valueArbiter != null) {
            int key = columns.indexOf(names.spec().keyColumn());
            List<List<int[]>> rows = new ArrayList<>();
            boolean keyComputed = p.rows == null;
            for (int r = 0; p.rows != null && r < p.rows.size(); r++) {
                List<int[]> row = InsertClauses.expressions(t, p.rows.get(r));
                rows.add(row);
                keyComputed |= key < 0 || key >= row.size() || InsertClauses.isDefault(t, row.get(key));
            }
            // a query's rows go through the twin together: its rows' keys must be their own (the key's default), so that
            // each inserted row is the query row whose value went in
            boolean arbitratedQuery = query && column >= 0 && keyByDefault && !p.doUpdate
                    && !ValueArbiterInsert.EVERY_UNIQUE_INDEX.equals(p.valueArbiter);
            String source = !rows.isEmpty() || arbitratedQuery ? null : !query ? "DEFAULT VALUES"
                    : p.doUpdate || column < 0 || ValueArbiterInsert.EVERY_UNIQUE_INDEX.equals(p.valueArbiter) ? "a query"
                    : "a query that gives the key column (a query can leave it to its default)";
            refusal = ValueArbiterInsert.whyNot(d, p.valueArbiter, source, p.doUpdate, keyComputed, p.overridingUser);
            if (refusal == null && p.doUpdate) {
                refusal = ValueArbiterInsert.whyNotUpdate(d, p.updates, p.doAt, p.conflictEnd);
                if (refusal == null && p.updated != null && readsOtherExcluded(d, p.updated)) {
                    refusal = "INSERT … ON CONFLICT … DO UPDATE whose new value of the migrated column reads another column"
                            + " of EXCLUDED";
                }
            }
            if (refusal != null) {
                return owner.refused(d.statement, refusal, "or stay in a phase that writes the old column");
            }
            if (arbitratedQuery) {
                InsertSelectForm.typeUnknownValues(d, columns, column, p.sourceStart, p.sourceEnd);
                return InsertSelectForm.arbitrated(d, shape, p.headEnd, p.written(t, columns, columns.size()), column,
                        p.overriding, p.sourceStart, p.sourceEnd, p.valueArbiter, p.returning);
            }
            ValueArbiterInsert.Update update = null;
            if (p.doUpdate) {
                String updated = p.updated == null ? null : updatedValue(d, p, shape.qualifier());
                int where = t.find("where", p.doAt, p.conflictEnd, 0);
                update = new ValueArbiterInsert.Update(d.edited(p.doAt, where < 0 ? p.conflictEnd : where),
                        where < 0 ? null : d.edited(where + 1, p.conflictEnd), updated, shape.qualifier(),
                        d.quotedKey(shape.hasAlias() ? shape.qualifier() : null));
            }
            int width = rows.get(0).size();
            return ValueArbiterInsert.translate(d, d.edited(d.main, p.headEnd), p.written(t, columns, width), rows,
                    column < width ? column : -1, key < width ? key : -1, p.valueArbiter, update, p.overriding,
                    p.returning < 0 ? null : d.edited(p.returning + 1, t.size()));
        }
        if (query && column >= 0) {
            InsertSelectForm.Conflict conflict = null;
            if (p.conflict >= 0) {
                refusal = selectConflict(d, p, shape.qualifier());
                if (refusal != null) {
                    return owner.refused(d.statement, refusal, "write ON CONFLICT (key) DO NOTHING, or DO UPDATE that"
                            + " assigns the migrated column EXCLUDED's value or leaves it alone, or insert with VALUES");
                }
                conflict = new InsertSelectForm.Conflict(d.edited(p.conflict, p.conflictEnd), p.doUpdate,
                        p.updated != null);
            }
            InsertSelectForm.typeUnknownValues(d, columns, column, p.sourceStart, p.sourceEnd);
            return InsertSelectForm.translate(d, shape, p.headEnd, p.written(t, columns, columns.size()), column,
                    keyByDefault ? -1 : columns.indexOf(names.spec().keyColumn()), p.overriding, p.sourceStart, p.sourceEnd,
                    conflict, p.returning);
        }
        if (p.updated != null && readsOtherExcluded(d, p.updated)) {
            // the new value is computed in RETURNING, where EXCLUDED is out of scope
            return owner.refused(d.statement, "INSERT … ON CONFLICT … DO UPDATE whose new value of the migrated column"
                    + " reads another column of EXCLUDED", "assign the migrated column EXCLUDED's value of it, or an"
                    + " expression of the stored row");
        }
        String updated = p.updated == null ? null : updatedValue(d, p, shape.qualifier());
        Values values = new Values(d, shape, p, updated);
        boolean supplied = column >= 0 && (p.rows == null || InsertClauses.rowLength(t, p.rows.get(0)) > column);
        boolean omittedRefused = !supplied && d.table.omittedValueRefused();
        if (omittedRefused && p.conflict >= 0) {
            // the original checks NOT NULL before looking for a conflict: every row it proposes fails, a skipped or updated one too
            return owner.refused(d.statement, "an INSERT … ON CONFLICT that leaves out the migrated column, which is NOT NULL"
                    + " without a default: the original fails on every row it proposes (23502), conflicting or not",
                    "give the column its value");
        }
        if (!supplied && d.table.valueDefault() == null && updated == null && !omittedRefused) {
            return inPlace(d, values);
        }
        if ((supplied || d.table.valueDefault() != null || omittedRefused) && d.table.valueType() == null) {
            return owner.refused(d.statement, "an INSERT that gives the migrated column a value",
                    "the driver did not supply the column's type; record it (dualwrite contract does) and retry");
        }
        return synced(d, scopes, p, columns, column, values);
    }

    /** The expressions the inserted row's column gets, per inserted value. */
    private record Values(TranslationDraft d, WriteShape shape, InsertClauses p, String updated) {

        private String upsert(String inserted, boolean forSync) {
            String in = forSync ? d.forSync(inserted) : d.asColumn(inserted);
            if (!p.doUpdate || TranslationDraft.EXCLUDED.equals(updated)) {
                // EXCLUDED's value is the inserted one: as the sync gets it, so that the view's assignment checks it
                return in;
            }
            String other = updated == null ? d.locked(d.stored(shape.qualifier()), shape.qualifier())
                    : updated.replace(TranslationDraft.EXCLUDED, d.asColumn(inserted));
            return "CASE WHEN " + shape.qualifier() + ".xmax = 0 THEN " + in + " ELSE "
                    + (forSync ? d.forSync(other) : d.asColumn(other)) + " END";
        }

        String sync(String inserted) {
            return upsert(inserted, true);
        }

        String returned(String inserted) {
            return upsert(inserted, false);
        }
    }

    /** Nothing gives the column a value: only references, RETURNING and {@code *} change, in place. */
    private static Rewrite inPlace(TranslationDraft d, Values values) {
        if (d.splice.isEmpty()) {
            return Rewrite.PASS_THROUGH;
        }
        String sql = d.splice.apply(d.text).replace(TranslationDraft.RETURNED, values.returned("NULL"))
                .replace(TranslationDraft.EXCLUDED, d.asColumn("NULL"));
        return d.rewritten(sql, d.t.find("returning", d.main, d.t.size(), 0) < 0 ? Rewrite.Kind.DUAL_WRITE
                : Rewrite.Kind.DUAL_WRITE_RETURNING, 0);
    }

    private Rewrite synced(TranslationDraft d, ReadScopes scopes, InsertClauses p, List<String> columns, int column,
            Values values) {
        Sig t = d.t;
        String head = d.edited(d.main, p.headEnd);
        String conflict = p.conflict < 0 ? "" : " " + d.edited(p.conflict, p.conflictEnd);
        String key = d.quotedKey(values.shape().hasAlias() ? values.shape().qualifier() : null);
        List<SyncForm.Part> parts = new ArrayList<>();
        List<String> lists = new ArrayList<>();
        List<String> inserted = new ArrayList<>();
        // an upsert on the source takes the general form: its value for an existing row may be NULL
        List<Integer> notNull = new ArrayList<>();
        if (p.doUpdate) {
            notNull.add(-1);
        }
        boolean defaultOnce = ComputedOnce.expression(d.table.valueDefault());
        // whether every proposed value is the same however often, and in whatever order, it is computed: ON CONFLICT
        // checks it again, or after the rows that come later (SyncForm.Proposed); RETURNING computes it again too
        boolean valuesOnce = true;
        if (p.rows == null) {
            notNull.add(-1);
            inserted.add(d.defaultValue());
            valuesOnce = defaultOnce;
            parts.add(part(d, d.edited(d.main, p.sourceEnd), conflict, key, values, inserted.get(0)));
        } else {
            for (int[] row : p.rows) {
                List<int[]> exprs = InsertClauses.expressions(t, row);
                if (p.columns == null && exprs.size() > columns.size()) {
                    return owner.refused(d.statement, "an INSERT with more values than the table had columns",
                            "check the statement");
                }
                StringBuilder cols = new StringBuilder();
                StringBuilder vals = new StringBuilder();
                String value = d.defaultValue();
                int source = -1;
                for (int k = 0; k < exprs.size(); k++) {
                    int[] e = exprs.get(k);
                    if (k == column) {
                        boolean isDefault = InsertClauses.isDefault(t, e);
                        valuesOnce &= isDefault ? defaultOnce : ComputedOnce.of(t, scopes, e[0], e[1]);
                        value = isDefault ? d.defaultValue() : d.edited(e[0], e[1]);
                        source = isDefault ? -1 : d.notNullSource(e[0], e[1]);
                        continue;
                    }
                    cols.append(cols.isEmpty() ? "" : ", ").append(p.columns == null
                            ? Identifiers.quote(columns.get(k)) : t.get(p.columns.get(k)).text());
                    vals.append(vals.isEmpty() ? "" : ", ").append(d.edited(e[0], e[1]));
                }
                if (column < 0 || exprs.size() <= column) {
                    valuesOnce &= defaultOnce; // the column left to its default
                }
                inserted.add(value);
                notNull.add(source);
                // DEFAULT VALUES gives no column a value, so it needs no OVERRIDING (nor accepts one)
                String body = cols.isEmpty() ? " DEFAULT VALUES" : " (" + cols + ")" + p.overriding + " VALUES (" + vals + ")";
                parts.add(part(d, head + body, conflict, key, values, value));
            }
        }
        if (p.conflict >= 0 && p.rows == null && !p.defaultValues) {
            // a query's rows, each given the default: RETURNING cannot tell which of them a conflict left alone, for
            // which PostgreSQL computed it all the same (the same value for each, unless it is volatile)
            if (!valuesOnce) {
                return owner.refused(d.statement, "an INSERT … SELECT … ON CONFLICT that leaves the migrated column to a"
                        + " default that calls a function that may not be immutable", "name the column and give its value");
            }
        } else if (p.conflict >= 0) {
            boolean always = p.doUpdate && !TranslationDraft.EXCLUDED.equals(values.updated());
            if (!valuesOnce && (always || parts.size() > 1)) {
                return owner.refused(d.statement, "an INSERT … ON CONFLICT whose value (or default) of the migrated"
                        + " column calls a function that may not be immutable, " + (always ? "where DO UPDATE does not"
                        + " store it" : "in more than one row"), "give the value as a literal or parameter, or insert"
                        + " one row at a time");
            }
            for (int i = 0; i < parts.size(); i++) {
                // a NULL proposed for a NOT NULL column fails too (the sync view's function); else it has nothing to check
                if (!"NULL".equals(inserted.get(i)) || d.table.valueNotNull()) {
                    SyncForm.Part part = parts.get(i);
                    parts.set(i, new SyncForm.Part(part.write(), part.key(), part.value(),
                            new SyncForm.Proposed(d.forSync(inserted.get(i)), always)));
                }
            }
        }
        if (p.returning < 0) {
            return d.rewritten(SyncForm.plain(d, parts, false), SyncForm.plainUpsert(d, parts), notNull);
        }
        String list = d.edited(p.returning + 1, t.size());
        boolean onceEach = valuesOnce && (!p.doUpdate || p.updated == null || updatedOnce(d, scopes, p, defaultOnce));
        if (list.contains(TranslationDraft.RETURNED) && !onceEach) {
            // RETURNING and the sync would each compute it: nextval() twice, the stored value not the returned one
            return owner.refused(d.statement, "an INSERT … RETURNING the migrated column whose value (or default) calls a"
                    + " function that may not be immutable", "return the column from a separate"
                    + " SELECT, or give the value as a literal or parameter");
        }
        for (String v : inserted) {
            lists.add(list.replace(TranslationDraft.RETURNED, values.returned(v)));
        }
        return d.rewritten(SyncForm.returning(d, parts, lists, false),
                Rewrite.Kind.DUAL_WRITE_RETURNING, DualWriteForm.HIDDEN_COLUMNS);
    }

    private static SyncForm.Part part(TranslationDraft d, String write, String conflict, String key, Values values,
                                      String inserted) {
        return new SyncForm.Part(write + conflict.replace(TranslationDraft.EXCLUDED, d.asColumn(inserted)), key,
                values.sync(inserted));
    }

    /**
     * Why the ON CONFLICT of an INSERT … SELECT supplying the column cannot be translated exactly, or null
     * ({@link InsertSelectForm}); removes the assignment {@code column = EXCLUDED.column}. DO UPDATE needs
     * the key as its conflict target: the sync finds the query row by the updated row's key.
     */
    private String selectConflict(TranslationDraft d, InsertClauses p, String qualifier) {
        Sig t = d.t;
        if (p.doUpdate) {
            if (!(t.isSymbol(p.conflict + 2, "(") && t.isName(p.conflict + 3) && t.isSymbol(p.conflict + 4, ")")
                    && t.get(p.conflict + 3).normalized().equals(d.spec.keyColumn()) && t.is(p.conflict + 5, "do"))) {
                return "an INSERT … SELECT supplying the migrated column with ON CONFLICT … DO UPDATE whose conflict"
                        + " target is not (" + d.spec.keyColumn() + ")";
            }
            if (p.updated != null) {
                NewSchemaTranslator.Assigned a = p.updated;
                if (!(a.to() == a.from() + 3 && t.is(a.from(), "excluded") && t.isSymbol(a.from() + 1, ".")
                        && d.names.isColumn(t.get(a.from() + 2).normalized()))) {
                    return "an INSERT … SELECT whose ON CONFLICT … DO UPDATE assigns the migrated column something"
                            + " other than EXCLUDED." + d.spec.sourceColumn();
                }
                NewSchemaTranslator.remove(d, p.updates, a, qualifier);
            }
        }
        if (d.edited(p.conflict, p.conflictEnd).contains(TranslationDraft.EXCLUDED)) {
            return "an INSERT … SELECT whose ON CONFLICT clause reads EXCLUDED." + d.spec.sourceColumn()
                    + " other than assigning it to the column";
        }
        return null;
    }

    /** Whether DO UPDATE's new value of the column is the same each time it is computed ({@link ComputedOnce}). */
    private static boolean updatedOnce(TranslationDraft d, ReadScopes scopes, InsertClauses p, boolean defaultOnce) {
        NewSchemaTranslator.Assigned a = p.updated;
        return a.from() + 1 == a.to() && d.t.is(a.from(), "default") ? defaultOnce : ComputedOnce.of(d.t, scopes, a.from(), a.to());
    }

    /** The new value DO UPDATE gives the column (EXCLUDED's still a placeholder); removes its assignment. */
    private static String updatedValue(TranslationDraft d, InsertClauses p, String qualifier) {
        NewSchemaTranslator.Assigned a = p.updated;
        boolean isDefault = a.from() + 1 == a.to() && d.t.is(a.from(), "default");
        String value = isDefault ? d.defaultValue() : d.locked(d.edited(a.from(), a.to()), qualifier);
        NewSchemaTranslator.remove(d, p.updates, a, qualifier);
        return value;
    }

    /** What makes the INSERT one PostgreSQL rejects before it runs, for the translation would not; or null. */
    private static String invalid(Sig t, InsertClauses p, List<String> columns) {
        if (p.columns != null && new HashSet<>(columns).size() < columns.size()) {
            return "a column named twice in its column list, 42701";
        }
        if (p.rows != null) {
            int length = InsertClauses.expressions(t, p.rows.get(0)).size();
            for (int[] row : p.rows) {
                List<int[]> expressions = InsertClauses.expressions(t, row);
                if (expressions.size() != length) {
                    return "VALUES lists of different lengths, 42601";
                }
                for (int[] e : expressions) {
                    if (e[0] >= e[1]) {
                        return "an empty value in VALUES, 42601";
                    }
                }
            }
            if (p.columns != null && length > columns.size()) {
                return "more expressions than target columns, 42601";
            }
        } else if (p.columns != null && InsertSelectForm.queryWidth(t, p.sourceStart, p.sourceEnd) > columns.size()) {
            return "more expressions than target columns, 42601";
        }
        return null;
    }

    /** Whether the migrated column's new value reads {@code EXCLUDED.<column>} of a column other than the migrated one. */
    private static boolean readsOtherExcluded(TranslationDraft d, NewSchemaTranslator.Assigned a) {
        Sig t = d.t;
        for (int k = a.from(); k < a.to(); k++) {
            if (t.isName(k) && "excluded".equals(t.get(k).normalized()) && !t.isSymbol(k - 1, ".") && t.isSymbol(k + 1, ".")
                    && t.isName(k + 2) && !d.names.isColumn(t.get(k + 2).normalized())) {
                return true;
            }
        }
        return false;
    }

    /** {@code EXCLUDED.<column>} becomes a placeholder for the row's inserted value; a whole-row EXCLUDED is refused. */
    private static String excluded(TranslationDraft d, InsertClauses p, BitSet marks) {
        Sig t = d.t;
        for (int k = p.conflict; k < p.conflictEnd; k++) {
            if (!t.isName(k) || !"excluded".equals(t.get(k).normalized()) || t.isSymbol(k - 1, ".")) {
                continue;
            }
            if (!t.isSymbol(k + 1, ".") || !t.isName(k + 2)) {
                return "ON CONFLICT … DO UPDATE with a whole-row reference to EXCLUDED";
            }
            if (d.names.isColumn(t.get(k + 2).normalized())) {
                d.splice.replace(t.get(k).start(), t.get(k + 2).end(), TranslationDraft.EXCLUDED);
            }
            marks.set(k, k + 3);
        }
        return null;
    }

}
