package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.ReadScopes.Relation;
import io.dualwrite.rewriter.analysis.Scope;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.ArrayList;
import java.util.List;

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

    private ValueLookups() {
    }

    /** Replaces each qualifying conjunct of every WHERE clause of {@code scopes} (the edits inside it go with it). */
    static void splice(Sig s, ReadScopes scopes, SourceNames names, Splice splice) {
        List<Scope> levels = new ArrayList<>(scopes.scopes());
        Scope root = scopes.root();
        if (root != null && !levels.contains(root)) {
            levels.add(root);
        }
        for (Scope sc : levels) {
            int where = sc.whereStart;
            int end = sc.whereEnd;
            if (sc == root) {
                where = rootWhere(s, scopes, root);
                end = where < 0 ? -1 : rootWhereEnd(s, scopes, root, where);
            }
            if (where >= 0) {
                for (int[] c : conjuncts(s, scopes, sc, where + 1, end)) {
                    String lookup = lookup(s, sc, names, c[0], c[1]);
                    if (lookup != null) {
                        splice.replaceCovering(s.get(c[0]).start(), s.get(c[1] - 1).end(), lookup);
                    }
                }
            }
        }
    }

    private static int rootWhere(Sig s, ReadScopes scopes, Scope root) {
        for (int i = 0; i < s.size(); i++) {
            if (s.depth(i) == 0 && scopes.owner(i) == root && s.is(i, "where") && !s.isSymbol(i - 1, ".")) {
                return i;
            }
        }
        return -1;
    }

    private static int rootWhereEnd(Sig s, ReadScopes scopes, Scope root, int where) {
        for (int i = where + 1; i < s.size(); i++) {
            if (s.depth(i) == 0 && scopes.owner(i) == root && s.is(i, "returning")) {
                return i;
            }
        }
        return s.size();
    }

    /** The conjuncts of WHERE tokens [from, to), each {start, end}; none when OR or CASE stands at the clause's level. */
    private static List<int[]> conjuncts(Sig s, ReadScopes scopes, Scope sc, int from, int to) {
        List<int[]> out = new ArrayList<>();
        int start = from;
        int betweens = 0;
        for (int i = from; i < to; i++) {
            if (s.depth(i) != sc.depth || scopes.owner(i) != sc || s.get(i).kind() != TokenKind.IDENTIFIER
                    || s.isSymbol(i - 1, ".")) {
                continue;
            }
            if (s.is(i, "or") || s.is(i, "case")) {
                return List.of();
            }
            if (s.is(i, "between")) {
                betweens++;
            } else if (s.is(i, "and") && betweens > 0) {
                betweens--;
            } else if (s.is(i, "and")) {
                out.add(new int[] {start, i});
                start = i + 1;
            }
        }
        out.add(new int[] {start, to});
        return out;
    }

    /** Tokens [a, e) as {@code ref = operand}, {@code operand = ref} or {@code ref IN (operand, …)}: the lookup, else null. */
    private static String lookup(Sig s, Scope sc, SourceNames names, int a, int e) {
        if (e - a < 3) {
            return null;
        }
        int refLength = reference(s, sc, names, a);
        if (refLength > 0 && isEquals(s, a + refLength) && a + refLength + 2 == e && isOperand(s, a + refLength + 1)) {
            return form(names.spec(), relation(s, sc, names, a, refLength), "= " + s.get(a + refLength + 1).text());
        }
        if (isOperand(s, a) && isEquals(s, a + 1)) {
            int length = reference(s, sc, names, a + 2);
            if (length > 0 && a + 2 + length == e) {
                return form(names.spec(), relation(s, sc, names, a + 2, length), "= " + s.get(a).text());
            }
        }
        int open = a + refLength + 1;
        if (refLength > 0 && s.is(a + refLength, "in") && s.isSymbol(open, "(") && s.match(open) == e - 1) {
            StringBuilder list = new StringBuilder();
            for (int i = open + 1; i < e - 1; i += 2) {
                if (!isOperand(s, i) || !(i + 1 == e - 1 || s.isSymbol(i + 1, ","))) {
                    return null;
                }
                list.append(list.isEmpty() ? "" : ", ").append(s.get(i).text());
            }
            return list.isEmpty() ? null : form(names.spec(), relation(s, sc, names, a, refLength), "IN (" + list + ")");
        }
        return null;
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

    private static Relation relation(Sig s, Scope sc, SourceNames names, int i, int length) {
        return length == 1 ? unqualifiedSource(sc) : sc.resolveQualifier(s.get(i).normalized());
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

    /** {@code <q>.<key> IN (SELECT <target key> FROM <target> WHERE <value> <comparison> AND <flag>)}. */
    private static String form(MigrationSpec spec, Relation r, String comparison) {
        String e = "\"dw$l\".";
        return r.qualifier + "." + Identifiers.quote(spec.keyColumn()) + " IN (SELECT " + e
                + Identifiers.quote(spec.targetKeyColumn()) + " FROM " + spec.qualifiedTarget() + " \"dw$l\" WHERE " + e
                + Identifiers.quote(spec.targetValueColumn()) + " " + comparison + " AND " + e
                + Identifiers.quote(spec.primaryFlagColumn()) + ")";
    }
}
