package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.WriteShape;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

/**
 * {@code INSERT INTO users (id, …, email) <query> [ON CONFLICT …]}: the inserted rows' values of the
 * old column are not in the inserted row, so the query is computed once (a MATERIALIZED CTE, its rows
 * numbered in the order the query gives them), the INSERT takes every other column from it in that
 * order, and the sync joins each inserted key back to the FIRST query row with that key.
 *
 * <p>Why the first: the key is unique (the migration's premise), so of the query rows with one key at
 * most one is inserted, and every later one conflicts with it (23505 without ON CONFLICT, skipped by DO
 * NOTHING, 21000 "cannot affect row a second time" for DO UPDATE, as in the original). With DO NOTHING
 * the first one is the one inserted unless it was skipped for ANOTHER unique index and a later duplicate
 * was not: the one corner this join cannot see (README). DO UPDATE is translated when its conflict
 * target is the key (the updated row then has the query row's key) and it either leaves the old column
 * alone (an updated row, {@code xmax <> 0}, is synced to the value it keeps) or assigns it {@code EXCLUDED.<column>} (both
 * branches take the query row's value).
 *
 * <p>Without the key among the columns ({@code key} -1) the key is left to its default: the query's CTE computes that
 * default once per query row ({@link io.dualwrite.rewriter.SourceTable#keyDefault}, a sequence's nextval, one call per
 * row as the INSERT's own default would make), and the INSERT gives the key that value, so each inserted row joins
 * back to its own query row.
 */
final class InsertSelectForm {

    /** The ON CONFLICT clause (edited, the old column's assignment removed), and what its branches give the column. */
    record Conflict(String text, boolean doUpdate, boolean assignsExcluded) {
    }

    private InsertSelectForm() {
    }

    /** @param overriding {@code OVERRIDING … VALUE} as written with a space before it, or empty */
    static Rewrite translate(TranslationDraft d, WriteShape shape, int headEnd, List<String> columns, int column, int key,
                             String overriding, int sourceStart, int sourceEnd, Conflict conflict, int returning) {
        Sig t = d.t;
        StringBuilder aliases = new StringBuilder();
        StringBuilder kept = new StringBuilder();
        StringBuilder taken = new StringBuilder();
        for (int k = 0; k < columns.size(); k++) {
            String alias = alias(k);
            aliases.append(k == 0 ? "" : ", ").append(alias);
            if (k != column) {
                kept.append(kept.isEmpty() ? "" : ", ").append(columns.get(k));
                taken.append(taken.isEmpty() ? "" : ", ").append(alias);
            }
        }
        String generated = "";
        String keyOf = alias(key);
        if (key < 0) {
            key = columns.size();
            keyOf = alias(key);
            generated = d.table.keyDefault() + " AS " + keyOf + ", ";
            kept.append(kept.isEmpty() ? "" : ", ").append(Identifiers.quote(d.spec.keyColumn()));
            taken.append(taken.isEmpty() ? "" : ", ").append(keyOf);
        } else if (d.table.keyType() != null) {
            // the key as the INSERT stores it (800.4 into a bigint key is 800), to join the row back to its query row
            keyOf = "\"dw$key\"";
            generated = "CAST(\"dw$r\"." + alias(key) + " AS " + d.table.keyType() + ") AS " + keyOf + ", ";
        }
        String query = "\"dw$q\" AS MATERIALIZED (SELECT \"dw$r\".*, " + generated + "row_number() OVER () AS \"dw$n\""
                + " FROM (" + d.edited(sourceStart, sourceEnd) + ") AS \"dw$r\"(" + aliases + "))";
        String head = d.edited(d.main, headEnd);
        String write = head + " (" + kept + ")" + overriding + " SELECT " + taken + " FROM \"dw$q\" ORDER BY \"dw$n\""
                + (conflict == null ? "" : " " + conflict.text());
        String keyOut = d.quotedKey(shape.hasAlias() ? shape.qualifier() : null) + " AS \"dw$k\"";
        boolean updatesKeepColumn = conflict != null && conflict.doUpdate() && !conflict.assignsExcluded();
        // The second hidden column: NULL for an inserted row, else (a row DO UPDATE changed has this transaction as
        // xmax) its stored value, locked, in an array (a NULL value is not an inserted row). The updated row is synced
        // to the value it keeps, so that the sync's count, the statement's, counts it as the original's did.
        String hidden = "\"" + DualWriteForm.HIDDEN_VALUE + "\"";
        String flag = ", " + (updatesKeepColumn ? "CASE WHEN " + shape.qualifier() + ".xmax = 0 THEN NULL ELSE ARRAY["
                + d.asColumn(d.locked(d.stored(shape.qualifier()), shape.qualifier())) + "] END" : "NULL") + " AS " + hidden;
        String first = "(SELECT DISTINCT ON (" + keyOf + ") * FROM \"dw$q\" ORDER BY " + keyOf + ", \"dw$n\") AS q";
        String value = d.forSync("q." + alias(column));
        String sync = DualWriteForm.intoSyncView(d.spec.qualifiedTranslatedSyncView()) + " SELECT w.\"dw$k\", "
                + (updatesKeepColumn ? "CASE WHEN w." + hidden + " IS NULL THEN " + value + " ELSE w." + hidden
                + "[1] END" : value) + ", false FROM \"dw$w\" w JOIN " + first + " ON q." + keyOf + " = w.\"dw$k\""
                + DualWriteForm.rlsGuard(d.spec);
        // PostgreSQL casts and CHECK-tests every row's value before it looks for a conflict (SyncForm.Proposed)
        String checks = conflict == null ? "" : ", " + SyncForm.checks(d, "SELECT " + value + " FROM \"dw$q\" q"
                + (d.table.valueNotNull() ? "" : " WHERE q." + alias(column) + " IS NOT NULL"));
        String with = d.withPrefix() == null ? "WITH " : d.withPrefix() + ", ";
        String list = returning < 0 ? null : d.edited(returning + 1, t.size())
                .replace(TranslationDraft.RETURNED, returned(d, shape, column, keyOf, updatesKeepColumn));
        d.standalone.add(write + " RETURNING " + (list == null ? "" : list + ", ") + keyOut);
        if (returning < 0) {
            return d.rewritten(with + query + ", \"dw$w\" AS (" + write + " RETURNING " + keyOut
                    + (updatesKeepColumn ? flag : "") + ")" + checks + " " + sync, Rewrite.Kind.DUAL_WRITE, 0);
        }
        return d.rewritten(with + query + ", \"dw$w\" AS (" + write + " RETURNING " + list + ", " + keyOut + flag
                        + "), \"dw$s\" AS (" + sync + ")" + checks + " SELECT * FROM \"dw$w\"",
                Rewrite.Kind.DUAL_WRITE_RETURNING, DualWriteForm.HIDDEN_COLUMNS);
    }

    /**
     * {@code INSERT INTO users (…, email) <query> ON CONFLICT (email) DO NOTHING} (or a function of it), the key left to
     * its default, after the old column stopped being written: the twin of the old column's unique index on the new
     * table decides, as for VALUES rows ({@link ValueArbiterInsert}), here for all the query's rows in one INSERT. The
     * query runs once, its rows numbered and each given the key's default (as the INSERT would have, skipped rows too);
     * their values go into the new table first, in the query's order (a row whose value an earlier row took is skipped
     * there, as in the original), then the users rows whose value went in or is NULL, in that order. Each row's key is
     * its own, so the new table's row names its query row.
     */
    static Rewrite arbitrated(TranslationDraft d, WriteShape shape, int headEnd, List<String> columns, int column,
                              String overriding, int sourceStart, int sourceEnd, String inference, int returning) {
        StringBuilder aliases = new StringBuilder();
        StringBuilder kept = new StringBuilder();
        StringBuilder taken = new StringBuilder();
        for (int k = 0; k < columns.size(); k++) {
            aliases.append(k == 0 ? "" : ", ").append(alias(k));
            if (k != column) {
                kept.append(columns.get(k)).append(", ");
                taken.append("q.").append(alias(k)).append(", ");
            }
        }
        int key = columns.size();
        kept.append(Identifiers.quote(d.spec.keyColumn()));
        taken.append("q.").append(alias(key));
        String fk = Identifiers.quote(d.spec.targetKeyColumn());
        String flag = Identifiers.quote(d.spec.primaryFlagColumn());
        String query = "\"dw$q\" AS MATERIALIZED (SELECT \"dw$r\".*, " + d.table.keyDefault() + " AS " + alias(key)
                + ", row_number() OVER () AS \"dw$n\" FROM (" + d.edited(sourceStart, sourceEnd) + ") AS \"dw$r\"(" + aliases + "))";
        String arbiter = "\"dw$t\" AS (INSERT INTO " + d.spec.qualifiedTarget() + " (" + fk + ", "
                + Identifiers.quote(d.spec.targetValueColumn()) + ", " + flag + ") SELECT q." + alias(key) + ", "
                + d.forSync("q." + alias(column)) + ", true FROM \"dw$q\" q WHERE q." + alias(column) + " IS NOT NULL AND ("
                + DualWriteForm.rlsCondition(d.spec) + ") ORDER BY q.\"dw$n\" ON CONFLICT " + inference + " WHERE " + flag
                + " DO NOTHING RETURNING " + fk + ")";
        String write = d.edited(d.main, headEnd) + " (" + kept + ")" + overriding + " SELECT " + taken + " FROM \"dw$q\" q"
                + " WHERE q." + alias(column) + " IS NULL OR q." + alias(key) + " IN (SELECT " + fk + " FROM \"dw$t\")"
                + " ORDER BY q.\"dw$n\"" + (returning < 0 ? "" : " RETURNING " + d.edited(returning + 1, d.t.size())
                .replace(TranslationDraft.RETURNED, returned(d, shape, column, alias(key), false)));
        d.standalone.add(write);
        return d.rewritten((d.withPrefix() == null ? "WITH " : d.withPrefix() + ", ") + query + ", " + arbiter + " " + write,
                returning < 0 ? Rewrite.Kind.DUAL_WRITE : Rewrite.Kind.DUAL_WRITE_RETURNING, 0);
    }

    /**
     * The column's value in a RETURNING list: the first query row's for the inserted row's key (a
     * scalar subquery per returned row, so RETURNING of the column costs a scan of the query per row);
     * a row DO UPDATE changed without assigning the column keeps the stored value.
     */
    private static String returned(TranslationDraft d, WriteShape shape, int column, String key, boolean updatesKeepColumn) {
        String inserted = d.asColumn("SELECT q." + alias(column) + " FROM \"dw$q\" q WHERE q." + key + " = "
                + d.quotedKey(shape.qualifier()) + " ORDER BY q.\"dw$n\" LIMIT 1");
        return !updatesKeepColumn ? inserted : "CASE WHEN " + shape.qualifier() + ".xmax = 0 THEN " + inserted
                + " ELSE " + d.asColumn(d.locked(d.stored(shape.qualifier()), shape.qualifier())) + " END";
    }

    /**
     * How many columns the query in [start, end) gives: the length of its first SELECT's list, as PostgreSQL counts
     * them for an INSERT without a column list; -1 when the tokens do not tell (a {@code *} in that list, {@code TABLE},
     * {@code VALUES}, a CTE list not in the usual form).
     */
    static int queryWidth(Sig t, int start, int end) {
        List<int[]> items = selectList(t, start, end);
        return items == null ? -1 : items.size();
    }

    /**
     * The query's values of unknown type (a quoted literal, a parameter PgJDBC sends untyped, NULL), cast to their
     * columns' types ({@link io.dualwrite.rewriter.SourceTable#columnTypes}, without modifiers, which the INSERT's
     * assignment checks): in the original PostgreSQL gives them the target column's type, but the translation moves the
     * query into a WITH query, where it would make them text (and the INSERT then fail with 42804 on another type). Only
     * where the original leaves them unknown to the assignment: in one SELECT, not an item that DISTINCT, DISTINCT ON,
     * GROUP BY or ORDER BY names (by position, output name or the same text: PostgreSQL resolves those as text itself,
     * as it does every item of a set operation). A parameter bound with another type is cast explicitly, so a value the
     * assignment would refuse (a boolean into an integer column) is converted instead.
     */
    static void typeUnknownValues(TranslationDraft d, List<String> columns, int column, int start, int end) {
        Sig t = d.t;
        List<int[]> items = selectList(t, start, end);
        BitSet resolved = items == null ? null : resolvedAsText(t, items, start, end);
        if (resolved == null) {
            return;
        }
        for (int k = 0; k < items.size() && k < columns.size(); k++) {
            int[] value = value(t, items.get(k));
            String type = k == column ? d.baseValueType() : d.table.columnTypes().get(columns.get(k));
            if (!resolved.get(k) && value[1] - value[0] == 1 && type != null && isUnknown(t, value[0])) {
                d.splice.insert(t.get(value[0]).start(), "CAST(");
                d.splice.insert(t.get(value[0]).end(), " AS " + type + ")");
            }
        }
    }

    /** An item's value: without its output name, inside its parentheses. */
    private static int[] value(Sig t, int[] item) {
        int a = item[0];
        int b = item[1];
        if (t.is(b - 2, "as") || b - a == 2 && t.isName(b - 1)) {
            b -= t.is(b - 2, "as") ? 2 : 1;
        }
        while (b - a >= 3 && t.isSymbol(a, "(") && t.match(a) == b - 1) {
            a++;
            b--;
        }
        return new int[] {a, b};
    }

    /**
     * The items of the SELECT whose list is {@code items} that its DISTINCT ON, GROUP BY or ORDER BY names; null when
     * every item is resolved so (DISTINCT, a set operation).
     */
    private static BitSet resolvedAsText(Sig t, List<int[]> items, int start, int end) {
        int depth = t.depth(items.get(0)[0]);
        BitSet resolved = new BitSet();
        for (int m = start; m < end; m++) {
            if (t.depth(m) > depth) {
                continue;
            }
            if (t.is(m, "union") || t.is(m, "intersect") || t.is(m, "except")) {
                return null;
            }
            if (t.is(m, "distinct") && !t.isDistinctFrom(m)) {
                if (!t.is(m + 1, "on") || !t.isSymbol(m + 2, "(") || t.match(m + 2) < 0) {
                    return null;
                }
                mark(t, items, InsertClauses.expressions(t, new int[] {m + 2, t.match(m + 2)}), resolved);
            } else if ((t.is(m, "group") || t.is(m, "order")) && t.is(m + 1, "by")) {
                int listEnd = m + 2;
                while (listEnd < end && t.depth(listEnd) >= depth && !(t.depth(listEnd) == depth
                        && t.get(listEnd).kind() == TokenKind.IDENTIFIER
                        && CLAUSES_AFTER.contains(t.get(listEnd).normalized()))) {
                    listEnd++;
                }
                List<int[]> named = new ArrayList<>();
                int from = m + 2;
                for (int k = m + 2; k <= listEnd; k++) {
                    if (k == listEnd || t.depth(k) == depth && t.isSymbol(k, ",")) {
                        named.add(new int[] {from, k});
                        from = k + 1;
                    }
                }
                mark(t, items, named, resolved);
            }
        }
        return resolved;
    }

    /** Marks the items the expressions {@code named} name: a position, an output name, or the item's text. */
    private static void mark(Sig t, List<int[]> items, List<int[]> named, BitSet resolved) {
        for (int[] e : named) {
            int a = e[0];
            int b = e[1];
            while (b > a && (t.is(b - 1, "asc") || t.is(b - 1, "desc") || t.is(b - 1, "first") || t.is(b - 1, "last")
                    || t.is(b - 1, "nulls"))) {
                b--;
            }
            for (int k = 0; k < items.size(); k++) {
                int[] item = items.get(k);
                int[] value = value(t, item);
                boolean byPosition = b - a == 1 && t.get(a).kind() == TokenKind.NUMBER
                        && t.get(a).text().equals(String.valueOf(k + 1));
                boolean byName = b - a == 1 && t.isName(a) && value[1] < item[1] && t.isName(item[1] - 1)
                        && t.get(item[1] - 1).normalized().equals(t.get(a).normalized());
                if (byPosition || byName || sameText(t, a, b, value[0], value[1])) {
                    resolved.set(k);
                }
            }
        }
    }

    private static boolean sameText(Sig t, int a, int b, int c, int d) {
        if (b - a != d - c || b == a) {
            return false;
        }
        for (int k = 0; k < b - a; k++) {
            if (!t.get(a + k).text().equals(t.get(c + k).text())) {
                return false;
            }
        }
        return true;
    }

    /** The clauses after GROUP BY and ORDER BY. */
    private static final Set<String> CLAUSES_AFTER = Set.of("having", "window", "order", "limit", "offset", "fetch",
            "for", "union", "intersect", "except");

    private static boolean isUnknown(Sig t, int i) {
        return switch (t.get(i).kind()) {
            case STRING -> t.get(i).text().startsWith("'"); // not B'…', X'…' (bit strings) nor N'…' (bpchar)
            case ESCAPE_STRING, UNICODE_STRING, DOLLAR_STRING, PARAMETER -> true;
            case IDENTIFIER -> t.is(i, "null");
            default -> false;
        };
    }

    /**
     * The items of the first SELECT's list of the query in [start, end), as token ranges [start, end); null when the
     * tokens do not tell ({@link #queryWidth}).
     */
    private static List<int[]> selectList(Sig t, int start, int end) {
        int k = start;
        while (t.isSymbol(k, "(")) {
            k++;
        }
        if (t.is(k, "with")) {
            k = WithQueries.parse(t, k, new ArrayList<>());
            if (k < 0) {
                return null;
            }
            while (t.isSymbol(k, "(")) {
                k++;
            }
        }
        if (!t.is(k, "select") || k + 1 >= end) {
            return null;
        }
        k++;
        if (t.is(k, "all")) {
            k++;
        } else if (t.is(k, "distinct")) {
            k++;
            if (t.is(k, "on")) {
                if (!t.isSymbol(k + 1, "(") || t.match(k + 1) < 0) {
                    return null;
                }
                k = t.match(k + 1) + 1;
            }
        }
        int depth = t.depth(k);
        List<int[]> items = new ArrayList<>();
        int itemStart = k;
        for (int m = k; ; m++) {
            boolean listEnds = m >= end || t.depth(m) < depth
                    || (t.depth(m) == depth && t.get(m).kind() == TokenKind.IDENTIFIER && LIST_ENDS.contains(t.get(m).normalized())
                        && !t.is(m - 1, "as") && !t.isSymbol(m - 1, ".") && !t.isDistinctFrom(m) && !t.isCollationFor(m));
            if (listEnds || (t.depth(m) == depth && t.isSymbol(m, ","))) {
                if (m == itemStart || t.isSymbol(m - 1, "*") && (m - 1 == itemStart || t.isSymbol(m - 2, "."))) {
                    return null;   // an empty item, or a star whose columns the tokens do not list
                }
                items.add(new int[] {itemStart, m});
                itemStart = m + 1;
            }
            if (listEnds) {
                return items;
            }
        }
    }

    /** The keywords that end a SELECT list. */
    private static final Set<String> LIST_ENDS = Set.of("from", "into", "where", "group", "having", "window", "union",
            "intersect", "except", "order", "limit", "offset", "fetch", "for");

    private static String alias(int k) {
        return "\"dw$c" + (k + 1) + "\"";
    }
}
