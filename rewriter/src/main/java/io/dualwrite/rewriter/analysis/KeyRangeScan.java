package io.dualwrite.rewriter.analysis;

import io.dualwrite.rewriter.analysis.Relation;
import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A query level that reads the migrated table alone and bounds its key by a range in WHERE
 * ({@code SELECT … FROM users u WHERE u.id BETWEEN ? AND ? ORDER BY u.id}): the shape whose new
 * value can be read by an outer join that carries the same bounds. PostgreSQL derives equalities
 * across a join condition but not ranges, so without the copied bounds it would hash the whole
 * target table (or probe it once per row, as a correlated subquery does); with them it merges two
 * index range scans.
 *
 * <p>Only the plainest shape qualifies, and anything else keeps the subquery: one FROM item, the
 * migrated table (alias allowed, no column aliases, no TABLESAMPLE); no GROUP BY (with a join the
 * grouped key no longer determines the value: 42803), HAVING, WINDOW, INTO, or locking clause (an
 * outer join's nullable side cannot be locked, and the target row must not be); no set operation in
 * the statement; no subquery of the level naming the column (it would resolve against the join's
 * alias from a scope that may declare its own); no unqualified system column.
 */
public final class KeyRangeScan {

    /** Clauses a qualifying level may have. */
    private static final Set<String> CLAUSES = Set.of("from", "where", "order", "limit", "offset", "fetch");
    private static final Set<String> SYSTEM_COLUMNS = Set.of("ctid", "xmin", "xmax", "cmin", "cmax", "tableoid");
    private static final Set<String> COMPARISONS = Set.of(">=", ">", "<=", "<");

    /**
     * A conjunct of the WHERE clause bounding the key: {@code op} is {@code between} or a comparison,
     * {@code bounds} the token indexes of its one or two operands (each a literal or a parameter).
     */
    public record Bound(String op, int[] bounds) {
    }

    public final Scope scope;
    public final Relation relation;
    public final List<Bound> bounds;

    private KeyRangeScan(Scope scope, Relation relation, List<Bound> bounds) {
        this.scope = scope;
        this.relation = relation;
        this.bounds = bounds;
    }

    /** The qualifying query levels of a read (never of a write's own clauses). */
    public static List<KeyRangeScan> find(Sig s, ReadScopes scopes, SourceNames names) {
        List<KeyRangeScan> found = new ArrayList<>();
        if (scopes.root() != null || scopes.refusal() != null || hasSetOperation(s)) {
            return found;
        }
        for (Scope sc : scopes.scopes()) {
            if (sc.relations.size() != 1 || sc.whereStart < 0) {
                continue;
            }
            Relation r = sc.relations.get(0);
            if (!r.source || r.columnAliases || r.end != sc.fromEnd || !onlyPlainClauses(s, sc)
                    || nestedScopeNamesColumn(s, scopes, sc, names) || namesSystemColumn(s, sc)) {
                continue;
            }
            List<Bound> bounds = bounds(s, scopes, sc, r, names);
            if (!bounds.isEmpty()) {
                found.add(new KeyRangeScan(sc, r, bounds));
            }
        }
        return found;
    }

    private static boolean hasSetOperation(Sig s) {
        for (int i = 0; i < s.size(); i++) {
            if (s.is(i, "union") || s.is(i, "intersect") || s.is(i, "except")) {
                return true;
            }
        }
        return false;
    }

    private static boolean onlyPlainClauses(Sig s, Scope sc) {
        for (int i = sc.clauseStarts.nextSetBit(0); i >= 0; i = sc.clauseStarts.nextSetBit(i + 1)) {
            if (!CLAUSES.contains(s.get(i).normalized())) {
                return false;
            }
        }
        return true;
    }

    private static boolean nestedScopeNamesColumn(Sig s, ReadScopes scopes, Scope sc, SourceNames names) {
        for (int i = sc.select + 1; i < sc.end; i++) {
            if (scopes.owner(i) != sc && s.isName(i) && names.isColumn(s.get(i).normalized())) {
                return true;
            }
        }
        return false;
    }

    /**
     * An unqualified system column ({@code ctid}, {@code xmin} …) at the level or in its subqueries: PostgreSQL finds
     * it in a table of a comma list, not in a table of an explicit JOIN (a join has no system columns), so after the
     * join it would not resolve (42703).
     */
    private static boolean namesSystemColumn(Sig s, Scope sc) {
        for (int i = sc.select + 1; i < sc.end; i++) {
            if (s.isName(i) && !s.isSymbol(i - 1, ".") && SYSTEM_COLUMNS.contains(s.get(i).normalized())) {
                return true;
            }
        }
        return false;
    }

    /** The conjuncts of WHERE ({@link Scope#whereConjuncts}) that bound the key. */
    private static List<Bound> bounds(Sig s, ReadScopes scopes, Scope sc, Relation r, SourceNames names) {
        List<Bound> found = new ArrayList<>();
        for (int[] c : sc.whereConjuncts(s, scopes)) {
            Bound b = bound(s, sc, r, names, c[0], c[1]);
            if (b != null) {
                found.add(b);
            }
        }
        return found;
    }

    /** Tokens [a, end) as {@code key op bound} or {@code key BETWEEN bound AND bound}; null if not. */
    private static Bound bound(Sig s, Scope sc, Relation r, SourceNames names, int a, int end) {
        String key = names.spec().keyColumn();
        int k;
        if (s.isName(a) && !s.isSymbol(a + 1, ".") && s.get(a).normalized().equals(key)) {
            k = a;
        } else if (s.isName(a) && s.isSymbol(a + 1, ".") && s.isName(a + 2) && !s.isSymbol(a + 3, ".")
                && sc.resolveQualifier(s.get(a).normalized()) == r && s.get(a + 2).normalized().equals(key)) {
            k = a + 2;
        } else {
            return null;
        }
        Token op = k + 1 < end ? s.get(k + 1) : null;
        if (op != null && op.kind() == TokenKind.OPERATOR && COMPARISONS.contains(op.text())
                && k + 3 == end && isOperand(s, k + 2)) {
            return new Bound(op.text(), new int[] {k + 2});
        }
        if (op != null && op.is("between") && k + 5 == end && isOperand(s, k + 2) && s.is(k + 3, "and")
                && isOperand(s, k + 4)) {
            return new Bound("between", new int[] {k + 2, k + 4});
        }
        return null;
    }

    /** A value the copy evaluates exactly as the original: a literal or a parameter, nothing volatile. */
    private static boolean isOperand(Sig s, int i) {
        TokenKind kind = s.get(i).kind();
        return kind == TokenKind.PARAMETER || kind == TokenKind.NUMBER || kind == TokenKind.STRING;
    }
}
