package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.analysis.JooqView;
import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.Relation;
import io.dualwrite.rewriter.analysis.Reasons;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.WithList;
import io.dualwrite.rewriter.analysis.SourceNames;
import io.dualwrite.rewriter.analysis.WriteAnalyzer;
import io.dualwrite.rewriter.analysis.WriteScan;
import io.dualwrite.rewriter.analysis.WriteShape;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import io.dualwrite.rewriter.lexer.Token;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code NEW_ONLY} / {@code CONTRACTED}: an INSERT, UPDATE or DELETE on the source table translated
 * into the new schema, so that it runs as it did on the original schema after the old column is gone.
 * References to the old column read the target table's primary row (as {@link ReadRewriter} does for
 * reads); the value a write gives the column leaves the write and reaches the sync view through the
 * write's RETURNING ({@link SyncForm}); the base table stays the one written, so row locks, triggers
 * and the update count are the original's. UPDATE is in this class, INSERT in {@link InsertTranslator}.
 */
final class NewSchemaTranslator {

    /** The translation, and for a write without RETURNING of its own the translation that returns a list. */
    record Translation(Rewrite rewrite, Function<String, Rewrite> returning) {
    }

    private final SourceTable table;
    private final SourceNames names;
    private final WriteAnalyzer writes;
    private final ReadRewriter reads;
    private final InsertTranslator inserts;

    NewSchemaTranslator(SourceTable table, SourceNames names, ReadRewriter reads) {
        this.table = table;
        this.names = names;
        this.writes = new WriteAnalyzer(names);
        this.reads = reads;
        this.inserts = new InsertTranslator(this);
    }

    /** @param s the statement's tokens, {@code offset} ahead of {@code statement}; it writes the source table */
    Translation translate(String statement, int offset, Sig s) {
        if (statement.contains("dw$p")) {
            Rewrite r = refused(statement, "a statement containing dualwrite's own parameter tag text \"dw$p\"",
                    "rename whatever spells it");
            return new Translation(r, null);
        }
        Rewrite r = build(statement, offset, s, "", List.of(), false);
        boolean returns = s.find("returning", 0, s.size(), 0) >= 0;
        return new Translation(r, returns ? null : list -> withReturning(statement, offset, s, list));
    }

    /** Generated keys: the translation of the statement with {@code RETURNING list} appended, as PgJDBC would append it. */
    private Rewrite withReturning(String statement, int offset, Sig s, String list) {
        String suffix = " RETURNING " + list;
        List<Token> tokens = Statements.significant(Lexer.scan(suffix, true).tokens());
        Rewrite r = build(statement, offset, s, suffix, tokens, false);
        if (r instanceof Rewrite.Rewritten w && w.kind() != Rewrite.Kind.DUAL_WRITE_RETURNING) {
            return new Rewrite.Rewritten(w.sql(), Rewrite.Kind.DUAL_WRITE_RETURNING, 0, w.parameterSources(), null,
                    w.describedBy(), w.origins());
        }
        return r;
    }

    /**
     * {@code READ_NEW}: the dual write of an UPDATE or DELETE whose other reads of the column (WHERE, FROM/USING, the
     * values of other columns) read the new table, as the translation's do; the value it assigns the column keeps
     * reading the old one, and its sync is the dual write's. Why: once the fleet moves on to {@code NEW_ONLY}, an
     * instance that has not yet followed still runs READ_NEW while the others no longer write the old column, so the
     * old column may be stale for those seconds; the new table never is. The assigned value keeps the old column's
     * read because only there PostgreSQL re-reads the row it locked (a read-modify-write under READ COMMITTED), and a
     * locking read of the new table in SET would take the two rows' locks in the order opposite to every other write.
     *
     * @return the rewrite, or null when nothing outside the assigned value reads the column, when the write is an
     *         INSERT, or cannot be translated: then the dual write as the application wrote it serves
     */
    Rewrite dualWriteReadingNew(String statement, int offset, Sig s) {
        // a write that reads no email (the dual write of a value names it as a SET target only) is not planned twice
        if (statement.contains("dw$p") || !WriteScan.readsColumn(s, names, false)) {
            return null;
        }
        return build(statement, offset, s, "", List.of(), true) instanceof Rewrite.Rewritten w ? w : null;
    }

    private Rewrite build(String statement, int offset, Sig s, String suffix, List<Token> suffixTokens,
                          boolean keepsOldColumn) {
        ParameterTags.Tagged tagged = ParameterTags.tag(statement, offset, s, suffix, suffixTokens);
        Sig t = tagged.sig();
        int main = 0;
        if (t.is(0, "with")) {
            main = WithList.mainStatement(t, new ArrayList<>(), null);
            if (main < 0) {
                return refused(statement, "a write with a WITH list that is not recognised", "simplify the WITH list");
            }
        }
        WriteShape shape = writes.analyze(new Sig(t.tokens().subList(main, t.size())));
        if (shape == null) {
            return refused(statement, "a write on the migrated table whose structure was not recognised",
                    "simplify the statement");
        }
        TranslationDraft d = new TranslationDraft(table, names, reads, statement, tagged, main, keepsOldColumn);
        Rewrite r = switch (shape.verb()) {
            case INSERT -> keepsOldColumn ? Rewrite.PASS_THROUGH : inserts.translate(d, shape);
            case UPDATE -> update(d, shape);
            case DELETE -> delete(d, shape);
        };
        return r instanceof Rewrite.Rewritten ? parses(d, r) : r;
    }

    /**
     * Where jOOQ parses the application's write, each write of the translation must parse too (leniently:
     * functions and syntax it does not know are not failures). Checked on the writes alone, not the
     * whole form: jOOQ 3.19 cannot parse a data-modifying CTE followed by another, which PostgreSQL runs.
     */
    private Rewrite parses(TranslationDraft d, Rewrite r) {
        if (JooqView.parse(d.statement) == null) {
            return r;
        }
        for (String write : d.standalone) {
            if (JooqView.parseLeniently(OuterColumnWrapper.withoutWrappers(ParameterTags.untag(write).sql())) == null) {
                return refused(d.statement, "a write whose translated form does not parse",
                        "report it as a dualwrite bug; until then stay in a phase that writes the old column");
            }
        }
        return r;
    }

    /**
     * {@code UPDATE users u SET a = e1, email = e2 [FROM f] WHERE w [RETURNING r]}: the email
     * assignment leaves the SET list and its value (read before the row changes, as SET reads it)
     * reaches the sync view through RETURNING; every other reference reads the target table.
     */
    private Rewrite update(TranslationDraft d, WriteShape shape) {
        Sig t = d.t;
        int i = d.main + (t.is(d.main + 1, "only") ? 2 : 1);
        int len = names.tableAt(t, i);
        int set = t.find("set", i + len, t.size(), 0);
        if (len == 0 || set < 0) {
            return refused(d.statement, "an UPDATE of the migrated table whose target was not recognised",
                    "write it as UPDATE table [[AS] alias] SET …");
        }
        int setEnd = d.setEnd(set + 1);
        List<TranslationDraft.Assignment> list = d.assignments(set + 1, setEnd);
        if (list == null) {
            return refused(d.statement, "an UPDATE whose SET list was not recognised", "write SET column = expression, …");
        }
        Assigned assigned = null;
        Set<String> others = new HashSet<>();
        for (int k = 0; k < list.size(); k++) {
            Object here = assignment(t, k, list.get(k), others);
            if (here instanceof String refusal) {
                return refused(d.statement, refusal, "assign the migrated column on its own: SET column = expression");
            } else if (here != null && assigned != null) {
                // translated, the last would win; PostgreSQL rejects the statement (42601)
                return refused(d.statement, "an UPDATE that PostgreSQL rejects (the migrated column assigned twice,"
                        + " 42601)", "correct the statement");
            } else if (here != null) {
                assigned = (Assigned) here;
            }
        }
        int from = t.is(setEnd, "from") ? setEnd : -1;
        int fromEnd = from < 0 ? -1 : d.clauseEnd(from + 1, "where", "returning");
        return finish(d, shape, list, assigned, others, from, fromEnd);
    }

    /**
     * The SET item that assigns the migrated column: its index in the SET list, the value's tokens [from, to), and for
     * a row form ({@code (a, email) = (x, y)}) the other targets with their values, each {target, from, to}.
     */
    record Assigned(int index, int from, int to, List<int[]> rest) {
    }

    /**
     * SET item {@code k} of an UPDATE or of ON CONFLICT … DO UPDATE, {@code a = x} or a row form: the Assigned when it
     * assigns the migrated column, null when it does not (its targets are added to {@code others}), or why it cannot be
     * translated.
     */
    Object assignment(Sig t, int k, TranslationDraft.Assignment a, Set<String> others) {
        if (a.eq() == a.start() + 1) {
            if (names.isColumn(t.get(a.start()).normalized())) {
                return new Assigned(k, a.eq() + 1, a.end(), null);
            }
        } else if (t.isSymbol(a.start(), "(") && t.match(a.start()) == a.eq() - 1) {
            return rowAssignment(t, k, a, others);
        } else {
            String refusal = target(t, a);
            if (refusal != null) {
                return refusal;
            }
        }
        others.add(t.get(a.start()).normalized());
        return null;
    }

    /**
     * {@code SET (a, email, b) = (x, y, z)} or {@code = ROW(x, y, z)}: PostgreSQL reads it as {@code a = x, email = y,
     * b = z} (a row constructor's items are assigned one by one), so it translates like those. The Assigned when it
     * names the migrated column (its targets are added to {@code others} otherwise), null when it does not, or why it
     * cannot be translated. A sub-SELECT source computes every value at once and is refused.
     */
    private Object rowAssignment(Sig t, int k, TranslationDraft.Assignment a, Set<String> others) {
        List<int[]> targets = InsertClauses.expressions(t, new int[] {a.start(), a.eq() - 1});
        int column = -1;
        for (int i = 0; i < targets.size(); i++) {
            int[] e = targets.get(i);
            boolean plain = e[1] == e[0] + 1 && t.isName(e[0]);
            for (int j = e[0]; j < e[1]; j++) {
                if (t.isIdentifier(j) && names.isColumn(t.get(j).normalized()) && !plain) {
                    return "a SET that assigns the migrated column in a subfield or subscript form";
                }
            }
            if (plain && names.isColumn(t.get(e[0]).normalized())) {
                if (column >= 0) {
                    return "a SET that PostgreSQL rejects (the migrated column assigned twice, 42601)";
                }
                column = i;
            }
        }
        if (column < 0) {
            for (int[] e : targets) {
                others.add(t.get(e[0]).normalized());
            }
            return null;
        }
        int source = a.eq() + 1;
        boolean row = t.is(source, "row") && t.isSymbol(source + 1, "(");
        int open = row ? source + 1 : source;
        if (!t.isSymbol(open, "(") || t.match(open) != a.end() - 1 || t.is(open + 1, "select") || t.is(open + 1, "with")
                || t.is(open + 1, "values")) {
            return "a SET that assigns the migrated column from a sub-SELECT or another row-valued expression";
        }
        List<int[]> values = InsertClauses.expressions(t, new int[] {open, a.end() - 1});
        if (values.size() != targets.size() || (!row && values.size() == 1)) {
            // translated, it could succeed; refused, it fails as it does on the original schema, only with 0A000
            return "a SET that PostgreSQL rejects (a row assignment whose source does not match its columns, 42601)";
        }
        List<int[]> rest = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            if (i != column) {
                others.add(t.get(targets.get(i)[0]).normalized());
                rest.add(new int[] {targets.get(i)[0], values.get(i)[0], values.get(i)[1]});
            }
        }
        return new Assigned(k, values.get(column)[0], values.get(column)[1], rest);
    }

    /** Why the target of a SET assignment cannot be translated, or null. */
    private String target(Sig t, TranslationDraft.Assignment a) {
        boolean simple = a.eq() == a.start() + 1;
        for (int i = a.start(); i < a.eq(); i++) {
            if (t.isIdentifier(i) && names.isColumn(t.get(i).normalized()) && !simple) {
                return "a SET that assigns the migrated column in a row, subfield or subscript form";
            }
        }
        return null;
    }

    private Rewrite finish(TranslationDraft d, WriteShape shape, List<TranslationDraft.Assignment> list, Assigned assigned,
                           Set<String> others, int from, int fromEnd) {
        Sig t = d.t;
        int ret = t.find("returning", d.main, t.size(), 0);
        int listStart = ret < 0 ? -1 : ret + 1;
        Relation relation = d.written(shape.qualifier(), shape.hasAlias(), lastTableToken(d));
        ReadScopes scopes = ReadScopes.ofWrite(t, names, relation, from, fromEnd, listStart, marks(d, list));
        scopes.hideWrittenTable(0, d.main);
        // READ_NEW's dual write returns what it leaves in the old column where it writes it there (a BEFORE trigger may)
        boolean returnsWritten = assigned != null || d.keepsOldColumn && d.table.storedMayDiffer();
        String refusal = d.writeEdits(scopes, listStart, returnsWritten ? TranslationDraft.RETURNED : null);
        if (refusal != null) {
            return refused(d.statement, "an UPDATE of the migrated table whose references to the column cannot be"
                    + " translated: " + refusal, "change it as suggested");
        }
        if (d.keepsOldColumn) {
            return readingNew(d, shape, assigned, false);
        }
        if (assigned == null) {
            return inPlace(d, ret);
        }
        boolean isDefault = assigned.from() + 1 == assigned.to() && t.is(assigned.from(), "default");
        int setEnd = list.get(list.size() - 1).end();
        String expression = d.edited(assigned.from(), assigned.to());
        boolean readsColumn = !expression.equals(d.text.substring(t.get(assigned.from()).start(), t.get(assigned.to() - 1).end()));
        boolean twice = ret >= 0 && d.edited(ret + 1, t.size()).contains(TranslationDraft.RETURNED) && !ComputedOnce.of(t, scopes, assigned.from(), assigned.to());
        List<String> oldValues = null;
        String value;
        if (!isDefault && twice && !readsColumn && OldValuesJoin.joinable(t, setEnd)) {
            // computed once, by the sub-select, on the row's old values as SET computes it
            oldValues = List.of(expression);
            value = OldValuesJoin.value(1);
        } else {
            if (twice) {
                return refused(d.statement, "an UPDATE … RETURNING the migrated column whose new value calls a function"
                        + " that may not be immutable and reads the migrated column, or is in an UPDATE … FROM or WHERE"
                        + " CURRENT OF (the translation computes it twice)", "return the column from a separate SELECT, or"
                        + " use immutable functions only");
            }
            // what RETURNING would see changed: SET's other columns, and what changes with them
            Set<String> changed = OldValuesJoin.changed(d.table, others);
            if (!isDefault && OldValuesJoin.readsWholeRow(t, scopes, assigned.from(), assigned.to(), relation.refName)
                    && (!others.isEmpty() || d.table.storedMayDiffer())) {
                return refused(d.statement, "an UPDATE whose new value of the migrated column reads the whole row, which"
                        + " the same UPDATE (or a BEFORE trigger) changes", "name the columns the value reads");
            }
            if (!isDefault && OldValuesJoin.reads(t, assigned.from(), assigned.to(), changed)) {
                Object read = OldValuesJoin.readOldValues(d, setEnd, assigned.from(), assigned.to(), changed,
                        shape.qualifier(), relation.refName);
                if (read instanceof String why) {
                    return refused(d.statement, why, "compute the value from the columns' old values explicitly, or"
                            + " assign them in two statements");
                }
                @SuppressWarnings("unchecked")
                List<String> columns = (List<String>) read;
                oldValues = columns;
            }
            // edited again: its references to assigned columns may now read the sub-select
            value = isDefault ? d.defaultValue() : d.locked(d.edited(assigned.from(), assigned.to()), shape.qualifier());
        }
        String returned = d.asColumn(value);
        remove(d, list, assigned, shape.qualifier());
        if (oldValues != null) {
            // the users row is locked by the sub-select before SET is computed: its reads of the row's email may lock
            // too, and so read what a concurrent writer committed, as the original's SET read the re-read row
            int setStart = list.get(0).start();
            String set = d.edited(setStart, setEnd);
            String locked = d.locked(set, shape.qualifier());
            if (!locked.equals(set)) {
                d.splice.replaceCovering(t.get(setStart).start(), t.get(setEnd - 1).end(), locked);
            }
            int[] target = {d.main + 1, setStart - 1};
            OldValuesJoin.join(d, target, setEnd, ret < 0 ? t.size() : ret, oldValues, shape.qualifier());
        }
        SyncForm.Part part = new SyncForm.Part(d.edited(d.main, ret < 0 ? t.size() : ret),
                d.quotedKey(shape.qualifier()), d.forSync(value));
        if (ret < 0) {
            return d.rewritten(SyncForm.plain(d, List.of(part), false), SyncForm.plainUpsert(d, List.of(part)),
                    List.of(isDefault ? -1 : d.notNullSource(assigned.from(), assigned.to())));
        }
        String returning = d.edited(ret + 1, t.size()).replace(TranslationDraft.RETURNED, returned);
        return d.rewritten(SyncForm.returning(d, List.of(part), List.of(returning), false),
                Rewrite.Kind.DUAL_WRITE_RETURNING, DualWriteForm.HIDDEN_COLUMNS);
    }

    /** Takes the migrated column's assignment out of the SET list; of a row form, the other columns stay, one by one. */
    static void remove(TranslationDraft d, List<TranslationDraft.Assignment> list, Assigned assigned, String qualifier) {
        if (assigned.rest() == null || assigned.rest().isEmpty()) {
            d.removeAssignment(list, assigned.index(), qualifier);
            return;
        }
        StringBuilder kept = new StringBuilder();
        for (int[] r : assigned.rest()) {
            kept.append(kept.isEmpty() ? "" : ", ").append(d.t.get(r[0]).text()).append(" = ").append(d.edited(r[1], r[2]));
        }
        TranslationDraft.Assignment a = list.get(assigned.index());
        d.splice.replaceCovering(d.t.get(a.start()).start(), d.t.get(a.end() - 1).end(), kept.toString());
    }

    /** The SET targets, the written table and its alias are not references to translate. */
    private static BitSet marks(TranslationDraft d, List<TranslationDraft.Assignment> list) {
        BitSet b = new BitSet();
        b.set(d.main, list.get(0).start());
        markTargets(d.t, list, b);
        return b;
    }

    /** The targets of SET assignments name columns of the written row; they are not references. */
    static void markTargets(Sig t, List<TranslationDraft.Assignment> list, BitSet b) {
        for (TranslationDraft.Assignment a : list) {
            if (t.isSymbol(a.start(), "(")) {
                b.set(a.start(), a.eq());
            } else {
                b.set(a.start());
            }
        }
    }

    /** DELETE: the primary target row goes in the same statement (the sync, deleted = true). */
    private Rewrite delete(TranslationDraft d, WriteShape shape) {
        Sig t = d.t;
        int i = d.main + (t.is(d.main + 2, "only") ? 3 : 2);
        int j = i + names.tableAt(t, i);
        if (t.isSymbol(j, "*")) {
            j++;
        }
        if (shape.hasAlias()) {
            j += t.is(j, "as") ? 2 : 1;
        }
        int using = t.is(j, "using") ? j : -1;
        int usingEnd = using < 0 ? -1 : d.clauseEnd(using + 1, "where", "returning");
        int ret = t.find("returning", d.main, t.size(), 0);
        int listStart = ret < 0 ? -1 : ret + 1;
        BitSet marks = new BitSet();
        marks.set(d.main, j);
        Relation written = d.written(shape.qualifier(), shape.hasAlias(), lastTableToken(d));
        ReadScopes scopes = ReadScopes.ofWrite(t, names, written, using, usingEnd, listStart, marks);
        scopes.hideWrittenTable(0, d.main);
        String refusal = d.writeEdits(scopes, listStart, null);
        if (refusal != null) {
            return refused(d.statement, "a DELETE from the migrated table whose references to the column cannot be"
                    + " translated: " + refusal, "change it as suggested");
        }
        if (d.keepsOldColumn) {
            return readingNew(d, shape, null, true);
        }
        if (d.table.deletesFollowed()) {
            // the source's statement trigger deletes the primary rows of the keys gone, at the statement's end with a
            // fresh snapshot (READ COMMITTED), as the sync view's function would, row by row
            if (d.splice.isEmpty()) {
                return Rewrite.PASS_THROUGH;
            }
            return d.rewritten(d.splice.apply(d.text), ret < 0 ? Rewrite.Kind.DUAL_WRITE : Rewrite.Kind.DUAL_WRITE_RETURNING, 0);
        }
        SyncForm.Part part = new SyncForm.Part(d.edited(d.main, ret < 0 ? t.size() : ret),
                d.quotedKey(shape.qualifier()), null);
        if (ret < 0) {
            return d.rewritten(SyncForm.plain(d, List.of(part), true), Rewrite.Kind.DUAL_WRITE, 0);
        }
        return d.rewritten(SyncForm.returning(d, List.of(part), List.of(d.edited(ret + 1, t.size())),
                true), Rewrite.Kind.DUAL_WRITE_RETURNING, DualWriteForm.HIDDEN_COLUMNS);
    }

    /**
     * {@link #dualWriteReadingNew}'s form: the write with its edits, the assigned value as written, feeding the dual
     * write's sync view; in place, with no sync, when it writes no value the sync must see. Its RETURNING list returns,
     * for the column, the value the write leaves in the old column where it writes it there, else the new table's.
     */
    private Rewrite readingNew(TranslationDraft d, WriteShape shape, Assigned assigned, boolean delete) {
        Sig t = d.t;
        if (assigned != null) {
            int start = t.get(assigned.from()).start();
            int end = t.get(assigned.to() - 1).end();
            d.splice.replaceCovering(start, end, d.text.substring(start, end));
        }
        String written = (shape.qualifier() == null ? "" : shape.qualifier() + ".") + Identifiers.quote(d.spec.sourceColumn());
        String write = d.edited(d.main, t.size()).replace(TranslationDraft.RETURNED, written);
        if (write.equals(d.text.substring(t.get(d.main).start(), t.get(t.size() - 1).end()))) {
            return Rewrite.PASS_THROUGH;
        }
        boolean returns = t.find("returning", d.main, t.size(), 0) >= 0;
        Rewrite.Kind kind = returns ? Rewrite.Kind.DUAL_WRITE_RETURNING : Rewrite.Kind.DUAL_WRITE;
        if (!delete && assigned == null && !table.storedMayDiffer()) {
            return d.rewritten(d.splice.apply(d.text).replace(TranslationDraft.RETURNED, written), kind, 0);
        }
        d.standalone.add(write);
        DualWriteForm.Form form = new DualWriteForm.Form(d.spec, d.withPrefix(), write, shape.qualifier(), delete, returns);
        return returns ? d.rewritten(form.returning(null), kind, DualWriteForm.HIDDEN_COLUMNS)
                : d.rewritten(form.plain(), kind, 0);
    }

    /** A write that gives the column no value: only its references (and {@code *}) change, in place. */
    static Rewrite inPlace(TranslationDraft d, int ret) {
        if (d.splice.isEmpty()) {
            return Rewrite.PASS_THROUGH;
        }
        return d.rewritten(d.splice.apply(d.text), ret < 0 ? Rewrite.Kind.DUAL_WRITE : Rewrite.Kind.DUAL_WRITE_RETURNING, 0);
    }

    /** The token that ends the written table's name (its last part). */
    int lastTableToken(TranslationDraft d) {
        Sig t = d.t;
        int i = d.main + 1;
        while (i < t.size() && names.tableAt(t, i) == 0) {
            i++;
        }
        return i + names.tableAt(t, i) - 1;
    }

    Rewrite refused(String statement, String shape, String advice) {
        return new Rewrite.Rejected(Reasons.of(shape + " (" + names.spec().name() + ")", advice, statement));
    }
}
