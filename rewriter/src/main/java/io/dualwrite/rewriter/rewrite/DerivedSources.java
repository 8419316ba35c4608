package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.Relation;
import io.dualwrite.rewriter.analysis.Scope;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The migrated table's FROM items as derived tables of the application's columns, where the read rewrite cannot write
 * a reference out and leaves it to PostgreSQL ({@link ReadRewriter}), and where a NATURAL join needs the column to join
 * as it did ({@link DropSensitiveShapes}); and where a derived table is not the table, so that it must not be used.
 */
final class DerivedSources {

    private static final Set<String> SYSTEM_COLUMNS = Set.of("ctid", "xmin", "xmax", "cmin", "cmax", "tableoid");

    private final SourceNames names;
    private final UnqualifiedColumns unqualified;
    private final List<String> columns;

    DerivedSources(SourceNames names, List<String> columns) {
        this.names = names;
        this.unqualified = new UnqualifiedColumns(names, columns);
        this.columns = columns;
    }

    /**
     * Makes each FROM item of the migrated table in {@code scope} a derived table of the application's columns, the
     * migrated one read from the new table ({@code (SELECT u."id", u."name", <value> AS "email" FROM users u) u}), where
     * a reference cannot be written out: {@code SELECT *} over a NATURAL join or JOIN … USING (the star merges the join
     * columns and lists the other relations' columns, which the driver does not know), an unqualified {@code email}
     * among FROM items that may have such a column too. The star, the merged columns, a NATURAL join's common names and
     * that name are then resolved by PostgreSQL among the original columns, ambiguity included. The other references to
     * the item are rewritten as usual (a read of {@code u.email} through the derived table's key, so that {@code
     * u.email = ?} still finds rows through the new table's index). PostgreSQL pulls the derived table up into the join,
     * and a locking clause reaches the table inside. Returns why it cannot, changing nothing then.
     *
     * @param renaming  whether an unaliased {@code public.users} may become the derived table {@code users}: not once
     *                  references through the old name were rewritten
     * @param splice    null: only whether it can
     * @param columnsOf the derived table's SELECT list for a FROM item: the application's columns, the migrated one read
     *                  from the new table
     */
    String wrap(Sig s, Scope scope, Splice splice, boolean renaming, Function<Relation, String> columnsOf) {
        if (scope.grouped && scope.hasSource()) {
            // grouped by the table's key, its other columns may be selected; through a derived table they may not (42803)
            return "the migrated table's FROM item cannot become a derived table in a query with GROUP BY or HAVING;"
                    + " list the columns explicitly and qualify the migrated column with the table's alias";
        }
        for (int i = 0; i < s.size(); i++) {
            if (s.isIdentifier(i) && SYSTEM_COLUMNS.contains(s.get(i).normalized())) {
                // a derived table has no system columns (42703)
                return "the migrated table's FROM item cannot become a derived table in a statement naming a system column ("
                        + s.get(i).text() + "); list the columns explicitly and qualify the migrated column with the table's alias";
            }
        }
        for (Relation r : scope.relations) {
            if (!r.source || r.wrapped) {
                continue;
            }
            if (r.start < 0 || s.is(r.end, "tablesample") || columns.isEmpty()) {
                return "the migrated table's FROM item (sampled, not named plainly, or its columns unknown) cannot become a"
                        + " derived table; list the columns explicitly";
            }
            for (Relation other : scope.relations) {
                if (!r.aliased && other != r && r.refName.equals(other.refName)) {
                    // public.users and archive.users may share a FROM list unaliased; a derived table users may not (42712)
                    return "the migrated table's FROM item cannot become a derived table beside another FROM item of the"
                            + " same name; give the table an alias";
                }
            }
            if (!r.aliased && r.tableSchema != null && (!renaming || namesColumnThroughSchema(s, r))) {
                return "the migrated table's FROM item, named with its schema and without an alias, cannot become a derived"
                        + " table; give the table an alias";
            }
        }
        if (splice == null) {
            return null;
        }
        for (Relation r : scope.relations) {
            if (!r.source || r.wrapped) {
                continue;
            }
            String name = s.get(r.nameEnd - 1 - (s.isSymbol(r.nameEnd - 1, "*") ? 1 : 0)).text();
            StringBuilder item = new StringBuilder();
            for (int i = r.start; i < r.nameEnd; i++) {
                if (i > r.start && !s.isSymbol(i, ".") && !s.isSymbol(i - 1, ".")) {
                    item.append(' ');
                }
                item.append(s.get(i).text());
            }
            splice.replace(s.get(r.start).start(), s.get(r.nameEnd - 1).end(), "(SELECT " + columnsOf.apply(r)
                    + " FROM " + item + (r.aliased ? " " + r.qualifier : "") + ")" + (r.aliased ? "" : " AS " + name));
            r.wrapped = true;
            r.qualifier = r.aliased ? r.qualifier : name; // public.users is now the derived table users
        }
        return null;
    }

    /**
     * A NATURAL join of the migrated table with relations of which another has, or may have, a column named like the
     * migrated one: it joins on that column too ({@link DropSensitiveShapes}), so its FROM items of the migrated table
     * must offer the column, as derived tables ({@link #wrap}).
     */
    boolean joinsNaturallyOnTheColumn(Sig s, ReadScopes scopes, Scope scope) {
        return scope.natural && !scope.writeRoot && scope.hasSource()
                && unqualified.owner(s, scopes, scope, names.spec().sourceColumn()) == null;
    }

    /**
     * A query's JOIN … USING naming the migrated column ({@link Scope#joinsUsingColumn}): as for a NATURAL join, the
     * migrated table's FROM items must offer the column, and the merged column is then PostgreSQL's to resolve.
     */
    boolean joinsUsingTheColumn(Scope scope) {
        return scope.joinsUsingColumn && !scope.writeRoot && scope.hasSource();
    }

    /** Whether {@link #wrap} makes every FROM item of the migrated table in {@code scope} a derived table. */
    boolean canWrap(Sig s, Scope scope) {
        return wrap(s, scope, null, true, null) == null;
    }

    /** Whether a column reference {@code schema.table.column} names the unaliased FROM item {@code r}. */
    private static boolean namesColumnThroughSchema(Sig s, Relation r) {
        for (int i = 0; i + 3 < s.size(); i++) {
            if ((i < r.start || i >= r.nameEnd) && s.isName(i) && s.get(i).normalized().equals(r.tableSchema)
                    && s.isSymbol(i + 1, ".") && s.isName(i + 2) && s.get(i + 2).normalized().equals(r.tableName)
                    && s.isSymbol(i + 3, ".")) {
                return true;
            }
        }
        return false;
    }
}
