package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.Relation;
import io.dualwrite.rewriter.analysis.Scope;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A row looked up by the column's value ({@code WHERE email = ?}, {@code WHERE u.email IN (?, ?)}) reads the new
 * table's matching rows first: the WHERE conjunct becomes {@code <q>.<key> IN (SELECT <target key> FROM <target> WHERE
 * <value> = ? AND <flag>)}. Read through the correlated subquery instead, the lookup would probe the target once per row
 * of the whole table: the old column's index is not the new table's, and PostgreSQL cannot turn a comparison of a
 * subquery's result into an index condition. This form lets it start from the target (an index on its value column, or
 * one scan of it) and join the table by key.
 *
 * <p>Why it is exact: the conjunct stands at the top level of its WHERE clause (joined by AND only, no OR, no CASE),
 * where NULL and false both drop the row, so only "true" must be kept: the comparison of the subquery's value is true
 * exactly when the row's primary target row exists and its value compares equal, and that is when the key is among
 * those the IN subquery returns (the unique partial index allows one primary row per key). The operands are literals
 * or parameters, compared with the target's value column, which has the old column's type and collation as the
 * subquery's value has. A write keeps every other property: the same rows, so the same locks, triggers and count.
 */
final class ValueLookups {

    /**
     * Functions a side may apply: immutable and strict, so the key side computed on the target's value equals it computed
     * on the subquery's (an expression index on them serves the lookup), and the value side computes once either way.
     */
    private static final Set<String> FUNCTIONS = Set.of("lower", "upper", "trim", "btrim", "ltrim", "rtrim");

    private ValueLookups() {
    }

    /** Replaces each qualifying conjunct of every WHERE clause of {@code scopes} (the edits inside it go with it). */
    static void splice(Sig s, ReadScopes scopes, SourceNames names, Splice splice) {
        List<Scope> levels = new ArrayList<>(scopes.scopes());
        if (scopes.root() != null && !levels.contains(scopes.root())) {
            levels.add(scopes.root());
        }
        for (Scope sc : levels) {
            for (int[] c : sc.whereConjuncts(s, scopes)) {
                String lookup = lookup(s, sc, names, c[0], c[1]);
                if (lookup != null) {
                    // WHERE(email) = ? has no space before the conjunct: the lookup must not glue to the keyword
                    boolean glued = c[0] > 0 && s.get(c[0] - 1).end() == s.get(c[0]).start();
                    splice.replaceCovering(s.get(c[0]).start(), s.get(c[1] - 1).end(), glued ? " " + lookup : lookup);
                }
            }
        }
    }

    /**
     * Tokens [a, e) as {@code key = value}, {@code value = key} or {@code ref IN (operand, …)}: the lookup, else null.
     * The key side is the reference, alone or under {@link #FUNCTIONS} ({@code lower(u.email)}, which an expression
     * index serves); the value side holds no column: operands under those functions.
     */
    private static String lookup(Sig s, Scope sc, SourceNames names, int a, int e) {
        int eq = -1;
        for (int i = a; i < e; i++) {
            if (s.depth(i) == sc.depth && isEquals(s, i)) {
                if (eq >= 0) {
                    return null;
                }
                eq = i;
            }
        }
        if (eq < 0) {
            return in(s, sc, names, a, e);
        }
        int left = keyReference(s, sc, names, a, eq);
        if (left >= 0 && isValue(s, eq + 1, e)) {
            return form(names.spec(), relation(s, sc, left), keyText(s, names.spec(), a, eq, left) + " = " + text(s, eq + 1, e));
        }
        int right = keyReference(s, sc, names, eq + 1, e);
        if (right >= 0 && isValue(s, a, eq)) {
            return form(names.spec(), relation(s, sc, right), text(s, a, eq) + " = " + keyText(s, names.spec(), eq + 1, e, right));
        }
        return null;
    }

    /** {@code ref IN (operand, …)}. */
    private static String in(Sig s, Scope sc, SourceNames names, int a, int e) {
        int length = reference(s, sc, names, a);
        int open = a + length + 1;
        if (length == 0 || !s.is(a + length, "in") || !s.isSymbol(open, "(") || s.match(open) != e - 1) {
            return null;
        }
        List<String> list = new ArrayList<>();
        for (int i = open + 1; i < e - 1; i += 2) {
            if (!isOperand(s, i) || !(i + 1 == e - 1 || s.isSymbol(i + 1, ","))) {
                return null;
            }
            list.add(s.get(i).text());
        }
        return list.isEmpty() ? null
                : form(names.spec(), relation(s, sc, a), valueColumn(names.spec()) + " IN (" + String.join(", ", list) + ")");
    }

    /**
     * Where tokens [from, to) are the column's reference alone or under {@link #FUNCTIONS} (the reference's first token),
     * else -1.
     */
    private static int keyReference(Sig s, Scope sc, SourceNames names, int from, int to) {
        int found = -1;
        for (int i = from; i < to; i++) {
            int length = reference(s, sc, names, i);
            if (length > 0) {
                if (found >= 0) {
                    return -1;
                }
                found = i;
                i += length - 1;
            } else if (!isFunctionOrParenthesis(s, i)) {
                return -1;
            }
        }
        return found;
    }

    /**
     * Whether tokens [from, to) are operands under {@link #FUNCTIONS}, or {@code ANY (…)} / {@code SOME (…)} of such
     * (an array parameter): no column, nothing volatile.
     */
    private static boolean isValue(Sig s, int from, int to) {
        if ((s.is(from, "any") || s.is(from, "some")) && s.isSymbol(from + 1, "(") && s.match(from + 1) == to - 1) {
            return isValue(s, from + 2, to - 1);
        }
        boolean operand = false;
        for (int i = from; i < to; i++) {
            if (isOperand(s, i)) {
                operand = true;
            } else if (!isFunctionOrParenthesis(s, i)) {
                return false;
            }
        }
        return operand;
    }

    private static boolean isFunctionOrParenthesis(Sig s, int i) {
        return s.isSymbol(i, "(") || s.isSymbol(i, ")") || s.isSymbol(i, ",")
                || (s.get(i).kind() == TokenKind.IDENTIFIER && FUNCTIONS.contains(s.get(i).normalized()) && s.isSymbol(i + 1, "("));
    }

    /** Tokens [from, to) as SQL, spaced. */
    private static String text(Sig s, int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            b.append(i == from ? "" : " ").append(s.get(i).text());
        }
        return b.toString();
    }

    /** The key side with the reference at {@code ref} read from the target's value column instead. */
    private static String keyText(Sig s, MigrationSpec spec, int from, int to, int ref) {
        int after = s.isSymbol(ref + 1, ".") ? ref + 3 : ref + 1;
        String before = text(s, from, ref);
        String rest = text(s, after, to);
        return (before.isEmpty() ? "" : before + " ") + valueColumn(spec) + (rest.isEmpty() ? "" : " " + rest);
    }

    /** The tokens of a reference to the column of a migrated-table relation of {@code sc} at {@code i} (1 or 3), else 0. */
    private static int reference(Sig s, Scope sc, SourceNames names, int i) {
        if (!s.isIdentifier(i) || s.isSymbol(i - 1, ".")) {
            return 0;
        }
        if (!s.isSymbol(i + 1, ".")) {
            return !s.isSymbol(i + 1, "(") && names.isColumn(s.get(i).normalized()) && unqualifiedSource(sc) != null ? 1 : 0;
        }
        if (s.isName(i + 2) && !s.isSymbol(i + 3, ".") && !s.isSymbol(i + 3, "(") && names.isColumn(s.get(i + 2).normalized())) {
            Relation r = sc.resolveQualifier(s.get(i).normalized());
            return r != null && r.source && !r.columnAliases ? 3 : 0;
        }
        return 0;
    }

    private static Relation relation(Sig s, Scope sc, int i) {
        return s.isSymbol(i + 1, ".") ? sc.resolveQualifier(s.get(i).normalized()) : unqualifiedSource(sc);
    }

    /** The relation an unqualified name of the column names in {@code sc}: its only one, or a write's written table. */
    private static Relation unqualifiedSource(Scope sc) {
        if (sc.relations.isEmpty() || (!sc.writeRoot && sc.relations.size() != 1)) {
            return null;
        }
        Relation r = sc.relations.get(0);
        return r.source && !r.columnAliases ? r : null;
    }

    private static boolean isEquals(Sig s, int i) {
        return i < s.size() && s.get(i).kind() == TokenKind.OPERATOR && s.get(i).text().equals("=");
    }

    /** A literal or a parameter: evaluated the same inside the lookup as in the comparison, nothing volatile. */
    private static boolean isOperand(Sig s, int i) {
        if (i >= s.size()) {
            return false;
        }
        TokenKind kind = s.get(i).kind();
        return kind == TokenKind.PARAMETER || kind == TokenKind.NUMBER || kind == TokenKind.STRING;
    }

    private static String valueColumn(MigrationSpec spec) {
        return "\"dw$l\"." + Identifiers.quote(spec.targetValueColumn());
    }

    /** {@code <q>.<key> IN (SELECT <target key> FROM <target> WHERE <comparison> AND <flag>)}. */
    private static String form(MigrationSpec spec, Relation r, String comparison) {
        String e = "\"dw$l\".";
        return r.qualifier + "." + Identifiers.quote(spec.keyColumn()) + " IN (SELECT " + e
                + Identifiers.quote(spec.targetKeyColumn()) + " FROM " + spec.qualifiedTarget() + " \"dw$l\" WHERE "
                + comparison + " AND " + e + Identifiers.quote(spec.primaryFlagColumn()) + ")";
    }
}
