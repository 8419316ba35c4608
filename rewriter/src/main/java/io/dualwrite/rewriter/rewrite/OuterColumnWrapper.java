package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.Relation;
import io.dualwrite.rewriter.analysis.Scope;
import io.dualwrite.rewriter.analysis.Sig;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * An unqualified name of the column in a subquery that does not read the migrated table, under a query that does:
 * PostgreSQL takes the subquery's own column of that name if one of its relations has it (which the driver cannot
 * know), else the outer table's. So the subquery keeps the name and is wrapped, once, so that the level right outside
 * it offers the column, read from the new table, where the migrated table would have offered it:
 * {@code (SELECT "dw$sub".* FROM (SELECT <new value> AS email) AS "dw$outer" CROSS JOIN LATERAL (<subquery>) AS "dw$sub")}.
 * Its rows are the subquery's, in the same number. {@link ReadRewriter} decides the value.
 */
final class OuterColumnWrapper {

    /** Where a wrapper goes: the subquery's opening parenthesis and the outer migrated table; or why none can. */
    record Site(int open, Relation target, String refusal) {
        static Site refused(String why) {
            return new Site(-1, null, why);
        }
    }

    /** Aggregates PostgreSQL and its contrib ship with; a user-defined one is not known here. */
    private static final Set<String> AGGREGATES = Set.of("count", "min", "max", "sum", "avg", "array_agg", "string_agg",
            "bool_and", "bool_or", "every", "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg", "xmlagg",
            "mode", "percentile_cont", "percentile_disc", "stddev", "variance", "bit_and", "bit_or", "range_agg");

    private static final String START = "SELECT \"dw$sub\".* FROM (SELECT ";
    private static final String LATERAL = ") AS \"dw$outer\" CROSS JOIN LATERAL (";
    private static final String END = ") AS \"dw$sub\"";
    private static final Pattern WRAPPER = Pattern.compile(Pattern.quote(START) + ".*?" + Pattern.quote(LATERAL)
            + "|" + Pattern.quote(END));

    private OuterColumnWrapper() {
    }

    /**
     * The wrapper's site for the reference at token {@code reference}, owned by {@code scope}; {@code owner} resolves
     * which relation of an outer query's FROM offers the column (null: none can be told).
     */
    static Site site(Sig s, ReadScopes scopes, Scope scope, int reference, BiFunction<Scope, Integer, Relation> owner) {
        Scope outer = scope.enclosingWithSource();
        if (outer == null) {
            return Site.refused("several tables in the outer FROM, where another may have a column of that name");
        }
        Scope child = scope.childOf(outer);
        int open = child.select - 1;
        while (open >= 0 && !(s.isSymbol(open, "(") && s.depth(open) == s.depth(child.select) - 1)) {
            open--;
        }
        if (open < 0 || scopes.owner(open) != outer || s.match(open) < 0) {
            return Site.refused("a subquery whose parentheses were not found");
        }
        // a FROM item sees the outer table only when LATERAL, and then the items before it; its ON conditions see the
        // joined items
        boolean inFrom = outer.fromStart >= 0 && open > outer.fromStart && open < outer.fromEnd;
        boolean lateral = inFrom && s.is(open - 1, "lateral");
        // a write's other FROM/USING items, like a query's, could have the column too (PostgreSQL: ambiguous)
        Relation target = outer.relations.size() == 1 ? outer.relations.get(0)
                : outer.writeRoot ? null : owner.apply(outer, lateral ? open : Integer.MAX_VALUE);
        if (target == null) {
            return Site.refused("several tables in the outer FROM, where another may have a column of that name");
        }
        if (!target.source) {
            return Site.refused("the table the outer write writes may have a column of that name");
        }
        if (inFrom && !(lateral && target.end <= open)) {
            return Site.refused("a subquery in FROM that is not LATERAL after the table");
        }
        if (scopes.outerReferencesRefused(open)) {
            return Site.refused("a subquery in an INSERT's VALUES or ON CONFLICT clause");
        }
        if ((s.is(open - 1, "as") || s.is(open - 1, "materialized")) && inRecursiveWith(s, open)) {
            return Site.refused("a query of WITH RECURSIVE, whose recursive term must stay a UNION of its own");
        }
        if (s.is(open - 1, "array")) {
            return Site.refused("ARRAY(subquery), whose order the wrapping would not keep");
        }
        if (outer.grouped || inAggregate(s, open, reference)) {
            // an aggregate of an outer column belongs to the outer level; inside the wrapper it would be the wrapper's
            return Site.refused("an outer query with GROUP BY or HAVING, or an aggregate of the outer column");
        }
        return new Site(open, target, null);
    }

    /** Wraps the subquery in the parentheses opened at {@code open}, offering {@code value} as {@code column}. */
    static void wrap(Sig s, Splice splice, int open, String value, String column) {
        splice.insert(s.get(open).end(), START + value + " AS " + Identifiers.quote(column) + LATERAL);
        splice.insert(s.get(s.match(open)).start(), END);
    }

    /**
     * {@code sql} without the wrappers: the subqueries as written, for jOOQ's check (jOOQ 3.19 cannot parse
     * {@code "dw$sub".*} of a scalar subquery whose item has no name, such as {@code count(*)}).
     */
    static String withoutWrappers(String sql) {
        return sql.contains(END) ? WRAPPER.matcher(sql).replaceAll("") : sql;
    }

    /** Whether the parentheses opened at {@code open} follow a {@code WITH RECURSIVE} at their depth. */
    private static boolean inRecursiveWith(Sig s, int open) {
        for (int k = open - 1; k > 0; k--) {
            if (s.depth(k) == s.depth(open) && s.is(k, "recursive") && s.is(k - 1, "with")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the reference at {@code reference} is an aggregate's argument, in its FILTER or in its WITHIN GROUP
     * (parentheses opened after {@code from}): then the aggregate may belong to the outer level.
     */
    private static boolean inAggregate(Sig s, int from, int reference) {
        for (int k = from + 1; k < reference; k++) {
            if (s.isSymbol(k, "(") && s.match(k) > reference && s.isName(k - 1)
                    && (AGGREGATES.contains(s.get(k - 1).normalized()) || s.is(k - 1, "filter")
                    || (s.is(k - 1, "group") && s.is(k - 2, "within")))) {
                return true;
            }
        }
        return false;
    }
}
