package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.analysis.ColumnLabel;
import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.ReadScopes.Item;
import io.dualwrite.rewriter.analysis.Relation;
import io.dualwrite.rewriter.analysis.Scope;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@link Rewrite.Origins} of a statement's rows, after {@link ReadRewriter} replaced its references to the old column:
 * the items of the outermost SELECT, or of a write's RETURNING list, as PostgreSQL's {@code markTargetListOrigins} sees
 * them. A reference the rewrite replaced has the old column as origin under any alias, under parentheses and casts
 * to one type (to the column's own type PostgreSQL keeps the origin, to another it has none: the driver tells them
 * apart by the result's type); so does an expansion of {@code *} over the migrated table, and the column read
 * unqualified from an outer query. A reference to a derived table's or a WITH query's column has the origin of the
 * item it names there, followed down, also into the RETURNING list of a WITH query that writes the migrated table
 * ({@link WrittenRows}); JOIN … USING's merged column that of the side it is ({@link #merged}). Anything else has none:
 * an expression, a COLLATE, a CASE, casts to several types, a function's column, every column of a set operation or of
 * {@code VALUES}, FULL JOIN … USING's merged column.
 */
final class ResultOrigins {

    /**
     * The rows of the WITH query {@code name} that writes the migrated table ({@link WithQueryWrite}), which the main
     * query may read: its RETURNING list's output names, and the write's own {@link Rewrite.Origins} of them (null:
     * the label decides).
     */
    record WrittenRows(String name, List<String> labels, Rewrite.Origins origins) {
        WrittenRows {
            labels = List.copyOf(labels);
        }
    }

    private enum Origin { OLD_COLUMN, NONE, UNKNOWN }

    /** How deep a reference is followed into derived tables and WITH queries. */
    private static final int MAX_DEPTH = 8;

    private final Sig s;
    private final ReadScopes scopes;
    private final SourceNames names;
    private final String column;
    /** The migrated table's columns, or empty when not known. */
    private final List<String> sourceColumns;
    /** The WITH query that writes the migrated table, whose body is not in {@code s}; or null. */
    private final WrittenRows written;
    private final FromItemQueries queries;

    private ResultOrigins(Sig s, ReadScopes scopes, SourceNames names, List<String> sourceColumns, WrittenRows written) {
        this.s = s;
        this.scopes = scopes;
        this.names = names;
        this.column = names.spec().sourceColumn();
        this.sourceColumns = sourceColumns;
        this.written = written;
        this.queries = new FromItemQueries(s, scopes);
    }

    /** Null where the outermost query is not one SELECT (parenthesized, {@code VALUES}), or nothing differs from the labels. */
    static Rewrite.Origins of(Sig s, ReadScopes scopes, SourceNames names, List<String> sourceColumns) {
        return of(s, scopes, names, sourceColumns, null);
    }

    /** The same for a statement whose WITH query {@code written} writes the migrated table, its body left out of {@code s}. */
    static Rewrite.Origins of(Sig s, ReadScopes scopes, SourceNames names, List<String> sourceColumns,
                              WrittenRows written) {
        return new ResultOrigins(s, scopes, names, sourceColumns, written).of();
    }

    private Rewrite.Origins of() {
        Scope top = scopes.root();
        if (top == null) {
            for (int i = 0; i < s.size(); i++) {
                if (s.depth(i) == 0 && queries.isSetOperator(i)) {
                    return Rewrite.Origins.of(Set.of(), Set.of(column), column, null);
                }
            }
            for (Scope scope : scopes.scopes()) {
                if (s.depth(scope.select) == 0) {
                    top = scope;
                }
            }
        }
        if (top == null) {
            return null;
        }
        Set<String> oldColumn = new HashSet<>();
        Set<String> none = new HashSet<>();
        // per column, where every item's width is known: one, or the migrated table's columns for its star alone
        List<Boolean> byPosition = new ArrayList<>();
        for (Item item : top.items) {
            List<String> labels = new ArrayList<>();
            List<Origin> origins = new ArrayList<>();
            boolean star = s.isSymbol(end(item) - 1, "*");
            if (item.expanded) {
                labels.add(column);
                origins.add(Origin.OLD_COLUMN);
                // a qualified star, or a star over the table alone, lists the table's columns in their order
                boolean qualified = end(item) - item.start == 3;
                if (byPosition != null && (top.relations.size() == 1 || qualified) && !sourceColumns.isEmpty()) {
                    for (String c : sourceColumns) {
                        byPosition.add(c.equals(column) ? Boolean.TRUE : null);
                    }
                } else {
                    byPosition = null;
                }
            } else if (star) {
                byPosition = null;
            }
            star(top, item, labels, origins, 0);
            if (!star) {
                labels.add(label(item));
                origins.add(origin(top, item, null, 0));
                if (byPosition != null) {
                    byPosition.add(origins.get(0) == Origin.UNKNOWN ? null : origins.get(0) == Origin.OLD_COLUMN);
                }
            }
            for (int k = 0; k < labels.size(); k++) {
                if (labels.get(k) != null && origins.get(k) != Origin.UNKNOWN) {
                    (origins.get(k) == Origin.OLD_COLUMN ? oldColumn : none).add(labels.get(k));
                }
            }
        }
        return Rewrite.Origins.of(oldColumn, none, column, byPosition);
    }

    private String label(Item item) {
        return item.alias >= 0 ? s.get(item.alias).normalized() : ColumnLabel.implicitName(s, item.start, item.end);
    }

    private int end(Item item) {
        return item.alias < 0 ? item.end : s.is(item.alias - 1, "as") ? item.alias - 1 : item.alias;
    }

    /**
     * The origin of {@code item} of {@code scope}, under casts to {@code castType} above it (null: none). Casts to one
     * type count as one: PostgreSQL leaves out a cast of a value to the type it has.
     */
    private Origin origin(Scope scope, Item item, String castType, int depth) {
        int end = end(item);
        if (s.isSymbol(end - 1, "*")) {
            return Origin.UNKNOWN;
        }
        int reference = ColumnLabel.reference(s, item.start, end);
        if (reference < 0) {
            return Origin.NONE;
        }
        for (int k = item.start; k < end; k++) {
            if (s.is(k, "collate") || s.is(k, "case")) {
                return Origin.NONE;
            }
            String type = ColumnLabel.castType(s, k, end);
            if (type != null && castType != null && !castType.equals(type)) {
                return Origin.NONE;
            }
            castType = type != null ? type : castType;
        }
        if (item.replacedAt.get(reference)) {
            return Origin.OLD_COLUMN;
        }
        return depth < MAX_DEPTH ? named(scope, reference, castType, depth + 1) : Origin.UNKNOWN;
    }

    /** The origin of the column the reference at {@code reference} (not to the migrated table) names in {@code scope}. */
    private Origin named(Scope scope, int reference, String castType, int depth) {
        int last = reference;
        while (s.isSymbol(last + 1, ".") && s.isName(last + 2)) {
            last += 2;
        }
        String name = s.get(last).normalized();
        if (last == reference + 2) {
            Relation r = scope.resolveQualifier(s.get(reference).normalized());
            return r == null ? Origin.UNKNOWN : r.source ? aliasedColumn(r, name) : columnOf(r, name, castType, depth);
        }
        if (last != reference) {
            return Origin.UNKNOWN;
        }
        if (name.equals(column) && mergesColumn(scope)) {
            return merged(scope, castType, depth);
        }
        // unqualified: the one FROM item that has it, where each says
        Origin found = null;
        for (Relation r : scope.relations) {
            if (r.source && r.columnAliases && !sourceColumns.isEmpty()) {
                if (!queries.renamed(r, sourceColumns).contains(name)) {
                    continue;
                }
                Origin o = aliasedColumn(r, name);
                if (o == Origin.UNKNOWN || found != null) {
                    return Origin.UNKNOWN;
                }
                found = o;
                continue;
            }
            if (r.source) {
                if (r.columnAliases || sourceColumns.isEmpty() || sourceColumns.contains(name)) {
                    return Origin.UNKNOWN; // the migrated table's own column, which the rewrite did not replace
                }
                continue;
            }
            boolean tableWithout = queries.open(r) < 0 && r.tableName != null && name.equals(column)
                    && Boolean.FALSE.equals(names.relationHasColumn(r.tableSchema, r.tableName));
            if (tableWithout || lacks(r, name)) {
                continue;
            }
            Origin o = columnOf(r, name, castType, depth);
            if (o == Origin.UNKNOWN || found != null) {
                return Origin.UNKNOWN;
            }
            found = o;
        }
        if (found == null && name.equals(column) && scope.anyAncestorHasSource()) {
            // the migrated table's column read from an outer query, which the rewrite read from the new table (it refuses
            // a name it cannot resolve there with certainty)
            return Origin.OLD_COLUMN;
        }
        return found == null ? Origin.UNKNOWN : found;
    }

    /**
     * The origin of JOIN … USING's merged column of the migrated column's name: the left item's column for an inner or
     * LEFT join, the right one's for a RIGHT join, none for FULL (the COALESCE of both); unknown past two items.
     */
    private Origin merged(Scope scope, String castType, int depth) {
        if (joins(scope, "full")) {
            return Origin.NONE;
        }
        if (scope.relations.size() != 2) {
            return Origin.UNKNOWN;
        }
        Relation side = scope.relations.get(joins(scope, "right") ? 1 : 0);
        if (side.source) {
            return side.columnAliases ? aliasedColumn(side, column) : Origin.OLD_COLUMN;
        }
        return columnOf(side, column, castType, depth);
    }

    /**
     * Whether {@code scope}'s join merges the migrated column's name: JOIN … USING naming it, or a NATURAL join of two
     * items where the other one is known to have a column of that name.
     */
    private boolean mergesColumn(Scope scope) {
        if (scope.joinsUsingColumn) {
            return true;
        }
        if (!scope.natural || scope.relations.size() != 2) {
            return false;
        }
        Relation other = scope.relations.get(0).source ? scope.relations.get(1) : scope.relations.get(0);
        if (other.source) {
            return false;
        }
        int open = queries.open(other);
        Scope inner = open < 0 ? null : queries.scopeAt(open + 1);
        return inner != null ? !inner.hasStar() && outputNames(other, inner).contains(column)
                : other.tableName != null && Boolean.TRUE.equals(names.relationHasColumn(other.tableSchema, other.tableName));
    }

    /** Whether {@code scope}'s FROM list has a join of this kind ({@code full}, {@code right}) at its own level. */
    private boolean joins(Scope scope, String kind) {
        for (int k = scope.fromStart; k >= 0 && k < scope.fromEnd; k++) {
            if (s.is(k, kind) && s.depth(k) == s.depth(scope.fromStart)) {
                return true;
            }
        }
        return false;
    }

    /** Whether FROM item {@code r} is known not to have a column {@code name}. */
    private boolean lacks(Relation r, String name) {
        int open = queries.open(r);
        Scope inner = open < 0 ? null : queries.scopeAt(open + 1);
        return inner != null && !inner.hasStar() && !outputNames(r, inner).contains(name);
    }

    /** The names of the columns of FROM item {@code r}, whose query's SELECT is {@code inner}: renamed by column lists. */
    private List<String> outputNames(Relation r, Scope inner) {
        List<String> labels = new ArrayList<>();
        for (Item item : inner.items) {
            labels.add(label(item));
        }
        return queries.renamed(r, labels);
    }

    /** The origin of column {@code name} of FROM item {@code r}: a derived table's or a WITH query's item; else unknown. */
    private Origin columnOf(Relation r, String name, String castType, int depth) {
        List<Origin> rows = writtenRows(r);
        if (rows != null) {
            int k = onlyIndexOf(queries.renamed(r, written.labels()), name);
            return k < 0 ? Origin.UNKNOWN : rows.get(k);
        }
        int open = queries.open(r);
        if (open < 0) {
            // a function's columns have none; a table's are its own
            return r.tableName == null ? Origin.NONE : Origin.UNKNOWN;
        }
        if (s.is(open + 1, "values") || queries.hasSetOperator(open)) {
            return Origin.NONE;
        }
        Scope inner = queries.scopeAt(open + 1);
        if (inner != null && name.equals(column) && r.columnAliasNames.isEmpty() && inner.items.size() == 1
                && end(inner.items.get(0)) - inner.items.get(0).start == 1 && s.isSymbol(inner.items.get(0).start, "*")
                && mergesColumn(inner)) {
            return depth < MAX_DEPTH ? merged(inner, castType, depth + 1) : Origin.UNKNOWN; // SELECT * over JOIN … USING
        }
        if (inner == null) {
            return Origin.UNKNOWN;
        }
        if (inner.hasStar()) {
            List<String> labels = new ArrayList<>();
            List<Origin> origins = new ArrayList<>();
            if (depth >= MAX_DEPTH || !columns(inner, labels, origins, depth + 1)) {
                return Origin.UNKNOWN;
            }
            int k = onlyIndexOf(queries.renamed(r, labels), name);
            return k < 0 ? Origin.UNKNOWN : origins.get(k);
        }
        int k = onlyIndexOf(outputNames(r, inner), name);
        return k < 0 ? Origin.UNKNOWN : origin(inner, inner.items.get(k), castType, depth);
    }

    /**
     * The labels and origins of every column of {@code inner}'s SELECT list, stars expanded ({@code SELECT c FROM (SELECT *
     * FROM users) s(a, b, c)}): a star over the migrated table alone gives its recorded columns, the migrated column's
     * origin the old column's; false for any other star (whose width the tokens do not tell).
     */
    private boolean columns(Scope inner, List<String> labels, List<Origin> origins, int depth) {
        for (Item item : inner.items) {
            if (!s.isSymbol(end(item) - 1, "*")) {
                labels.add(label(item));
                origins.add(origin(inner, item, null, depth));
                continue;
            }
            boolean qualified = end(item) - item.start == 3;
            Relation source = inner.relations.size() == 1 && !qualified ? inner.relations.get(0)
                    : qualified && s.isName(item.start) ? inner.resolveQualifier(s.get(item.start).normalized()) : null;
            if (source != null && source.source && !source.columnAliases && !sourceColumns.isEmpty()
                    && !inner.naturalOrUsing) {
                for (String c : sourceColumns) {
                    labels.add(c);
                    origins.add(c.equals(column) ? Origin.OLD_COLUMN : Origin.UNKNOWN);
                }
                continue;
            }
            return false;
        }
        return true;
    }

    /** The position of the one {@code name} in {@code names}; -1 when there is none, or more than one. */
    private static int onlyIndexOf(List<String> names, String name) {
        int k = names.indexOf(name);
        return k == names.lastIndexOf(name) ? k : -1;
    }

    /** The labels and origins of the columns an unexpanded {@code *} or {@code q.*} item gives; none when not a star. */
    private void star(Scope scope, Item item, List<String> labels, List<Origin> origins, int depth) {
        int end = end(item);
        if (s.isSymbol(end - 1, "*") && end - item.start == 1 && mergesColumn(scope)) {
            // the merged columns come first: the migrated column's name is JOIN … USING's, the others' origins their own
            labels.add(column);
            origins.add(merged(scope, null, depth));
            return;
        }
        if (!s.isSymbol(end - 1, "*") || scope.naturalOrUsing) {
            return; // a merged column of a join has the origin of one side, or none (FULL)
        }
        List<Relation> relations = end - item.start == 1 ? scope.relations
                : end - item.start == 3 && s.isName(item.start) ? relationOf(scope, s.get(item.start).normalized()) : List.of();
        for (Relation r : relations) {
            if (r.source && r.columnAliases && !sourceColumns.isEmpty()) {
                List<String> aliased = queries.renamed(r, sourceColumns);
                labels.addAll(aliased);
                for (String name : aliased) {
                    origins.add(aliasedColumn(r, name));
                }
                continue;
            }
            List<Origin> rows = writtenRows(r);
            if (rows != null) {
                labels.addAll(queries.renamed(r, written.labels()));
                origins.addAll(rows);
                continue;
            }
            int open = queries.open(r);
            if (open < 0 && r.tableName == null && !r.source) {
                labels.addAll(r.columnAliasNames); // a function's columns have none (those its alias list names)
                r.columnAliasNames.forEach(name -> origins.add(Origin.NONE));
                continue;
            }
            Scope inner = open < 0 ? null : queries.scopeAt(open + 1);
            // a set operation's columns have none; they are named after its first operand's
            boolean setOperation = inner != null && queries.hasSetOperator(open);
            if (inner != null && inner.hasStar()) {
                List<String> innerLabels = new ArrayList<>();
                List<Origin> innerOrigins = new ArrayList<>();
                if (depth < MAX_DEPTH && columns(inner, innerLabels, innerOrigins, depth + 1)) {
                    labels.addAll(queries.renamed(r, innerLabels));
                    innerOrigins.forEach(o -> origins.add(setOperation ? Origin.NONE : o));
                }
                continue;
            }
            if (inner == null) {
                continue; // a table's columns have their own origins
            }
            labels.addAll(outputNames(r, inner));
            for (int k = 0; k < inner.items.size(); k++) {
                origins.add(setOperation ? Origin.NONE
                        : depth < MAX_DEPTH ? origin(inner, inner.items.get(k), null, depth + 1) : Origin.UNKNOWN);
            }
        }
    }

    /**
     * The origin of column {@code name} of the migrated table's FROM item {@code r}, which has a column alias list: a
     * derived table the rewrite left the name to ({@code ReadRewriter#aliasedSources}); by its position among the table's
     * columns. Of another FROM item of the migrated table: unknown (the rewrite replaced what it reads as the column).
     */
    private Origin aliasedColumn(Relation r, String name) {
        if (!r.columnAliases || sourceColumns.isEmpty()) {
            return Origin.UNKNOWN;
        }
        int k = onlyIndexOf(queries.renamed(r, sourceColumns), name);
        return k < 0 ? Origin.UNKNOWN : sourceColumns.get(k).equals(column) ? Origin.OLD_COLUMN : Origin.NONE;
    }

    /** Per column of FROM item {@code r} when it reads the WITH query that writes the migrated table: its origin; else null. */
    private List<Origin> writtenRows(Relation r) {
        if (written == null || r.derivedOpen >= 0) {
            return null;
        }
        WithQueries.Query w = queries.withQuery(r);
        if (w == null || !w.name().equals(written.name())) {
            return null;
        }
        List<Origin> out = new ArrayList<>();
        int width = written.labels().size();
        for (int k = 0; k < width; k++) {
            String label = written.labels().get(k);
            boolean old = written.origins() == null ? column.equals(label)
                    : written.origins().ofTheColumn(label, k, width, column);
            out.add(old ? Origin.OLD_COLUMN : Origin.NONE);
        }
        return out;
    }

    private static List<Relation> relationOf(Scope scope, String qualifier) {
        Relation r = scope.resolveQualifier(qualifier);
        return r == null ? List.of() : List.of(r);
    }

    /** Whether {@code s} is a column reference ({@code name}, {@code q.name}, {@code schema.table.name}) and nothing else. */
    static boolean bareReference(Sig s) {
        if (s.size() % 2 == 0) {
            return false;
        }
        for (int k = 0; k < s.size(); k++) {
            if (k % 2 == 0 ? !s.isName(k) : !s.isSymbol(k, ".")) {
                return false;
            }
        }
        return true;
    }
}
