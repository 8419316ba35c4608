package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.analysis.ColumnLabel;
import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.ReadScopes.Item;
import io.dualwrite.rewriter.analysis.Relation;
import io.dualwrite.rewriter.analysis.Scope;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import java.util.Set;

/**
 * The migrated table's whole rows in a read ({@link ReadRewriter}): a star in a SELECT list expands to the
 * application's columns, the migrated one read from the new table; a whole-row reference ({@code u}, {@code u.*})
 * becomes a row of those columns where only its fields reach the result. Its type is then an anonymous record where it
 * was the table's, which the contract changes anyway, so only where nothing reads the type.
 */
final class WholeRows {

    /** Functions whose result does not depend on the row type of a whole-row argument, only on its fields' names and values. */
    private static final Set<String> ROW_READING_FUNCTIONS = Set.of("row_to_json", "to_json", "to_jsonb", "json_agg",
            "jsonb_agg", "json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array",
            "json_object_agg", "jsonb_object_agg", "format", "concat", "concat_ws", "count", "num_nulls", "num_nonnulls",
            "hstore");

    private final SourceNames names;
    private final DerivedSources derived;
    private final NewTableReads reads;

    WholeRows(SourceNames names, DerivedSources derived, NewTableReads reads) {
        this.names = names;
        this.derived = derived;
        this.reads = reads;
    }

    /** {@code (u).name}: the reference in tokens [start, end) in parentheses of its own, a field name after them. */
    private static boolean isFieldSelection(Sig s, int start, int end) {
        int before = start - 1;
        return s.isSymbol(before, "(") && s.match(before) == end && s.isSymbol(end + 1, ".") && s.isName(end + 2)
                && !s.isIdentifier(before - 1);
    }

    /**
     * Whether the whole-row reference in tokens [start, end) reaches the result only through its fields' names and
     * values: an argument of a JSON builder or of another function that reads the fields ({@link #ROW_READING_FUNCTIONS}),
     * a cast to text, {@code IS [NOT] NULL}, also in parentheses of its own. Not where the row's type shows: a bare
     * {@code SELECT u}, {@code array_agg(u)}, {@code u::users}, a function taking {@code users}.
     */
    private static boolean readsOnlyFields(Sig s, int start, int end) {
        int before = start - 1;
        if (s.isSymbol(before, "(") && s.match(before) == end && !s.isIdentifier(before - 1)) {
            return readsOnlyFields(s, before, end + 1); // (u.*)::text: parentheses of their own
        }
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

    /** Expands each star over the migrated table in the SELECT lists of {@code scopes}; returns why one cannot be, or null. */
    String expandStars(Sig s, ReadScopes scopes, Splice splice, Returned returned, KeyRangeJoins joins) {
        for (Scope scope : scopes.scopes()) {
            for (Item item : scope.items) {
                int len = item.end - item.start;
                if (len == 1 && s.isSymbol(item.start, "*") && scope.hasSource()) {
                    if (scope.relations.stream().anyMatch(r -> r.source && r.columnAliases)) {
                        continue; // the star stays: the derived tables (ReadRewriter#aliasedSources) output the columns
                    }
                    if (scope.naturalOrUsing) {
                        String refusal = derived.wrap(s, scope, splice, true, from -> reads.columns(from, null, joins));
                        if (refusal != null) {
                            return refusal;
                        }
                        continue; // the star stays: the wrapped FROM items output the original columns
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
                            String cols = reads.columns(r, Returned.valueIn(returned, r, item.start), joins);
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
                    if (r != null && r.source && !r.columnAliases) {
                        if (scope.resolveQualifier(r.refName) != r) {
                            return ReadRewriter.SHADOWED;
                        }
                        String cols = reads.columns(r, Returned.valueIn(returned, r, item.start), joins);
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
     * The relation that the qualifier in tokens [from, dot) of {@code q.*} or {@code schema.table.*} names, or null. A
     * schema-qualified name names the table itself, so only when it is not aliased.
     */
    Relation qualifiedStar(Sig s, Scope scope, int from, int dot) {
        if (dot - from == 1 && s.isName(from)) {
            return scope.resolveQualifier(s.get(from).normalized());
        }
        return dot - from == 3 && names.tableAt(s, from) == 3 ? scope.unaliasedSource() : null;
    }

    /**
     * The whole-row reference in tokens [start, last] ({@code u}, {@code u.*}; {@code named}: the token PostgreSQL names
     * an item after) rewritten where only its fields reach the result ({@link #readsOnlyFields}): as a row of the application's
     * columns, the migrated one read from the new table ({@code (SELECT "dw$row" FROM (SELECT u."id", <value> AS
     * "email", …) AS "dw$row")}: the original names, types and order), or, selecting a field, as that column. Returns
     * the index of the last token rewritten, or -1 where the row's type shows or the columns are unknown, and for an item
     * with a column alias list (a derived table whose key is renamed, {@code ReadRewriter#aliasedSources}).
     */
    int wholeRow(Sig s, Scope scope, Relation r, int start, int last, int named, Returned returned, KeyRangeJoins joins,
                 Splice splice) {
        if (r.columnAliases) {
            return -1;
        }
        if (isFieldSelection(s, start, last + 1)) {
            return selectField(s, scope, r, start - 1, last + 3, returned, joins, splice);
        }
        String columns = readsOnlyFields(s, start, last + 1) ? reads.columns(r, Returned.valueIn(returned, r, start), joins) : null;
        if (columns == null) {
            return -1;
        }
        // NULL where the reference is NULL: a row an outer join null-extended (whose key, NOT NULL in the table, is
        // NULL); not a row of NULL fields, which count() and the JSON builders would take for a row
        replaceWithLabel(s, scope, start, last, "(CASE WHEN " + r.qualifier + "." + Identifiers.quote(names.spec().keyColumn())
                + " IS NULL THEN NULL ELSE (SELECT \"dw$row\" FROM (SELECT " + columns + ") AS \"dw$row\") END)",
                Identifiers.quote(s.get(named).normalized()), splice);
        return last;
    }

    /**
     * {@code (u).email} (or {@code (u.*).email}: tokens [open, field]) is {@code u.email}; {@code (u).name} reads a column
     * the table still has and stays. Returns the field's index.
     */
    private int selectField(Sig s, Scope scope, Relation r, int open, int field, Returned returned, KeyRangeJoins joins,
                            Splice splice) {
        if (names.isColumn(s.get(field).normalized())) {
            String value = Returned.valueIn(returned, r, open);
            replaceWithLabel(s, scope, open, field, value != null ? value : reads.value(r, joins), names.quotedColumn(), splice);
        }
        return field;
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
}
