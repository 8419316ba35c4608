package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.Relation;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One write being translated: the parameter-tagged text ({@link ParameterTags}), its tokens, where
 * the main statement starts after the application's own WITH list, and the edits made so far.
 * Helpers for the clauses every translated write has: SET lists, the written table, the value
 * expressions cast to the old column's type.
 */
final class TranslationDraft {

    /** Stands for the value the write leaves in the old column, until it is known (a RETURNING list is edited first). */
    static final String RETURNED = "\u0001dw$returned\u0001";
    /** Stands for {@code EXCLUDED.<column>} in ON CONFLICT … DO UPDATE, which differs per VALUES row. */
    static final String EXCLUDED = "\u0001dw$excluded\u0001";
    private static final Pattern TYPE_MODIFIER = Pattern.compile("\\(\\s*\\d+\\s*(,\\s*-?\\d+\\s*)?\\)");

    final SourceTable table;
    final MigrationSpec spec;
    final SourceNames names;
    final String statement;
    final String text;
    final Sig t;
    final int main;
    final Splice splice = new Splice();
    /**
     * Each write of the translation as a statement of its own (the app's write, edited, with the
     * RETURNING the translation gives it), tagged: what jOOQ checks ({@link NewSchemaTranslator}).
     */
    final List<String> standalone = new ArrayList<>();
    /**
     * The write stays a dual write (READ_NEW): only its reads of the column move to the new table
     * ({@link NewSchemaTranslator#dualWriteReadingNew}), the value it assigns and its sync stay the dual write's.
     */
    final boolean keepsOldColumn;
    /** Null, or tagged SQL that describes the translation's result as the application's ({@code Rewritten#describedBy}). */
    String describedBy;
    /** The RETURNING list's origins ({@link #writeEdits}), or null. */
    private Rewrite.Origins origins;
    private final ReadRewriter reads;

    TranslationDraft(SourceTable table, SourceNames names, ReadRewriter reads, String statement,
                     ParameterTags.Tagged tagged, int main, boolean keepsOldColumn) {
        this.table = table;
        this.keepsOldColumn = keepsOldColumn;
        this.reads = reads;
        this.spec = table.spec();
        this.names = names;
        this.statement = statement;
        this.text = tagged.text();
        this.t = tagged.sig();
        this.main = main;
    }

    /** One {@code target = expression} of a SET list: tokens [start, eq) and (eq, end). */
    record Assignment(int start, int eq, int end) {
    }

    /** The end of the SET list that starts at {@code from}: the first FROM, WHERE or RETURNING at its depth. */
    int setEnd(int from) {
        return setEnd(t, from);
    }

    static int setEnd(Sig t, int from) {
        for (int i = from; i < t.size(); i++) {
            if (t.depth(i) == 0 && ((t.is(i, "from") && !t.isDistinctFrom(i)) || t.is(i, "where")
                    || t.is(i, "returning"))) {
                return i;
            }
        }
        return t.size();
    }

    /** The first token at depth 0 in [from, size) that is one of {@code words}, else size. */
    int clauseEnd(int from, String... words) {
        return clauseEnd(t, from, words);
    }

    static int clauseEnd(Sig t, int from, String... words) {
        for (int i = from; i < t.size(); i++) {
            if (t.depth(i) == 0) {
                for (String w : words) {
                    if (t.is(i, w)) {
                        return i;
                    }
                }
            }
        }
        return t.size();
    }

    /** The assignments of a SET list in [from, to); null when one has no {@code =} at its depth. */
    List<Assignment> assignments(int from, int to) {
        return assignments(t, from, to);
    }

    static List<Assignment> assignments(Sig t, int from, int to) {
        List<Assignment> out = new ArrayList<>();
        int start = from;
        int eq = -1;
        for (int i = from; i <= to; i++) {
            if (i == to || (t.depth(i) == 0 && t.isSymbol(i, ","))) {
                if (eq < 0 || eq == start || eq + 1 >= i) {
                    return null;
                }
                out.add(new Assignment(start, eq, i));
                start = i + 1;
                eq = -1;
            } else if (eq < 0 && t.depth(i) == 0 && t.isSymbol(i, "=")) {
                eq = i;
            }
        }
        return out;
    }

    /** The relation of the written table: {@code refName} is how a qualifier names it. */
    Relation written(String qualifier, boolean aliased, int lastNameToken) {
        Relation r = new Relation();
        r.source = true;
        r.aliased = aliased;
        r.qualifier = qualifier;
        r.refName = aliased ? Identifiers.normalize(qualifier) : t.get(lastNameToken).normalized();
        return r;
    }

    /** The text of tokens [from, to) with the edits inside them. */
    String edited(int from, int to) {
        return splice.apply(text, t.get(from).start(), t.get(to - 1).end());
    }

    /** The application's {@code WITH …} list (edited), or null. */
    String withPrefix() {
        return main == 0 ? null : edited(0, main);
    }

    /**
     * Removes assignment {@code k} of {@code list}; if it was the only one, assigns a column to itself
     * ({@link SourceTable#rowVersionColumn}).
     */
    void removeAssignment(List<Assignment> list, int k, String qualifier) {
        Assignment a = list.get(k);
        if (list.size() == 1) {
            String q = qualifier == null ? "" : qualifier + ".";
            String column = Identifiers.quote(table.rowVersionColumnOrKey());
            splice.replaceCovering(t.get(a.start()).start(), t.get(a.end() - 1).end(), column + " = " + q + column);
        } else if (k < list.size() - 1) {
            splice.replaceCovering(t.get(a.start()).start(), t.get(list.get(k + 1).start()).start(), "");
        } else {
            splice.replaceCovering(t.get(list.get(k - 1).end() - 1).end(), t.get(a.end() - 1).end(), "");
        }
    }

    /** The old column's default as the original schema would have filled it, or NULL. */
    String defaultValue() {
        return table.valueDefault() == null ? "NULL" : table.valueDefault();
    }

    /**
     * The value as the column would hold it (type and modifiers): what RETURNING shows. Another column's value
     * ({@code SET email = name}, the old values' {@code "dw$o"."dw$1"}) is wrapped in a one-value COALESCE: as a plain
     * reference (a cast to its own type changes nothing) PostgreSQL would give the result that column as origin, which
     * PgJDBC reports as the column's table and nullability.
     */
    String asColumn(String expr) {
        String value = ResultOrigins.bareReference(new Sig(Statements.significant(Lexer.scan(expr, true).tokens())))
                ? "COALESCE(" + expr + ")" : expr;
        return table.valueType() == null ? "(" + value + ")" : "CAST((" + value + ") AS " + table.valueType() + ")";
    }

    /**
     * The value for the sync view, cast to the column's type without its modifiers: an explicit cast
     * to {@code varchar(255)} would truncate silently, where the original assignment (and the sync
     * view's, which keeps the modifiers) fails with 22001.
     */
    String forSync(String expr) {
        String base = baseValueType();
        return base == null ? "(" + expr + ")" : "CAST((" + expr + ") AS " + base + ")";
    }

    /** The old column's type without its modifiers (an explicit cast to it does not truncate), or null when unknown. */
    String baseValueType() {
        if (table.valueType() == null) {
            return null;
        }
        String base = TYPE_MODIFIER.matcher(table.valueType()).replaceAll("").replaceAll("\\s+", " ").trim();
        // character[] and bit[] are arrays of character(1) and bit(1): an array's elements keep their length too
        int dims = base.indexOf('[');
        String element = dims < 0 ? base : base.substring(0, dims).trim();
        String suffix = dims < 0 ? "" : base.substring(dims);
        return switch (element) {
            case "character" -> "bpchar" + suffix;
            case "bit" -> "bit varying" + suffix;
            default -> base;
        };
    }

    /** The new value read from the target table's primary row of {@code qualifier}'s key (the statement's snapshot). */
    String stored(String qualifier) {
        return reads.newValue(qualifier);
    }

    /**
     * {@code expr} with its reads of the stored value ({@link #stored}) locking the target row. They are
     * evaluated in RETURNING, after PostgreSQL has locked (and under READ COMMITTED re-read) the written
     * row; a locking read then returns the latest committed version of the target row too, as the
     * original's SET read the latest version of its own row, instead of the statement's snapshot's. The
     * sync updates that row anyway, so the lock costs no extra write. Only the written row's own read: another row's
     * keeps the statement's snapshot, as in the original, and a lock would skip a target row this statement's sync
     * already changed (PostgreSQL's row lock passes over a version the same command made), reading NULL.
     */
    String locked(String expr, String qualifier) {
        return reads.locking(expr, qualifier);
    }

    String quotedKey(String qualifier) {
        return (qualifier == null ? "" : qualifier + ".") + Identifiers.quote(spec.keyColumn());
    }

    /** The final rewrite: tags stripped into the parameter map. A translation in place is its own standalone write. */
    Rewrite.Rewritten rewritten(String sql, Rewrite.Kind kind, int hidden) {
        if (standalone.isEmpty()) {
            standalone.add(sql);
        }
        ParameterTags.Untagged u = ParameterTags.untag(sql);
        return new Rewrite.Rewritten(u.sql(), kind, hidden, u.sources(), null,
                describedBy == null ? null : ParameterTags.untag(describedBy).sql(), origins);
    }

    /**
     * The edits that make the write's references to the old column read the new table ({@link ReadRewriter#writeEdits}),
     * into this draft; the RETURNING list's {@link Rewrite.Origins} kept for {@link #rewritten}. Why not, or null.
     */
    String writeEdits(ReadScopes scopes, int returningStart, String returned) {
        String refusal = reads.writeEdits(t, scopes, returningStart, returned, splice);
        origins = refusal == null ? reads.origins(t, scopes) : null;
        return refusal;
    }

    /**
     * The update-count rewrite ({@link Rewrite.Kind#DUAL_WRITE}) with its form for non-NULL values ({@code upsertSql},
     * the same writes): taken outright when every value is a non-NULL literal, offered for executions that bind the
     * values' parameters non-NULL, and left out when a value may be NULL otherwise or the target's value column has
     * another type than the old column (the sync view's assignment then checks what a direct upsert would not).
     *
     * @param values per value the write gives the column, {@link #notNullSource}
     */
    Rewrite.Rewritten rewritten(String sql, String upsertSql, List<Integer> values) {
        Rewrite.Rewritten general = rewritten(sql, Rewrite.Kind.DUAL_WRITE, 0);
        if (!table.targetHasColumnType() || values.contains(-1)) {
            return general;
        }
        ParameterTags.Untagged u = ParameterTags.untag(upsertSql);
        if (!Arrays.equals(u.sources(), general.parameterSources())) {
            throw new IllegalStateException("the upsert form moved parameters: " + upsertSql);
        }
        Rewrite.Rewritten upsert = general.withSql(u.sql());
        int[] parameters = values.stream().mapToInt(Integer::intValue).filter(p -> p > 0).distinct().toArray();
        return parameters.length == 0 ? upsert : new Rewrite.Rewritten(general.sql(), Rewrite.Kind.DUAL_WRITE, 0,
                general.parameterSources(), new Rewrite.IfNotNull(upsert, parameters));
    }

    /**
     * What makes the value of tokens [from, to) non-NULL: 0 for a literal string or number, the application's
     * parameter number for a lone parameter ({@code ?} or {@code $n}, also in parentheses), -1 for anything else
     * (an expression, NULL, DEFAULT: the general form).
     */
    int notNullSource(int from, int to) {
        return notNullSource(t, from, to);
    }

    /** {@link #notNullSource(int, int)} in tokens {@code t} of parameter-tagged text ({@link ParameterTags#tag}). */
    static int notNullSource(Sig t, int from, int to) {
        while (to - from >= 3 && t.isSymbol(from, "(") && t.match(from) == to - 1) {
            from++;
            to--;
        }
        if (to - from != 1) {
            return -1;
        }
        return switch (t.get(from).kind()) {
            case STRING, ESCAPE_STRING, UNICODE_STRING, DOLLAR_STRING, NUMBER -> 0;
            case PARAMETER -> ParameterTags.number(t.get(from).text());
            default -> -1;
        };
    }
}
