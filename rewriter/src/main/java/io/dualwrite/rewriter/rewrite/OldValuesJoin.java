package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.Sig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code UPDATE users SET email = lower(name), name = 'x' WHERE w}, translated: the new value of the migrated
 * column leaves through RETURNING, which sees the row's new {@code name}, where SET read the old one. So the rows
 * the UPDATE matches are first read and locked by a sub-select that returns the old values of the columns the value
 * reads, and the UPDATE joins it on the key:
 * <pre>
 * UPDATE users SET name = 'x'
 *   FROM (SELECT users.id, users.name FROM users WHERE w FOR NO KEY UPDATE) AS "dw$o" ("dw$k", "dw$1")
 *  WHERE "dw$o"."dw$k" = users.id
 *  RETURNING … lower("dw$o"."dw$1") …
 * </pre>
 * Exact under READ COMMITTED as the original is: the locking read follows a row a concurrent writer changed to its
 * latest committed version and checks {@code w} again there, as the original UPDATE does after waiting, and once
 * locked the row cannot change before the UPDATE writes it (its own re-read then finds that same version). The row
 * count is the original's (one sub-select row per key), the WHERE is evaluated once per row as before, and the locks
 * come in the original's order: the users row, then (in RETURNING) the new table's row.
 */
final class OldValuesJoin {

    private static final String ALIAS = "\"dw$o\"";

    private OldValuesJoin() {
    }

    private static final String CHANGES = " (one it assigns, a generated or system column, any under a BEFORE trigger)";

    /** The system columns a new row version changes. */
    private static final Set<String> SYSTEM_COLUMNS = Set.of("ctid", "xmin", "xmax", "cmin", "cmax");

    /**
     * The columns whose values RETURNING may see changed from what SET read: those SET {@code assigned} (besides the
     * migrated one); the generated columns when it assigns any; under BEFORE row triggers or rules
     * ({@link SourceTable#storedMayDiffer}) every column but the key and the migrated one, and the generated ones; the
     * system columns a new row version changes.
     */
    static Set<String> changed(SourceTable table, Set<String> assigned) {
        Set<String> out = new HashSet<>(assigned);
        out.addAll(SYSTEM_COLUMNS);
        if (!assigned.isEmpty() || table.storedMayDiffer()) {
            out.addAll(table.generatedColumns());
        }
        if (table.storedMayDiffer()) {
            out.addAll(table.columns());
            out.remove(table.spec().keyColumn());
            out.remove(table.spec().sourceColumn());
        }
        return out;
    }

    /**
     * Whether tokens [from, to) read the row {@code refName} names as a whole ({@code users}, {@code u.*}): its columns
     * by other names than {@link #changed}'s. Not a sub-select's FROM item of that name ({@code FROM users u2}), which
     * {@code scopes} knows is no reference.
     */
    static boolean readsWholeRow(Sig t, ReadScopes scopes, int from, int to, String refName) {
        for (int i = from; i < to; i++) {
            if (t.isName(i) && !scopes.isNotAReference(i) && t.get(i).normalized().equals(refName)
                    && !t.isSymbol(i - 1, ".") && !t.isSymbol(i + 1, "(") && (!t.isSymbol(i + 1, ".") || t.isSymbol(i + 2, "*"))) {
                return true;
            }
        }
        return false;
    }

    /** Whether tokens [from, to) read one of the columns {@code assigned} (by name, not as a function or a type). */
    static boolean reads(Sig t, int from, int to, Set<String> assigned) {
        for (int i = from; i < to; i++) {
            if (isReference(t, i, assigned)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the UPDATE can be joined to the sub-select: not when it has its own FROM, nor with WHERE CURRENT OF.
     *
     * @param setEnd the token after the SET list (FROM, WHERE, RETURNING or the end)
     */
    static boolean joinable(Sig t, int setEnd) {
        return !t.is(setEnd, "from") && !(t.is(setEnd, "where") && t.is(setEnd + 1, "current") && t.is(setEnd + 2, "of"));
    }

    /** The sub-select's {@code n}th value (1-based) as the UPDATE reads it. */
    static String value(int n) {
        return ALIAS + "." + Identifiers.quote("dw$" + n);
    }

    /**
     * First step: the references in the value [valueFrom, valueTo) to assigned columns read the sub-select's old
     * values instead. Call it before the value's text is taken.
     *
     * @param setEnd the token after the SET list (FROM, WHERE, RETURNING or the end)
     * @return what the sub-select returns, in order (the columns, qualified), or why it cannot be done (a String)
     */
    static Object readOldValues(TranslationDraft d, int setEnd, int valueFrom, int valueTo, Set<String> assigned,
                                String qualifier, String refName) {
        Sig t = d.t;
        if (!joinable(t, setEnd)) {
            return "an UPDATE … " + (t.is(setEnd, "from") ? "FROM" : "WHERE CURRENT OF") + " whose new value of the"
                    + " migrated column reads a column the same UPDATE changes" + CHANGES;
        }
        List<String> columns = new ArrayList<>();
        List<int[]> references = new ArrayList<>();
        for (int i = valueFrom; i < valueTo; i++) {
            if (t.is(i, "select")) {
                return "an UPDATE whose new value of the migrated column has a sub-SELECT and reads a column the same"
                        + " UPDATE changes" + CHANGES;
            }
            if (!isReference(t, i, assigned)) {
                continue;
            }
            int first = i;
            if (t.isSymbol(i - 1, ".")) {
                first = i - 2;
                if (!t.isName(first) || !t.get(first).normalized().equals(refName)) {
                    return "an UPDATE whose new value of the migrated column reads a field named like a column the"
                            + " same UPDATE changes" + CHANGES;
                }
                if (t.isSymbol(first - 1, ".") && t.isName(first - 2)) {
                    first -= 2;
                }
            }
            String column = t.get(i).text();
            int n = columns.indexOf(column) + 1;
            if (n == 0) {
                columns.add(column);
                n = columns.size();
            }
            references.add(new int[] {first, i, n});
        }
        for (int[] r : references) {
            d.splice.replace(t.get(r[0]).start(), t.get(r[1]).end(), value(r[2]));
        }
        return columns.stream().map(c -> (qualifier == null ? "" : qualifier + ".") + c).toList();
    }

    /**
     * Second step, after the migrated column's assignment has left the SET list: the WHERE clause (or its absence)
     * becomes the locking sub-select's, which the UPDATE joins on the key.
     *
     * @param target the tokens naming the written table and its alias, [target[0], target[1])
     * @param whereEnd the token after the WHERE clause (RETURNING or the end)
     * @param values what the sub-select returns besides the key, as {@link #value} numbers them
     */
    static void join(TranslationDraft d, int[] target, int setEnd, int whereEnd, List<String> values, String qualifier) {
        Sig t = d.t;
        StringBuilder select = new StringBuilder("(SELECT ").append(d.quotedKey(qualifier));
        StringBuilder names = new StringBuilder(" AS ").append(ALIAS).append(" (\"dw$k\"");
        for (int k = 0; k < values.size(); k++) {
            select.append(", ").append(values.get(k));
            names.append(", ").append(Identifiers.quote("dw$" + (k + 1)));
        }
        select.append(" FROM ").append(d.edited(target[0], target[1]));
        boolean where = t.is(setEnd, "where");
        if (where) {
            select.append(" WHERE ").append(d.edited(setEnd + 1, whereEnd));
        }
        String from = "FROM " + select + " FOR NO KEY UPDATE)" + names + ") WHERE " + ALIAS + ".\"dw$k\" = "
                + d.quotedKey(qualifier);
        if (where) {
            d.splice.replaceCovering(t.get(setEnd).start(), t.get(whereEnd - 1).end(), from);
        } else {
            d.splice.insert(t.get(setEnd - 1).end(), " " + from);
        }
    }

    /** A name token that reads a column: not called, not a qualifier, not a type after AS or {@code ::}. */
    private static boolean isReference(Sig t, int i, Set<String> assigned) {
        return t.isName(i) && assigned.contains(t.get(i).normalized()) && !t.isSymbol(i + 1, "(")
                && !t.isSymbol(i + 1, ".") && !t.is(i - 1, "as") && !t.isSymbol(i - 1, "::");
    }
}
