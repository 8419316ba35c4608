package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.analysis.KeyRangeScan;
import io.dualwrite.rewriter.analysis.KeyRangeScan.Bound;
import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.Relation;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The READ_NEW form of a key range scan ({@link KeyRangeScan}): the migrated table's FROM item is
 * followed by {@code LEFT JOIN (SELECT <target key> AS "dw$k", <value> AS "dw$v" FROM <target> WHERE
 * <flag>) "dw$j" ON "dw$j"."dw$k" = <q>.<key>} plus a copy of each key bound on {@code "dw$j"."dw$k"},
 * and the column reads {@code COALESCE("dw$j"."dw$v")}. The subquery renames the target's columns so that none
 * of them can capture an unqualified name of the application's query (an {@code id} of its own, say);
 * PostgreSQL pulls it up into the join, so the plan is the one of the plain table (a merge of two
 * index range scans).
 *
 * <p>Why it is exact: the unique partial index on (target key) WHERE flag lets at most one target row
 * match a source row, so the outer join keeps every row, once, with NULL where the correlated
 * subquery gives NULL. A copied bound can only remove target rows whose key is not the key of any
 * row the WHERE keeps: for a joined pair the two keys are equal, they have one type and one
 * collation (expand requires it), and the bound is the same literal or parameter value. The
 * level's other clauses (ORDER BY, LIMIT, DISTINCT) see the same values either way.
 *
 * <p>Per plan, not shared: it records which joins the rewrite used.
 */
final class KeyRangeJoins {

    private static final String ALIAS = "\"dw$j\"";
    private static final String KEY = ALIAS + ".\"dw$k\"";

    private final MigrationSpec spec;
    /** The joinable FROM items and the bounds their joins copy. */
    private final Map<Relation, List<Bound>> joins = new IdentityHashMap<>();
    /** The joinable FROM items whose column the rewrite read: only those get their join. */
    private final Set<Relation> read = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Where the joins went, and the parameters each copied: {offset, source parameter number}. */
    private final List<int[]> copiedParameters = new ArrayList<>();

    private KeyRangeJoins(MigrationSpec spec) {
        this.spec = spec;
    }

    /** No joins: every reference reads the correlated subquery (writes, and reads that do not qualify). */
    static KeyRangeJoins none(MigrationSpec spec) {
        return new KeyRangeJoins(spec);
    }

    /**
     * @param moveParameters whether a {@code ?} bound may be copied: the caller then sends the parameter
     *                       map ({@link #parameterSources}); otherwise only literals and {@code $n} are
     */
    static KeyRangeJoins of(Sig s, ReadScopes scopes, SourceNames names, boolean moveParameters) {
        KeyRangeJoins j = new KeyRangeJoins(names.spec());
        for (KeyRangeScan scan : KeyRangeScan.find(s, scopes, names)) {
            List<Bound> usable = new ArrayList<>();
            for (Bound b : scan.bounds) {
                if (moveParameters || !hasQuestionMark(s, b)) {
                    usable.add(b);
                }
            }
            if (!usable.isEmpty()) {
                j.joins.put(scan.relation, usable);
            }
        }
        return j;
    }

    private static boolean hasQuestionMark(Sig s, Bound b) {
        for (int i : b.bounds()) {
            if (isQuestionMark(s.get(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isQuestionMark(Token t) {
        return t.kind() == TokenKind.PARAMETER && t.text().equals("?");
    }

    /**
     * The column of {@code r} read through its join, or null when {@code r} is not joined. A one-argument
     * COALESCE, like the subquery, is an expression: PostgreSQL gives it no origin (a plain reference
     * would report {@code email_address.address}, which after the contract is how the driver tells the
     * old column's values from others) and keeps the column's type modifier and collation; the planner
     * reduces it to the column.
     */
    String value(Relation r) {
        if (!joins.containsKey(r)) {
            return null;
        }
        read.add(r);
        return "COALESCE(" + ALIAS + ".\"dw$v\")";
    }

    /** Adds the joins whose value the rewrite read. */
    void splice(Sig s, Splice splice) {
        for (Relation r : read) {
            int at = s.get(r.end - 1).end();
            StringBuilder b = new StringBuilder(" LEFT JOIN (SELECT ").append(Identifiers.quote(spec.targetKeyColumn()))
                    .append(" AS \"dw$k\", ").append(Identifiers.quote(spec.targetValueColumn())).append(" AS \"dw$v\" FROM ")
                    .append(spec.qualifiedTarget()).append(" WHERE ").append(Identifiers.quote(spec.primaryFlagColumn()))
                    .append(") ").append(ALIAS).append(" ON ").append(KEY).append(" = ").append(r.qualifier).append('.')
                    .append(Identifiers.quote(spec.keyColumn()));
            for (Bound bound : joins.get(r)) {
                int[] t = bound.bounds();
                b.append(" AND ").append(KEY).append(' ');
                if (t.length == 2) {
                    b.append("BETWEEN ").append(operand(s, t[0], at)).append(" AND ").append(operand(s, t[1], at));
                } else {
                    b.append(bound.op()).append(' ').append(operand(s, t[0], at));
                }
            }
            splice.insert(at, b.toString());
        }
    }

    private String operand(Sig s, int i, int at) {
        Token t = s.get(i);
        if (isQuestionMark(t)) {
            copiedParameters.add(new int[] {at, questionMarksBefore(s, i) + 1});
        }
        return t.text();
    }

    private static int questionMarksBefore(Sig s, int i) {
        int n = 0;
        for (int k = 0; k < i; k++) {
            if (isQuestionMark(s.get(k))) {
                n++;
            }
        }
        return n;
    }

    /**
     * For each {@code ?} of the rewritten text in order, the application's parameter it binds (1-based);
     * null when no {@code ?} was copied. A join's copies come after the application's markers before it.
     */
    int[] parameterSources(Sig s) {
        if (copiedParameters.isEmpty()) {
            return null;
        }
        List<Integer> order = new ArrayList<>();
        List<int[]> copies = new ArrayList<>(copiedParameters);
        copies.sort((a, b) -> Integer.compare(a[0], b[0])); // stable: a join's copies keep their order
        int n = 0;
        int c = 0;
        for (int k = 0; k < s.size(); k++) {
            if (isQuestionMark(s.get(k))) {
                while (c < copies.size() && copies.get(c)[0] <= s.get(k).start()) {
                    order.add(copies.get(c++)[1]);
                }
                order.add(++n);
            }
        }
        while (c < copies.size()) {
            order.add(copies.get(c++)[1]);
        }
        return order.stream().mapToInt(Integer::intValue).toArray();
    }
}
