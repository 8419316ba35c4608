package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.List;

/**
 * {@code INSERT INTO users (…, email) VALUES (…) ON CONFLICT (email) DO NOTHING} after the old column stopped being
 * written: the conflict is decided by the twin of the old column's unique index on the new table's primary rows, so the
 * new table's row goes in first and the user's row only where it did.
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
 * for a row that is inserted. One VALUES row per statement (a JDBC batch of them is fine).
 */
final class ValueArbiterInsert {

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
     * @param rows           the VALUES rows, 0 for a query or DEFAULT VALUES
     * @param keyByDefault   the key column is not given a value
     * @param overridingUser {@code OVERRIDING USER VALUE}: an identity key's value would not be the one the row gives
     */
    static String whyNot(TranslationDraft d, int rows, boolean keyByDefault, boolean overridingUser) {
        String which = "INSERT … ON CONFLICT (" + d.spec.sourceColumn() + ") DO NOTHING";
        if (rows != 1) {
            return which + " with " + (rows == 0 ? "a query or DEFAULT VALUES" : "several VALUES rows") + ": send one"
                    + " VALUES row per statement (a JDBC batch of them is fine)";
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
     * @param head       {@code INSERT INTO users [AS alias]}, edited
     * @param columns    the columns written, quoted as in the statement
     * @param row        the VALUES row's expressions, token ranges
     * @param column     index of the old column among {@code columns}, or -1
     * @param key        index of the key column among {@code columns}, or -1 (its default)
     * @param inference  {@link #inference}
     * @param overriding {@code OVERRIDING SYSTEM VALUE} as written with a space before it, or empty
     * @param returning  the RETURNING list, edited, the old column's value as {@link TranslationDraft#RETURNED}; or null
     */
    static Rewrite translate(TranslationDraft d, String head, List<String> columns, List<int[]> row, int column, int key,
                             String inference, String overriding, String returning) {
        Sig t = d.t;
        String keyValue = key < 0 || InsertClauses.isDefault(t, row.get(key)) ? d.table.keyDefault() : d.edited(row.get(key)[0], row.get(key)[1]);
        String value = column < 0 || InsertClauses.isDefault(t, row.get(column)) ? d.defaultValue() : d.edited(row.get(column)[0], row.get(column)[1]);
        StringBuilder names = new StringBuilder(Identifiers.quote(d.spec.keyColumn()));
        StringBuilder values = new StringBuilder("\"dw$k\"");
        for (int k = 0; k < row.size(); k++) {
            if (k != key && k != column && !InsertClauses.isDefault(t, row.get(k))) {
                names.append(", ").append(columns.get(k));
                values.append(", ").append(d.edited(row.get(k)[0], row.get(k)[1]));
            }
        }
        String fk = Identifiers.quote(d.spec.targetKeyColumn());
        String flag = Identifiers.quote(d.spec.primaryFlagColumn());
        String write = head + " (" + names + ")" + overriding + " SELECT " + values
                + " FROM \"dw$r\" WHERE \"dw$v\" IS NULL OR EXISTS (SELECT FROM \"dw$t\")"
                + (returning == null ? "" : " RETURNING " + returning.replace(TranslationDraft.RETURNED,
                        d.asColumn("SELECT \"dw$v\" FROM \"dw$r\"")));
        d.standalone.add(write);
        String with = d.withPrefix();
        String sql = (with == null ? "WITH " : with + ", ") + "\"dw$r\" AS MATERIALIZED (SELECT " + keyValue + " AS \"dw$k\", "
                + d.forSync(value) + " AS \"dw$v\"), \"dw$t\" AS (INSERT INTO " + d.spec.qualifiedTarget() + " (" + fk + ", "
                + Identifiers.quote(d.spec.targetValueColumn()) + ", " + flag + ") SELECT \"dw$k\", \"dw$v\", true FROM \"dw$r\""
                + " WHERE \"dw$v\" IS NOT NULL AND (" + DualWriteForm.rlsCondition(d.spec) + ")"
                + " ON CONFLICT " + inference + " WHERE " + flag + " DO NOTHING RETURNING " + fk + ") " + write;
        return d.rewritten(sql, returning == null ? Rewrite.Kind.DUAL_WRITE : Rewrite.Kind.DUAL_WRITE_RETURNING, 0);
    }
}
