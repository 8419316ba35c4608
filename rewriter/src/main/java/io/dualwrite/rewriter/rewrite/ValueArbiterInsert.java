package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.StringJoiner;

/**
 * {@code INSERT INTO users (…, email) VALUES (…) ON CONFLICT (email) DO NOTHING | DO UPDATE …} after the old column
 * stopped being written: the conflict is decided by the twin of the old column's unique index on the new table's
 * primary rows, so the new table's row goes in first and the user's row only where it did.
 * <pre>
 * WITH "dw$r" AS MATERIALIZED (SELECT &lt;key&gt; AS "dw$k", &lt;value&gt; AS "dw$v"),
 *      "dw$t" AS (INSERT INTO email_address (user_id, address, is_primary) SELECT "dw$k", "dw$v", true FROM "dw$r"
 *                 WHERE "dw$v" IS NOT NULL AND &lt;row security guard&gt;
 *                 ON CONFLICT (&lt;the target, email read as address&gt;) WHERE is_primary DO NOTHING RETURNING user_id)
 * INSERT INTO users (id, …) SELECT "dw$k", … FROM "dw$r" WHERE "dw$v" IS NULL OR EXISTS (SELECT FROM "dw$t")
 *   [RETURNING …, (SELECT "dw$v" FROM "dw$r") for email]
 * </pre>
 * As in the original: the key's default is taken (a sequence moves) for a skipped row too; a conflict waits for an
 * uncommitted holder of the value and skips once it commits (under REPEATABLE READ a holder committed after the
 * snapshot is 40001); a second row with the same value in one statement is skipped; a NULL never conflicts; a key that
 * is taken fails with 23505, since only the value is the arbiter. The other columns' expressions move into the
 * SELECT list, where PostgreSQL still gives an untyped literal or parameter the column's type, but are evaluated only
 * for a row that is inserted. Several VALUES rows: one such pair of CTEs and INSERT per row ({@link #severalRows}).
 *
 * <p>{@code DO UPDATE}: the new table's row is the arbiter as above, but its conflict is {@code DO UPDATE} of nothing
 * (the row locked, as PostgreSQL locks the conflicting row, and its owner returned). Then one upsert of {@code users}
 * by the key: {@code INSERT INTO users (id, …) SELECT COALESCE(<owner>, "dw$k"), … ON CONFLICT (id) DO UPDATE SET …
 * WHERE (…) AND <there is an owner>}, which, like the original, updates an owner's row committed after the
 * statement's snapshot (under REPEATABLE READ: 40001) and gives DO UPDATE's {@code EXCLUDED} the proposed row (but for
 * the key, which is the owner's: reading {@code EXCLUDED.id} is refused). Without an owner the row goes in under its own
 * key; where that key is taken, the guard leaves the taken row alone and a plain INSERT of the row fails as the
 * original did (23505 on the key's index). The upsert feeds the translated sync view, so the count is the original's
 * (0 where DO UPDATE's WHERE is false) and an assigned {@code email} reaches the new table. Several VALUES rows:
 * so for each row, in order ({@link #upserts}).
 */
final class ValueArbiterInsert {

    /**
     * The inference of {@code ON CONFLICT DO NOTHING} without a target, while a unique index reads the old column: every
     * unique index of the new table decides (the old column's twins; its key's, which a taken key of the source also
     * trips), then every one of the source's.
     */
    static final String EVERY_UNIQUE_INDEX = "";
    /** The value the row proposes for the old column, as a scalar subquery. */
    private static final String PROPOSED = "(SELECT \"dw$v\" FROM \"dw$r\")";

    private ValueArbiterInsert() {
    }

    /**
     * The target's conflict inference for the application's {@code ON CONFLICT (<target>) DO NOTHING}, tokens
     * [open, close] the parenthesized target: the column and functions of it only ({@code (email)},
     * {@code (lower(email))}), the column read as the target's value column; or null when it is anything else.
     */
    static String inference(TranslationDraft d, int open, int close) {
        Sig t = d.t;
        StringBuilder b = new StringBuilder();
        int at = t.get(open).start();
        boolean column = false;
        for (int k = open + 1; k < close; k++) {
            boolean function = t.isIdentifier(k) && t.isSymbol(k + 1, "(");
            boolean isColumn = t.isIdentifier(k) && !function && d.names.isColumn(t.get(k).normalized());
            if (!(function || isColumn || t.isSymbol(k, "(") || t.isSymbol(k, ")")) || t.get(k).kind() == TokenKind.PARAMETER) {
                return null;
            }
            if (isColumn) {
                b.append(d.text, at, t.get(k).start()).append(Identifiers.quote(d.spec.targetValueColumn()));
                at = t.get(k).end();
                column = true;
            }
        }
        return column ? b.append(d.text, at, t.get(close).end()).toString() : null;
    }

    /**
     * Why this form cannot write the statement exactly, or null.
     *
     * @param source         null when the rows to insert can be decided row by row (VALUES rows, or a query as
     *                       {@code InsertSelectForm#arbitrated} takes it); else what they are ({@code DEFAULT VALUES})
     * @param doUpdate       the conflict action is DO UPDATE
     * @param keyByDefault   a row does not give the key column a value
     * @param overridingUser {@code OVERRIDING USER VALUE}: an identity key's value would not be the one the row gives
     */
    static String whyNot(TranslationDraft d, String inference, String source, boolean doUpdate, boolean keyByDefault,
                         boolean overridingUser) {
        String which = EVERY_UNIQUE_INDEX.equals(inference) ? "INSERT … ON CONFLICT DO NOTHING (without a conflict target,"
                + " while a unique index reads " + d.spec.sourceColumn() + ")" : "INSERT … ON CONFLICT (" + d.spec.sourceColumn() + ")"
                + (doUpdate ? " DO UPDATE" : "");
        if (source != null) {
            return which + " with " + source + ": insert VALUES rows (a JDBC batch of them is fine)";
        }
        if (d.table.storedMayDiffer() || d.table.syncedByTrigger()) {
            return which + " into a table with BEFORE row triggers, rules or row security capture triggers, which may"
                    + " store another key than the new table's row was given";
        }
        if (overridingUser || (keyByDefault && d.table.keyDefault() == null)) {
            return which + " whose key the driver cannot compute first (OVERRIDING USER VALUE, or a key without a default"
                    + " it knows): give the key a value";
        }
        if (d.table.valueType() == null || !d.table.targetHasColumnType()) {
            return which + " where the new table's column does not have the old column's type (or the driver did not"
                    + " supply it)";
        }
        return null;
    }

    /**
     * Why DO UPDATE of this form cannot be exact, or null: it reads the stored old column (the owner's new-table row
     * is locked, and so given a new version, by this very statement, which a locking read in it would pass over) or
     * EXCLUDED's key (which the upsert of the owner's row proposes as the owner's).
     *
     * @param doAt the token DO of the conflict clause
     * @param end  the end of the conflict clause
     */
    static String whyNotUpdate(TranslationDraft d, List<TranslationDraft.Assignment> updates, int doAt, int end) {
        Sig t = d.t;
        BitSet targets = new BitSet();
        NewSchemaTranslator.markTargets(t, updates, targets);
        for (int k = doAt + 3; k < end; k++) {
            if (!t.isName(k) || targets.get(k)) {
                continue;
            }
            String name = t.get(k).normalized();
            boolean ofExcluded = t.isSymbol(k - 1, ".") && "excluded".equals(t.get(k - 2).normalized());
            if (d.names.isColumn(name) && !ofExcluded) {
                return "INSERT … ON CONFLICT (" + d.spec.sourceColumn() + ") DO UPDATE whose SET or WHERE reads the stored "
                        + d.spec.sourceColumn() + " (only EXCLUDED." + d.spec.sourceColumn() + " can be read there): read"
                        + " EXCLUDED's, or write ON CONFLICT (" + d.spec.keyColumn() + ")";
            }
            if (ofExcluded && name.equals(d.spec.keyColumn())) {
                return "INSERT … ON CONFLICT (" + d.spec.sourceColumn() + ") DO UPDATE that reads EXCLUDED."
                        + d.spec.keyColumn() + ", the key the row would have been given: leave it out";
            }
        }
        return null;
    }

    /**
     * The application's {@code DO UPDATE}, for {@link #translate}.
     *
     * @param set     {@code DO UPDATE SET …}, edited, without the old column's assignment (EXCLUDED's value of it as
     *                {@link TranslationDraft#EXCLUDED})
     * @param where   the condition of its WHERE, edited, or null
     * @param updated the value that assignment gave the column (EXCLUDED's as above), or null when it had none
     * @param row     how RETURNING names the written row (its alias or table name)
     * @param key     the key column as RETURNING reads it
     */
    record Update(String set, String where, String updated, String row, String key) {
    }

    /**
     * @param head       {@code INSERT INTO users [AS alias]}, edited
     * @param columns    the columns written, quoted as in the statement
     * @param rows       the VALUES rows' expressions, token ranges (one or more)
     * @param column     index of the old column among {@code columns}, or -1
     * @param key        index of the key column among {@code columns}, or -1 (its default)
     * @param inference  {@link #inference}, or {@link #EVERY_UNIQUE_INDEX}
     * @param update     DO UPDATE, or null for DO NOTHING
     * @param overriding {@code OVERRIDING SYSTEM VALUE} as written with a space before it, or empty
     * @param returning  the RETURNING list, edited, the old column's value as {@link TranslationDraft#RETURNED}; or null
     */
    static Rewrite translate(TranslationDraft d, String head, List<String> columns, List<List<int[]>> rows, int column,
                             int key, String inference, Update update, String overriding, String returning) {
        if (rows.size() > 1 || update != null) {
            return update == null ? severalRows(d, head, columns, rows, column, key, inference, overriding, returning)
                    : upserts(d, head, columns, rows, column, key, inference, update, overriding, returning);
        }
        List<int[]> row = rows.get(0);
        String others = others(d, row, column, key);
        String into = head + " (" + names(d, columns, row, column, key) + ")" + overriding + " SELECT ";
        String with = (d.withPrefix() == null ? "WITH " : d.withPrefix() + ", ") + arbiter(d, row, column, key, inference,
                false, "", null);
        if (inference.isEmpty()) {
            return everyUniqueIndex(d, with, into + "\"dw$k\"" + others, returning);
        }
        String write = into + "\"dw$k\"" + others + " FROM \"dw$r\" WHERE \"dw$v\" IS NULL OR EXISTS (SELECT FROM \"dw$t\")"
                + (returning == null ? "" : " RETURNING " + returning.replace(TranslationDraft.RETURNED,
                d.asColumn("SELECT \"dw$v\" FROM \"dw$r\"")));
        d.standalone.add(write);
        return d.rewritten(with + " " + write, returning == null ? Rewrite.Kind.DUAL_WRITE : Rewrite.Kind.DUAL_WRITE_RETURNING,
                0);
    }

    /**
     * {@code DO UPDATE}, per VALUES row a part of the translated sync in the rows' order, as {@link #severalRows}: the
     * owner of the value has its row upserted by its key; without one, the row is inserted under its own key, and where
     * that key is taken DO UPDATE's guard leaves the row alone and {@code "dw$x<n>"} inserts it plainly, to fail as the
     * original did (23505 on the key's index). A second row whose value the first took or gave fails with 21000, as in
     * the original (PostgreSQL's "cannot affect row a second time", from the new table's row).
     */
    private static Rewrite upserts(TranslationDraft d, String head, List<String> columns, List<List<int[]>> rows,
                                   int column, int key, String inference, Update update, String overriding, String returning) {
        int size = rows.size();
        List<SyncForm.Part> parts = new ArrayList<>();
        List<String> lists = new ArrayList<>();
        StringJoiner taken = new StringJoiner(", ");
        for (int n = 1; n <= size; n++) {
            List<int[]> row = rows.get(n - 1);
            String suffix = size == 1 ? "" : String.valueOf(n);
            String r = "\"dw$r" + suffix + "\"";
            String t = "\"dw$t" + suffix + "\"";
            String proposed = "(SELECT \"dw$v\" FROM " + r + ")";
            String into = head + " (" + names(d, columns, row, column, key) + ")" + overriding + " SELECT ";
            String others = others(d, row, column, key);
            String owner = "EXISTS (SELECT FROM " + t + " WHERE NOT \"dw$i\")";
            String excluded = d.asColumn(proposed);
            String kept = update.updated() == null ? "(SELECT \"dw$a\" FROM " + t + ")"
                    : TranslationDraft.EXCLUDED.equals(update.updated()) ? proposed
                    : "(" + update.updated().replace(TranslationDraft.EXCLUDED, excluded) + ")";
            String upsert = into + "COALESCE((SELECT \"dw$u\" FROM " + t + " WHERE NOT \"dw$i\"), \"dw$k\")" + others
                    + " FROM " + r + " ON CONFLICT (" + Identifiers.quote(d.spec.keyColumn()) + ") " + (update.set() + " WHERE "
                    + (update.where() == null ? "" : "(" + update.where() + ") AND ") + owner)
                    .replace(TranslationDraft.EXCLUDED, excluded);
            String stored = "CASE WHEN " + update.row() + ".xmax = 0 THEN " + proposed + " ELSE " + kept + " END";
            String plainInsert = into + "\"dw$k\"" + others + " FROM " + r + " WHERE NOT " + owner
                    + " AND NOT EXISTS (SELECT FROM " + SyncForm.name(n - 1, size) + ")";
            d.standalone.add(plainInsert);
            taken.add("\"dw$x" + suffix + "\" AS (" + plainInsert + ")");
            parts.add(new SyncForm.Part(upsert, update.key(), d.forSync(stored), null,
                    arbiter(d, row, column, key, inference, true, suffix, null)));
            if (returning != null) {
                lists.add(returning.replace(TranslationDraft.RETURNED, d.asColumn(stored)));
            }
        }
        return synced(d, d.withPrefix(), parts, returning == null ? null : lists, taken.toString());
    }

    /**
     * Several VALUES rows, {@code DO NOTHING}: each row's pair of CTEs ({@code "dw$r<n>"}, {@code "dw$t<n>"}) and its
     * INSERT of the user's row, a part of the translated sync ({@link SyncForm}), whose order is the rows' (PostgreSQL
     * runs each part when the sync reads it). So, as in the original, a row's conflict sees the rows before it (a second
     * row with the same value is skipped), and its key's default is taken after theirs. Without a target, a row's new-table
     * row that the user's row did not follow is removed ({@code "dw$x<n>"}, as {@link #everyUniqueIndex}) before the next
     * row's is decided, which reads it to be run after it: a later row with the same value goes in, as in the original.
     */
    private static Rewrite severalRows(TranslationDraft d, String head, List<String> columns, List<List<int[]>> rows,
                                       int column, int key, String inference, String overriding, String returning) {
        List<SyncForm.Part> parts = new ArrayList<>();
        List<String> lists = new ArrayList<>();
        String skipped = null;
        for (int n = 1; n <= rows.size(); n++) {
            List<int[]> row = rows.get(n - 1);
            String r = "\"dw$r" + n + "\"";
            String before = (skipped == null ? "" : skipped + ", ") + arbiter(d, row, column, key, inference, false,
                    String.valueOf(n), skipped == null ? null : "\"dw$x" + (n - 1) + "\"");
            String write = head + " (" + names(d, columns, row, column, key) + ")" + overriding + " SELECT \"dw$k\""
                    + others(d, row, column, key) + " FROM " + r + " WHERE \"dw$v\" IS NULL OR EXISTS (SELECT FROM \"dw$t"
                    + n + "\")" + (inference.isEmpty() ? " ON CONFLICT DO NOTHING" : "");
            String proposed = "SELECT \"dw$v\" FROM " + r;
            parts.add(new SyncForm.Part(write, Identifiers.quote(d.spec.keyColumn()), d.forSync(proposed), null, before));
            if (returning != null) {
                lists.add(returning.replace(TranslationDraft.RETURNED, d.asColumn(proposed)));
            }
            if (inference.isEmpty()) {
                skipped = "\"dw$x" + n + "\" AS (" + DualWriteForm.intoSyncView(d.spec.qualifiedTranslatedSyncView())
                        + " SELECT \"dw$k\", NULL, true FROM " + r + " WHERE EXISTS (SELECT FROM \"dw$t" + n + "\") AND NOT EXISTS"
                        + " (SELECT FROM " + SyncForm.name(n - 1, rows.size()) + ") RETURNING k)";
            }
        }
        return synced(d, d.withPrefix(), parts, returning == null ? null : lists, skipped);
    }

    /** The parts as one statement of the translated sync: its update count, or with {@code lists} its rows. */
    private static Rewrite synced(TranslationDraft d, String with, List<SyncForm.Part> parts, List<String> lists,
                                  String after) {
        if (lists == null) {
            return d.rewritten(SyncForm.plain(d, with, parts, after), Rewrite.Kind.DUAL_WRITE, 0);
        }
        return d.rewritten(SyncForm.returning(d, with, parts, lists, after), Rewrite.Kind.DUAL_WRITE_RETURNING,
                DualWriteForm.HIDDEN_COLUMNS);
    }

    /** The columns the user's row is inserted with: the key first, then the row's others that are not DEFAULT. */
    private static String names(TranslationDraft d, List<String> columns, List<int[]> row, int column, int key) {
        StringBuilder names = new StringBuilder(Identifiers.quote(d.spec.keyColumn()));
        for (int k = 0; k < row.size(); k++) {
            if (k != key && k != column && !InsertClauses.isDefault(d.t, row.get(k))) {
                names.append(", ").append(columns.get(k));
            }
        }
        return names.toString();
    }

    /** The values of {@link #names}' columns but the key, each after a comma. */
    private static String others(TranslationDraft d, List<int[]> row, int column, int key) {
        StringBuilder others = new StringBuilder();
        for (int k = 0; k < row.size(); k++) {
            if (k != key && k != column && !InsertClauses.isDefault(d.t, row.get(k))) {
                others.append(", ").append(d.edited(row.get(k)[0], row.get(k)[1]));
            }
        }
        return others.toString();
    }

    /**
     * A row's key and value ({@code "dw$r<suffix>"}) and the new table's row inserted first, the arbiter
     * ({@code "dw$t<suffix>"}).
     *
     * @param after null, or a CTE with RETURNING that the row's key and value are computed after (read to its end)
     */
    private static String arbiter(TranslationDraft d, List<int[]> row, int column, int key, String inference,
                                  boolean update, String suffix, String after) {
        Sig t = d.t;
        String keyValue = key < 0 || InsertClauses.isDefault(t, row.get(key)) ? d.table.keyDefault()
                : d.table.keyType() == null ? d.edited(row.get(key)[0], row.get(key)[1])
                // typed as the row's INSERT would: a literal or a parameter of unknown type as the key, not as text; a value
                // of a type the key cannot take fails with 42804 as the INSERT's assignment does (no cast would)
                : "COALESCE((" + d.edited(row.get(key)[0], row.get(key)[1]) + "), CAST(NULL AS " + d.table.keyType() + "))";
        String value = column < 0 || InsertClauses.isDefault(t, row.get(column)) ? d.defaultValue() : d.edited(row.get(column)[0], row.get(column)[1]);
        String fk = Identifiers.quote(d.spec.targetKeyColumn());
        String flag = Identifiers.quote(d.spec.primaryFlagColumn());
        String r = "\"dw$r" + suffix + "\"";
        return r + " AS MATERIALIZED (SELECT " + keyValue + " AS \"dw$k\", " + d.forSync(value) + " AS \"dw$v\""
                + (after == null ? "" : " FROM (SELECT count(*) FROM " + after + ") AS \"dw$o\"") + "), \"dw$t"
                + suffix + "\" AS (INSERT INTO " + d.spec.qualifiedTarget() + (update ? " AS \"dw$e\"" : "") + " (" + fk + ", "
                + Identifiers.quote(d.spec.targetValueColumn()) + ", " + flag + ") SELECT \"dw$k\", \"dw$v\", true FROM " + r
                + " WHERE \"dw$v\" IS NOT NULL AND (" + DualWriteForm.rlsCondition(d.spec) + ")"
                + " ON CONFLICT " + (inference.isEmpty() ? "" : inference + " WHERE " + flag + " ")
                + (!update ? "DO NOTHING RETURNING " + fk + ")"
                : "DO UPDATE SET " + fk + " = \"dw$e\"." + fk + " RETURNING \"dw$e\"." + fk + " AS \"dw$u\", \"dw$e\"."
                + Identifiers.quote(d.spec.targetValueColumn()) + " AS \"dw$a\", \"dw$e\".xmax = 0 AS \"dw$i\")");
    }

    /**
     * {@link #EVERY_UNIQUE_INDEX}: the user's row goes in where the new table's did (or the value is NULL), and is itself
     * skipped on a conflict with any of the source's unique indexes; then the new table's row would be left under a key
     * the source does not have, so the sync view's function, which sees it, deletes it ({@code "dw$x"}).
     *
     * @param insert the INSERT of the user's row, to its SELECT list
     */
    private static Rewrite everyUniqueIndex(TranslationDraft d, String with, String insert, String returning) {
        String write = insert + " FROM \"dw$r\" WHERE \"dw$v\" IS NULL OR EXISTS (SELECT FROM \"dw$t\") ON CONFLICT DO NOTHING";
        String skipped = "\"dw$x\" AS (" + DualWriteForm.intoSyncView(d.spec.qualifiedTranslatedSyncView()) + " SELECT \"dw$k\","
                + " NULL, true FROM \"dw$r\" WHERE EXISTS (SELECT FROM \"dw$t\") AND NOT EXISTS (SELECT FROM \"dw$w\"))";
        List<SyncForm.Part> parts = List.of(new SyncForm.Part(write, Identifiers.quote(d.spec.keyColumn()), d.forSync(PROPOSED)));
        return synced(d, with, parts, returning == null ? null
                : List.of(returning.replace(TranslationDraft.RETURNED, d.asColumn(PROPOSED))), skipped);
    }
}
