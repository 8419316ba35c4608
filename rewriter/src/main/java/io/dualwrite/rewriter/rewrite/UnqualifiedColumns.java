package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.analysis.ColumnLabel;
import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.ReadScopes.Item;
import io.dualwrite.rewriter.analysis.Relation;
import io.dualwrite.rewriter.analysis.Scope;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import java.util.List;

/**
 * What an unqualified name of the migrated column refers to, as PostgreSQL resolves it: in ORDER BY and DISTINCT ON
 * possibly an output column ({@link #isOutputName}); where the migrated table is joined with other relations, the FROM
 * item that has such a column ({@link #owner}): tables and views by the catalog's word
 * ({@link io.dualwrite.rewriter.SourceTable#relationsWithColumn}), subqueries and WITH queries by the names their SELECT
 * lists give, VALUES and column alias lists by theirs. What the tokens cannot tell counts as possibly having it.
 */
final class UnqualifiedColumns {

    private final SourceNames names;
    /** The migrated table's columns in their order ({@link io.dualwrite.rewriter.SourceTable#columns}); empty: unknown. */
    private final List<String> columns;

    UnqualifiedColumns(SourceNames names, List<String> columns) {
        this.names = names;
        this.columns = columns;
    }

    /**
     * The relation of {@code scope}'s FROM an unqualified {@code column} names, as PostgreSQL resolves it: the migrated
     * table when it is there once and none of the other relations has a column of that name; null when another has
     * or may have one (the original statement would then be ambiguous, or read the other one's), or it cannot be told.
     */
    Relation owner(Sig s, ReadScopes scopes, Scope scope, String column) {
        return owner(s, scopes, scope, column, Integer.MAX_VALUE);
    }

    /**
     * As {@link #owner(Sig, ReadScopes, Scope, String)}, among the FROM items that end by token {@code before}: those a
     * LATERAL item there sees.
     */
    Relation owner(Sig s, ReadScopes scopes, Scope scope, String column, int before) {
        Relation owner = null;
        for (Relation r : scope.relations) {
            if (r.end > before || r.source && renamesAway(r, column)) {
                continue;
            }
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

    /**
     * Whether no FROM item of {@code scope} offers a column named {@code column}, so that PostgreSQL looks for it in the
     * outer queries: the migrated table's items rename it away with column alias lists ({@code users x(a, b, c)}), and
     * every other item is known not to have it.
     */
    boolean noneHas(Sig s, ReadScopes scopes, Scope scope, String column) {
        for (Relation r : scope.relations) {
            if (r.source ? !renamesAway(r, column) : !Boolean.FALSE.equals(hasColumn(s, scopes, r, column))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether FROM item {@code r} of the migrated table renames its column {@code column} with its column alias list (by
     * position) and names no other column so.
     */
    private boolean renamesAway(Relation r, String column) {
        int position = columns.indexOf(column);
        return r.columnAliases && position >= 0 && position < r.columnAliasCount && !r.columnAliasNames.contains(column);
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
            for (WithQueries.Query w : WithQueries.all(s)) {
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

    /**
     * In ORDER BY and DISTINCT ON a bare name that is an output column refers to the output column
     * (already renamed), as PostgreSQL resolves them (SQL-92 rules); a trailing ORDER BY of a set
     * operation ({@link Scope#setOperand}) can name nothing else.
     */
    boolean isOutputName(Sig s, Scope scope, int i) {
        String name = s.get(i).normalized();
        return (scope.inOrderBy(i) || scope.inDistinctOn(i)) && scope.isBareItem(s, i)
                && (scope.outputNames.contains(name) || (names.isColumn(name) && scope.starCoversSource(s)));
    }
}
