package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.analysis.ColumnLabel;
import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.ReadScopes.Item;
import io.dualwrite.rewriter.analysis.ReadScopes.Relation;
import io.dualwrite.rewriter.analysis.Scope;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

/**
 * READ_NEW form of a query: every reference to the old column that resolves to the source table
 * becomes a scalar subquery on the target table's primary row. A scalar subquery rather than an
 * outer join keeps row counts, keeps the FROM list (so FOR UPDATE still locks only the source
 * rows), and keeps parameter order. The one exception is a key range scan of the source table
 * alone ({@link KeyRangeJoins}), which reads through an outer join carrying the range: there the
 * subquery costs an index probe per row where the join merges two range scans.
 */
public final class ReadRewriter {

    /**
     * Exactly one of {@code sql} and {@code refusal} is set; both null means the query does not read
     * the old column. {@code parameterSources}: as {@code Rewrite.Rewritten#parameterSources}.
     */
    public record Result(String sql, String refusal, int[] parameterSources) {
        static final Result UNCHANGED = new Result(null, null, null);

        static Result refused(String refusal) {
            return new Result(null, refusal, null);
        }

        public boolean unchanged() {
            return sql == null && refusal == null;
        }
    }

    private static final Set<String> ORDER_ITEM_END = Set.of("asc", "desc", "nulls", "using");

    private final SourceNames names;
    private final List<String> columns;
    /** The migrated column's position in {@link #columns} (0-based), or -1 when they are not known. */
    private final int columnAt;
    /** Immutable, because planners run concurrently on cache misses. */
    private final boolean probe;

    public ReadRewriter(SourceNames names, List<String> columns) {
        this(names, columns, false);
    }

    private ReadRewriter(SourceNames names, List<String> columns, boolean probe) {
        this.names = names;
        this.columns = columns;
        int at = -1;
        for (int c = 0; c < columns.size() && at < 0; c++) {
            if (names.isColumn(columns.get(c))) {
                at = c;
            }
        }
        this.columnAt = at;
        this.probe = probe;
    }

    /**
     * Why a statement cannot run as sent once the old column is gone (CONTRACTED) or stale (NEW_ONLY), even where it
     * names no column the rewrite could replace, or null: a NATURAL join with the migrated table joins on every column
     * name the two sides share, the old one too while it exists and no longer after the drop (unless no other relation
     * joined has a column of that name: {@link #soleOwner}); a cast to the migrated
     * table's row type ({@code null::users}) has the old column until the drop and not after; so has {@code TABLE users}
     * as a query inside another statement (a derived table, a WITH query, a set operation's operand, an INSERT's rows),
     * which names no column at all. NEW_ONLY refuses them too, so that the contract changes no statement's behaviour.
     */
    public String translationRefusal(Sig s) {
        boolean natural = false;
        for (int i = 0; i < s.size(); i++) {
            if (s.isSymbol(i, "::") && names.tableAt(s, i + 1) > 0) {
                return "a cast to the migrated table's row type (" + s.get(i + 1).text() + "), which loses the old column"
                        + " when it is dropped";
            }
            if (isTableQuery(s, i)) {
                int name = i + (s.is(i + 1, "only") ? 2 : 1);
                return "TABLE " + s.get(name + names.tableAt(s, name) - 1).text() + " as a query inside the statement reads"
                        + " every column of the migrated table, the old one too until it is dropped; write it as SELECT"
                        + " with a column list";
            }
            natural |= s.is(i, "natural");
        }
        if (natural) {
            ReadScopes scopes = ReadScopes.of(s, names);
            for (Scope scope : scopes.scopes()) {
                // joined with relations none of which has a column of that name, it never joined on the old column
                if (scope.natural && scope.hasSource() && soleOwner(s, scopes, scope, names.spec().sourceColumn()) == null) {
                    return "a NATURAL join with the migrated table, which joins on every column name the two tables share,"
                            + " the old column's too until it is dropped";
                }
            }
        }
        return null;
    }

    /**
     * Whether token {@code i} starts {@code TABLE [ONLY] <migrated table>} in a query's place: after an opening
     * parenthesis, a set operator, {@code AS} (CREATE TABLE/VIEW … AS), or as an INSERT's rows (after the target, its
     * alias, its column list or OVERRIDING … VALUE). Elsewhere TABLE is a keyword of a command on the table itself (LOCK
     * TABLE, TRUNCATE TABLE, GRANT … ON TABLE, REINDEX (…) TABLE), which reads no column.
     */
    private boolean isTableQuery(Sig s, int i) {
        if (!s.is(i, "table") || s.isSymbol(i - 1, ".") || names.tableAt(s, i + (s.is(i + 1, "only") ? 2 : 1)) == 0) {
            return false;
        }
        if (s.isSymbol(i - 1, "(") || s.is(i - 1, "union") || s.is(i - 1, "intersect") || s.is(i - 1, "except")
                || s.is(i - 1, "all") || s.is(i - 1, "distinct") || s.is(i - 1, "as")) {
            return true;
        }
        return (s.isSymbol(i - 1, ")") || s.isName(i - 1)) && s.find("insert", 0, i, s.depth(i)) >= 0;
    }

    /** Whether a key range scan may read through a join ({@link KeyRangeJoins}), and with which bounds. */
    public enum Joins {
        /** Every reference reads the subquery. */
        NONE,
        /** Bounds that are literals or {@code $n} are copied; a {@code ?} bound is not. */
        KEEPING_PARAMETERS,
        /** A {@code ?} bound is copied too: the caller sends the result's parameter map. */
        MOVING_PARAMETERS
    }

    public Result rewrite(String sql, Sig s) {
        return run(sql, s, Joins.KEEPING_PARAMETERS);
    }

    public Result rewrite(String sql, Sig s, Joins joins) {
        return run(sql, s, joins);
    }

    /**
     * The same rewrite with a plain column name in place of each subquery: it has the same
     * syntax class (a primary expression), so it checks our splicing with jOOQ's parser without
     * tripping over jOOQ's own gaps (it rejects {@code count(DISTINCT (SELECT …))}).
     */
    public Result probe(String sql, Sig s, Joins joins) {
        return new ReadRewriter(names, columns, true).run(sql, s, joins);
    }

    private Result run(String sql, Sig s, Joins mode) {
        ReadScopes scopes = ReadScopes.of(s, names);
        if (scopes.refusal() != null) {
            return Result.refused(scopes.refusal());
        }
        Splice splice = new Splice();
        KeyRangeJoins joins = mode == Joins.NONE ? KeyRangeJoins.none(names.spec())
                : KeyRangeJoins.of(s, scopes, names, mode == Joins.MOVING_PARAMETERS);
        String refusal = collect(s, scopes, splice, null, joins);
        if (refusal != null) {
            return Result.refused(refusal);
        }
        if (splice.isEmpty()) {
            return Result.UNCHANGED;
        }
        joins.splice(s, splice);
        return new Result(splice.apply(sql), null, joins.parameterSources(s));
    }

    /**
     * The edits that make a write's references to the old column read the new table (scopes from
     * {@link ReadScopes#ofWrite}): the same as for a query, except that in the RETURNING list (tokens
     * from {@code returningStart} on) the written row's column, referenced or in an expanded {@code *},
     * is {@code returned}: the value the write leaves in it. {@code returned} null: the scalar subquery,
     * which reads the statement's snapshot (the value before the write). Adds to {@code splice};
     * returns why the write cannot be translated, or null.
     */
    public String writeEdits(Sig s, ReadScopes scopes, int returningStart, String returned, Splice splice) {
        if (scopes.refusal() != null) {
            return scopes.refusal();
        }
        Relation written = scopes.root().relations.get(0);
        return collect(s, scopes, splice, returned == null || returningStart < 0 ? null
                : new Returned(written, returningStart, returned), KeyRangeJoins.none(names.spec()));
    }

    /**
     * A write to another table that may read the old column ({@link OtherTableWrite}, whose scopes {@code scopes} are):
     * its references to the migrated table's column read the new table, as a query's do.
     */
    public Result otherTableWrite(String sql, Sig s, ReadScopes scopes) {
        if (scopes.refusal() != null) {
            return Result.refused(scopes.refusal());
        }
        Splice splice = new Splice();
        String refusal = collect(s, scopes, splice, null, KeyRangeJoins.none(names.spec()));
        if (refusal != null) {
            return Result.refused(refusal);
        }
        return splice.isEmpty() ? Result.UNCHANGED : new Result(splice.apply(sql), null, null);
    }

    /** In a write's RETURNING list (tokens from {@code from} on), the value the write left in the column of {@code row}. */
    private record Returned(Relation row, int from, String value) {
    }

    private String collect(Sig s, ReadScopes scopes, Splice splice, Returned returned, KeyRangeJoins joins) {
        String refusal = renamesColumn(scopes);
        if (refusal == null) {
            refusal = expandStars(s, scopes, splice, returned, joins);
        }
        if (refusal == null) {
            refusal = replaceReferences(s, scopes, splice, returned, joins);
        }
        if (refusal == null) {
            ValueLookups.splice(s, scopes, names, splice);
            keepLabels(s, scopes, splice);
        }
        return refusal;
    }

    private String expandStars(Sig s, ReadScopes scopes, Splice splice, Returned returned, KeyRangeJoins joins) {
        for (Scope scope : scopes.scopes()) {
            for (Item item : scope.items) {
                int len = item.end - item.start;
                if (len == 1 && s.isSymbol(item.start, "*") && scope.hasSource()) {
                    if (scope.naturalOrUsing) {
                        return "SELECT * over a NATURAL join or JOIN … USING with the migrated table cannot be"
                                + " expanded without changing its columns; list the columns explicitly";
                    }
                    StringBuilder b = new StringBuilder();
                    for (Relation r : scope.relations) {
                        if (r.qualifier == null) {
                            return "SELECT * over a FROM item without a name cannot be expanded; give it an alias";
                        }
                        if (!b.isEmpty()) {
                            b.append(", ");
                        }
                        if (r.source) {
                            if (r.columnAliases) {
                                return COLUMN_ALIASES_AND_STAR;
                            }
                            String cols = sourceColumns(r, valueIn(returned, r, item.start), joins);
                            if (cols == null) {
                                return "SELECT * on the migrated table needs its column list, which the driver did not supply";
                            }
                            b.append(cols);
                        } else {
                            b.append(r.qualifier).append(".*");
                        }
                    }
                    splice.replace(s.get(item.start).start(), s.get(item.start).end(), b.toString());
                    item.expanded = true;
                    scopes.markNotReference(item.start, item.end);
                } else if (len >= 3 && s.isSymbol(item.end - 1, "*") && s.isSymbol(item.end - 2, ".")) {
                    Relation r = qualifiedStar(s, scope, item.start, item.end - 2);
                    if (r != null && r.source) {
                        if (r.columnAliases) {
                            return COLUMN_ALIASES_AND_STAR;
                        }
                        String cols = sourceColumns(r, valueIn(returned, r, item.start), joins);
                        if (cols == null) {
                            return "SELECT alias.* on the migrated table needs its column list, which the driver did not supply";
                        }
                        splice.replace(s.get(item.start).start(), s.get(item.end - 1).end(), cols);
                        item.expanded = true;
                        scopes.markNotReference(item.start, item.end);
                    }
                }
            }
        }
        return null;
    }

    /**
     * A column alias list on the migrated table ({@code users u(a, b, c)}) that reaches the migrated column renames it:
     * a reference under the new name reads the old column unnoticed. Without the table's column list, any alias list.
     */
    private String renamesColumn(ReadScopes scopes) {
        for (Scope scope : scopes.scopes()) {
            for (Relation r : scope.relations) {
                if (r.source && r.columnAliasCount > 0 && (columnAt < 0 || r.columnAliasCount > columnAt)) {
                    return "a column alias list on the migrated table that renames the migrated column cannot be"
                            + " rewritten; alias the columns in the SELECT list instead";
                }
            }
        }
        return null;
    }

    private static final String COLUMN_ALIASES_AND_STAR = "a star over the migrated table with a column alias list in FROM"
            + " cannot be expanded; list the columns explicitly";

    /**
     * The relation that the qualifier in tokens [from, dot) of {@code q.*} or {@code schema.table.*} names, or null. A
     * schema-qualified name names the table itself, so only when it is not aliased.
     */
    private Relation qualifiedStar(Sig s, Scope scope, int from, int dot) {
        if (dot - from == 1 && s.isName(from)) {
            return scope.resolveQualifier(s.get(from).normalized());
        }
        if (dot - from == 3 && names.tableAt(s, from) == 3) {
            Relation r = scope.resolveQualifier(s.get(from + 2).normalized());
            return r != null && !r.aliased ? r : null;
        }
        return null;
    }

    /**
     * An unqualified name of the column in a subquery on other tables under a query on the migrated one: the subquery
     * is wrapped, once, where {@link OuterColumnWrapper} can ({@code wrapped}: opening parentheses already done). The
     * probe leaves the subquery as written (the wrapper is fixed text around it). Returns why it cannot, or null.
     */
    private String outerReference(Sig s, ReadScopes scopes, Scope scope, int reference, Splice splice, Returned returned,
                                  KeyRangeJoins joins, BitSet wrapped) {
        OuterColumnWrapper.Site site = OuterColumnWrapper.site(s, scopes, scope, reference,
                outer -> soleOwner(s, scopes, outer, s.get(reference).normalized()));
        if (site.refusal() == null && !probe && !wrapped.get(site.open())) {
            wrapped.set(site.open());
            String value = valueIn(returned, site.target(), site.open());
            OuterColumnWrapper.wrap(s, splice, site.open(), value != null ? value : newValue(site.target(), joins),
                    names.spec().sourceColumn());
        }
        return site.refusal();
    }

    /** What the column of {@code r} reads at token {@code i}: the written value in a write's RETURNING, else null (the subquery). */
    private static String valueIn(Returned returned, Relation r, int i) {
        return returned != null && returned.row() == r && i >= returned.from() ? returned.value() : null;
    }

    private String sourceColumns(Relation r, String value, KeyRangeJoins joins) {
        if (columns.isEmpty()) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (String c : columns) {
            if (!b.isEmpty()) {
                b.append(", ");
            }
            if (names.isColumn(c)) {
                b.append(value != null ? value : newValue(r, joins)).append(" AS ").append(Identifiers.quote(c));
            } else {
                b.append(r.qualifier).append('.').append(Identifiers.quote(c));
            }
        }
        return b.toString();
    }

    private String replaceReferences(Sig s, ReadScopes scopes, Splice splice, Returned returned, KeyRangeJoins joins) {
        BitSet wrapped = new BitSet();
        for (int i = 0; i < s.size(); i++) {
            if (scopes.inWritingCteClauses(i)) {
                if (names.tableAt(s, i) > 0) {
                    return "a data-modifying WITH query that reads the migrated table in its own clauses (FROM, USING,"
                            + " a join); read it in a SELECT of its own";
                }
                continue; // the WITH query's own table's columns
            }
            Scope scope = scopes.owner(i);
            if (scope == null || scopes.isNotAReference(i) || !s.isIdentifier(i) || s.isSymbol(i - 1, ".")
                    || s.isSymbol(i - 1, "::") || s.is(i - 1, "as")) {
                continue;
            }
            int k = i;
            while (s.isSymbol(k + 1, ".") && s.isName(k + 2)) {
                k += 2;
            }
            int parts = (k - i) / 2 + 1;
            int next = k + 1;
            if (s.isSymbol(next, "(") || s.isSymbol(next, "=>") || s.isSymbol(next, ":=")) {
                i = k;
                continue;
            }
            if (s.isSymbol(next, ".") && s.isSymbol(next + 1, "*")) {
                Relation r = qualifiedStar(s, scope, i, next);
                if (r != null && r.source) {
                    if (isFieldSelection(s, i, next + 2)) {
                        i = selectField(s, scope, r, i - 1, next + 4, returned, joins, splice);
                        continue;
                    }
                    String row = wholeRow(s, i, next + 2, r, valueIn(returned, r, i), joins);
                    if (row == null) {
                        return "a whole-row reference " + s.get(i).text() + ".* to the migrated table outside the"
                                + " SELECT list cannot be rewritten; list the columns explicitly";
                    }
                    replaceWithLabel(s, scope, i, next + 1, row, Identifiers.quote(s.get(k).normalized()), splice);
                }
                i = k;
                continue;
            }
            String last = s.get(k).normalized();
            Relation target = null;
            if (parts == 1) {
                Relation r = scope.resolveQualifier(last);
                if (r != null && r.source && !names.isColumn(last)) {
                    if (isFieldSelection(s, i, k + 1)) {
                        i = selectField(s, scope, r, i - 1, k + 3, returned, joins, splice);
                        continue;
                    }
                    String row = wholeRow(s, i, k + 1, r, valueIn(returned, r, i), joins);
                    if (row == null) {
                        return "a whole-row reference \"" + s.get(i).text() + "\" to the migrated table cannot be"
                                + " rewritten; list the columns explicitly";
                    }
                    replaceWithLabel(s, scope, i, k, row, Identifiers.quote(last), splice);
                    i = k;
                    continue;
                }
                if (names.isColumn(last)) {
                    if (isOutputName(s, scope, i) || (scope.setOperand && scope.inOrderBy(i))) {
                        continue;
                    }
                    if (scope.hasSource()) {
                        boolean otherTableWritten = scope.writeRoot && !scope.relations.get(0).source;
                        target = scope.writeRoot && !otherTableWritten ? scope.relations.get(0) : soleOwner(s, scopes, scope, last);
                        if (target == null && otherTableWritten) {
                            return "unqualified \"" + s.get(i).text() + "\" in a write to another table that reads the"
                                    + " migrated table may name the written table's column; qualify it with the table's alias";
                        }
                        if (target == null) {
                            return "unqualified \"" + s.get(i).text() + "\" with several tables in FROM, where another"
                                    + " one has or may have a column of that name, cannot be resolved with certainty;"
                                    + " qualify it with the table's alias";
                        }
                    } else if (scope.anyAncestorHasSource()) {
                        String refusal = outerReference(s, scopes, scope, i, splice, returned, joins, wrapped);
                        if (refusal != null) {
                            return "unqualified \"" + s.get(i).text() + "\" in a subquery may refer to the migrated"
                                    + " table of an outer query (" + refusal + "); qualify it with the table's alias";
                        }
                    }
                }
            } else if (parts == 2 && names.isColumn(last)) {
                Relation r = scope.resolveQualifier(s.get(i).normalized());
                if (r != null && r.source) {
                    target = r;
                }
            } else if (parts == 3 && names.isColumn(last) && names.tableAt(s, i) == 3) {
                Relation r = scope.resolveQualifier(s.get(i + 2).normalized());
                if (r != null && r.source && !r.aliased) {
                    target = r;
                }
            }
            if (target != null) {
                if (target.columnAliases) {
                    return "the migrated table has a column alias list in FROM; remove it or alias the columns in the SELECT list";
                }
                String value = valueIn(returned, target, i);
                splice.replace(s.get(i).start(), s.get(k).end(), value != null ? value : newValue(target, joins));
                Item item = scope.itemContaining(i);
                if (item != null) {
                    item.replaced = true;
                    item.replacedAt.set(i);
                }
            }
            i = k;
        }
        return null;
    }

    /** Functions whose result does not depend on the row type of a whole-row argument, only on its fields' names and values. */
    private static final Set<String> ROW_READING_FUNCTIONS = Set.of("row_to_json", "to_json", "to_jsonb", "json_agg",
            "jsonb_agg", "json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array",
            "json_object_agg", "jsonb_object_agg", "format", "concat", "concat_ws", "count", "num_nulls", "num_nonnulls",
            "hstore");

    /**
     * The whole-row reference in tokens [start, end) ({@code u}, {@code u.*}) as a row of the application's columns, the
     * migrated one read from the new table ({@code (SELECT "dw$row" FROM (SELECT u."id", <value> AS "email", …) AS
     * "dw$row")}: its fields have the original names, types and order); null where the row's type shows or the columns
     * are unknown. Only where nothing but the fields' names and values reach the result: an argument of a JSON builder
     * or of another function that reads the fields ({@link #ROW_READING_FUNCTIONS}), a cast to text,
     * {@code IS [NOT] NULL} (a field selection is {@link #selectField}). The type itself (a row of the table's
     * type, which the contract changes) is what a bare {@code SELECT u} or a function taking {@code users} shows.
     */
    private String wholeRow(Sig s, int start, int end, Relation r, String value, KeyRangeJoins joins) {
        if (!readsOnlyFields(s, start, end)) {
            return null;
        }
        String columns = sourceColumns(r, value, joins);
        return columns == null ? null : "(SELECT \"dw$row\" FROM (SELECT " + columns + ") AS \"dw$row\")";
    }

    /**
     * {@code (u).email} (or {@code (u.*).email}: tokens [open, field]) is {@code u.email}; {@code (u).name} reads a column
     * the table still has and stays. Returns the field's index.
     */
    private int selectField(Sig s, Scope scope, Relation r, int open, int field, Returned returned, KeyRangeJoins joins,
                            Splice splice) {
        if (names.isColumn(s.get(field).normalized())) {
            String value = valueIn(returned, r, open);
            replaceWithLabel(s, scope, open, field, value != null ? value : newValue(r, joins), names.quotedColumn(), splice);
        }
        return field;
    }

    /** {@code (u).name}: the reference in tokens [start, end) in parentheses of its own, a field name after them. */
    private static boolean isFieldSelection(Sig s, int start, int end) {
        int before = start - 1;
        return s.isSymbol(before, "(") && s.match(before) == end && s.isSymbol(end + 1, ".") && s.isName(end + 2)
                && !s.isIdentifier(before - 1);
    }

    /**
     * Replaces tokens [from, to] with {@code sql}; when they alone named their SELECT item (no alias), the item keeps the
     * name PostgreSQL gave it, {@code label}.
     */
    private static void replaceWithLabel(Sig s, Scope scope, int from, int to, String sql, String label, Splice splice) {
        splice.replace(s.get(from).start(), s.get(to).end(), sql);
        Item item = scope.itemContaining(from);
        if (item != null && item.alias < 0 && ColumnLabel.isNamedBy(s, item.start, item.end, from, to)) {
            splice.insert(s.get(item.end - 1).end(), " AS " + label);
        }
    }

    private static boolean readsOnlyFields(Sig s, int start, int end) {
        int before = start - 1;
        if (s.isSymbol(end, "::") && s.is(end + 1, "text") && !s.isSymbol(end + 2, "[")) {
            return true;
        }
        if (s.is(end, "is") && (s.is(end + 1, "null") || (s.is(end + 1, "not") && s.is(end + 2, "null")))) {
            return true;
        }
        if (!(s.isSymbol(before, "(") || s.isSymbol(before, ","))) {
            return false;
        }
        int open = before;
        while (open >= 0 && !(s.isSymbol(open, "(") && s.depth(open) == s.depth(start) - 1)) {
            open--;
        }
        if (open < 1 || s.match(open) < end || !s.isName(open - 1)) {
            return false;
        }
        String function = s.get(open - 1).normalized();
        if (function.equals("cast")) {
            return open == before && s.is(end, "as") && s.is(end + 1, "text") && s.isSymbol(end + 2, ")");
        }
        boolean qualified = s.isSymbol(open - 2, ".");
        return ROW_READING_FUNCTIONS.contains(function) && (!qualified || s.is(open - 3, "pg_catalog"))
                && (s.isSymbol(end, ")") || s.isSymbol(end, ",") || s.is(end, "order"));
    }

    /**
     * The relation of {@code scope}'s FROM an unqualified {@code column} names, as PostgreSQL resolves it: the migrated
     * table when it is there once and none of the other relations has a column of that name; null when another has
     * or may have one (the original statement would then be ambiguous, or read the other one's), or it cannot be told.
     */
    private Relation soleOwner(Sig s, ReadScopes scopes, Scope scope, String column) {
        Relation owner = null;
        for (Relation r : scope.relations) {
            if (r.source) {
                if (owner != null) {
                    return null;
                }
                owner = r;
            } else if (!Boolean.FALSE.equals(hasColumn(s, scopes, r, column))) {
                return null;
            }
        }
        return owner;
    }

    /** Whether FROM item {@code r} (not the migrated table) offers a column named {@code column}; null when unknown. */
    private Boolean hasColumn(Sig s, ReadScopes scopes, Relation r, String column) {
        if (r.columnAliasNames.contains(column)) {
            return true;
        }
        if (r.derivedOpen >= 0) {
            return queryHasColumn(s, scopes, r.derivedOpen, r.columnAliasCount, column);
        }
        if (r.tableName == null) {
            return null; // a function's columns
        }
        Boolean has = names.relationHasColumn(r.tableSchema, r.tableName);
        if (r.tableSchema == null) {
            // a WITH query of that name, where in scope; else the table: either may be the one PostgreSQL reads
            for (WithQueries.Query w : withQueries(s)) {
                if (w.name().equals(r.tableName)) {
                    has = either(has, w.columns().contains(column) ? Boolean.TRUE : queryHasColumn(s, scopes, w.open(),
                            Math.max(w.columns().size(), r.columnAliasCount), column));
                }
            }
        }
        return has;
    }

    /** True if either is, else null if either is unknown, else false. */
    private static Boolean either(Boolean a, Boolean b) {
        return Boolean.TRUE.equals(a) || Boolean.TRUE.equals(b) ? Boolean.TRUE : a == null || b == null ? null : Boolean.FALSE;
    }

    /**
     * Whether the query in the parentheses opened at {@code open} outputs {@code column} past its first {@code renamed}
     * columns (which a column alias list renames); null when unknown.
     */
    private static Boolean queryHasColumn(Sig s, ReadScopes scopes, int open, int renamed, String column) {
        if (s.is(open + 1, "values")) {
            return column.matches("column[0-9]+") ? null : false;
        }
        for (Scope inner : scopes.scopes()) {
            if (inner.select != open + 1) {
                continue;
            }
            if (inner.hasStar()) {
                return null;
            }
            Boolean has = false;
            for (int k = renamed; k < inner.items.size(); k++) {
                Boolean named = isNamed(s, inner.items.get(k), column);
                if (Boolean.TRUE.equals(named)) {
                    return true;
                }
                if (named == null) {
                    has = null;
                }
            }
            return has;
        }
        return null; // (WITH … SELECT …): not read here
    }

    /** Whether PostgreSQL names SELECT item {@code item} {@code column} ({@link ColumnLabel}); null when unknown. */
    private static Boolean isNamed(Sig s, Item item, String column) {
        if (item.alias >= 0) {
            return s.get(item.alias).normalized().equals(column);
        }
        int named = ColumnLabel.reference(s, item.start, item.end);
        if (named < 0) {
            named = ColumnLabel.functionCall(s, item.start, item.end);
        } else {
            while (s.isSymbol(named + 1, ".") && s.isName(named + 2)) {
                named += 2;
            }
        }
        if (named >= 0) {
            return s.get(named).normalized().equals(column);
        }
        for (int k = item.start; k < item.end; k++) {
            if (s.isName(k) && s.get(k).normalized().equals(column)) {
                return null; // a type named like it (PostgreSQL names a cast literal after its type), or another form
            }
        }
        return false;
    }

    /** The statement's WITH queries, at any level: a FROM item named so may be one of them. */
    private static List<WithQueries.Query> withQueries(Sig s) {
        List<WithQueries.Query> out = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            if (s.is(i, "with") && !s.isSymbol(i - 1, ".")) {
                WithQueries.parse(s, i, out);
            }
        }
        return out;
    }

    /**
     * In ORDER BY and DISTINCT ON a bare name that is an output column refers to the output column
     * (already renamed), as PostgreSQL resolves them (SQL-92 rules); a trailing ORDER BY of a set
     * operation ({@link Scope#setOperand}) can name nothing else.
     */
    private boolean isOutputName(Sig s, Scope scope, int i) {
        boolean distinctOn = scope.inDistinctOn(i);
        String name = s.get(i).normalized();
        if (!(scope.inOrderBy(i) || distinctOn)
                || !(scope.outputNames.contains(name) || (names.isColumn(name) && scope.starCoversSource(s)))) {
            return false;
        }
        boolean startsItem = s.is(i - 1, "by") || s.isSymbol(i - 1, ",") || (distinctOn && s.isSymbol(i - 1, "("));
        Token n = i + 1 < s.size() ? s.get(i + 1) : null;
        boolean endsItem = n == null || n.isSymbol(",") || n.isSymbol(")") || scope.isClauseEnd(i + 1)
                || (n.kind() == TokenKind.IDENTIFIER && ORDER_ITEM_END.contains(n.normalized()));
        return startsItem && endsItem;
    }

    /** Items PostgreSQL named after the column keep that name ({@link ColumnLabel}). */
    private void keepLabels(Sig s, ReadScopes scopes, Splice splice) {
        for (Scope scope : scopes.scopes()) {
            for (Item item : scope.items) {
                if (!item.replaced || item.alias >= 0) {
                    continue;
                }
                int named = ColumnLabel.reference(s, item.start, item.end);
                if (named >= 0 && item.replacedAt.get(named)) {
                    splice.insert(s.get(item.end - 1).end(), " AS " + names.quotedColumn());
                }
            }
        }
    }

    private String newValue(Relation r, KeyRangeJoins joins) {
        String joined = joins.value(r);
        return joined != null ? joined : newValue(r.qualifier);
    }

    String newValue(String qualifier) {
        if (probe) {
            return qualifier + ".\"dw$probe\"";
        }
        MigrationSpec spec = names.spec();
        return "(SELECT \"dw$e\"." + Identifiers.quote(spec.targetValueColumn()) + " FROM " + spec.qualifiedTarget()
                + " \"dw$e\" WHERE \"dw$e\"." + Identifiers.quote(spec.targetKeyColumn()) + " = " + qualifier + "."
                + Identifiers.quote(spec.keyColumn()) + newValueEnd();
    }

    /** {@code expr} with each {@link #newValue} subquery of {@code qualifier}'s row in it locking the target row it reads. */
    String locking(String expr, String qualifier) {
        String read = newValue(qualifier);
        return expr.replace(read, read.substring(0, read.length() - 1) + " FOR NO KEY UPDATE)");
    }

    private String newValueEnd() {
        return " AND \"dw$e\"." + Identifiers.quote(names.spec().primaryFlagColumn()) + ")";
    }
}
