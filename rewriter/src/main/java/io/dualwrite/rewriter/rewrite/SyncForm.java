package io.dualwrite.rewriter.rewrite;

import java.util.ArrayList;
import java.util.List;

/**
 * The one statement of a translated write that feeds the translated phases' sync view
 * ({@code MigrationSpec#translatedSyncView}, leaner than the dual write's), as {@link DualWriteForm} does
 * for a dual write: each part (one per row of a multi-row INSERT, else one) is a data-modifying CTE
 * whose RETURNING gives the key and the value the write leaves in the old column; the sync view
 * gets their rows in order (one count each, so the update count is the application's), behind the
 * same row-level security guard as a dual write ({@link DualWriteForm#rlsGuard}). With a RETURNING
 * list the rows come back in the same order, the two hidden columns last.
 */
final class SyncForm {

    /**
     * One write (without RETURNING) and the expressions its RETURNING gives the sync.
     *
     * @param proposed for an INSERT … ON CONFLICT, the value the row proposes for the old column, checked as the
     *                 column checked it ({@link #checks}); else null
     * @param before   CTEs the part reads, to come right before it in the WITH list (after the previous part), or null
     */
    record Part(String write, String key, String value, Proposed proposed, String before) {

        Part(String write, String key, String value) {
            this(write, key, value, null, null);
        }

        Part(String write, String key, String value, Proposed proposed) {
            this(write, key, value, proposed, null);
        }
    }

    /**
     * The value an INSERT … ON CONFLICT row proposes. PostgreSQL computes it, casts it to the column's type and
     * tests the table's CHECK constraints before it looks for a conflict; the translation computes it in RETURNING,
     * which a row ON CONFLICT leaves alone never reaches.
     *
     * @param value  the value, as the sync gets it
     * @param always checked also when the write returned its row (DO UPDATE stored another value than it); else only
     *               when it returned none (DO NOTHING, or DO UPDATE's WHERE was false), so that it is computed once
     */
    record Proposed(String value, boolean always) {
    }

    private SyncForm() {
    }

    /** The update-count form; each part's write with its RETURNING goes to {@link TranslationDraft#standalone}. */
    static String plain(TranslationDraft d, List<Part> parts, boolean delete) {
        return plain(d, parts, delete, false);
    }

    /**
     * {@link #plain} for values that are all non-NULL (an INSERT or UPDATE): the target's primary rows upserted
     * in the statement ({@code Rewrite.IfNotNull} says why that is the same write). There is no such result-set form:
     * PgJDBC counts executions per SQL text and sends rows in binary from the fifth on, so a statement that
     * switched texts between its NULL and non-NULL executions could return a column in a format the
     * application's single text would not have; an update count looks the same from either.
     */
    static String plainUpsert(TranslationDraft d, List<Part> parts) {
        return plain(d, parts, false, true);
    }

    /**
     * {@link #plain} after the WITH list {@code with} ({@code WITH …}: the application's and the translation's own CTEs
     * the parts read), with the CTEs {@code after} (which may read the parts) after the parts'.
     */
    static String plain(TranslationDraft d, String with, List<Part> parts, String after) {
        return plain(d, with, parts, after, false, false);
    }

    private static String plain(TranslationDraft d, List<Part> parts, boolean delete, boolean upsert) {
        return plain(d, d.withPrefix(), parts, null, delete, upsert);
    }

    private static String plain(TranslationDraft d, String with, List<Part> parts, String after, boolean delete,
                                boolean upsert) {
        StringBuilder b = head(with);
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            String write = p.write() + " RETURNING " + hidden(p, delete);
            if (!upsert) {
                d.standalone.add(write);
            }
            cte(b, i, parts.size(), p).append(write).append(")");
        }
        after(b, after);
        checks(b, d, parts);
        return b.append(" ").append(sync(d, parts.size(), delete, upsert)).toString();
    }

    /** The result-set form: {@code list} (translated) first, then the hidden key and value. */
    static String returning(TranslationDraft d, List<Part> parts, List<String> lists, boolean delete) {
        return returning(d, d.withPrefix(), parts, lists, null, delete);
    }

    /** {@link #returning} between {@code with} and {@code after}, as {@link #plain(TranslationDraft, String, List, String)}. */
    static String returning(TranslationDraft d, String with, List<Part> parts, List<String> lists, String after) {
        return returning(d, with, parts, lists, after, false);
    }

    private static String returning(TranslationDraft d, String with, List<Part> parts, List<String> lists, String after,
                                    boolean delete) {
        StringBuilder b = head(with);
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            String write = p.write() + " RETURNING " + lists.get(i) + ", " + hidden(p, delete);
            d.standalone.add(write);
            cte(b, i, parts.size(), p).append(write).append(")");
        }
        if (parts.size() > 1) {
            // PostgreSQL describes the UNION ALL below without the columns' origin; one part's rows keep it
            Part first = parts.get(0);
            d.describedBy = cte(head(with), 0, 1, first).append(first.write()).append(" RETURNING ").append(lists.get(0))
                    .append(") SELECT * FROM \"dw$w\"").toString();
        }
        after(b, after);
        b.append(", \"dw$s\" AS (").append(sync(d, parts.size(), delete, false)).append(")");
        checks(b, d, parts);
        b.append(" ");
        DualWriteForm.unionAll(b, parts.size(), i -> "SELECT * FROM " + name(i, parts.size()));
        return b.toString();
    }

    private static void after(StringBuilder b, String after) {
        if (after != null) {
            b.append(", ").append(after);
        }
    }

    /** The CTE that sends each part's {@link Proposed} value to the sync view as a check-only row ({@link #checks}). */
    private static void checks(StringBuilder b, TranslationDraft d, List<Part> parts) {
        List<String> selects = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            Proposed p = parts.get(i).proposed();
            if (p != null) {
                selects.add("SELECT " + p.value() + (p.always() ? "" : " WHERE NOT EXISTS (SELECT FROM " + name(i, parts.size()) + ")"));
            }
        }
        if (!selects.isEmpty()) {
            StringBuilder rows = new StringBuilder();
            DualWriteForm.unionAll(rows, selects.size(), selects::get);
            b.append(", ").append(checks(d, rows.toString()));
        }
    }

    /**
     * The CTE {@code "dw$c"} that sends the values {@code query} gives to the sync view as check-only rows (no key,
     * {@code deleted} NULL): the view's column assigns each (the old column's type and modifiers: 22001 as the column
     * did), its function tests the old column's CHECK twins and stores nothing. A CTE of its own, so that its rows
     * count nowhere.
     */
    static String checks(TranslationDraft d, String query) {
        return "\"dw$c\" AS (INSERT INTO " + d.spec.qualifiedTranslatedSyncView() + " (v) " + query + ")";
    }

    private static String sync(TranslationDraft d, int parts, boolean delete, boolean upsert) {
        if (!upsert) {
            return DualWriteForm.syncInsert(d.spec, d.spec.qualifiedTranslatedSyncView(), names(parts), delete);
        }
        return DualWriteForm.upsertTarget(d.spec, names(parts));
    }

    private static StringBuilder head(String withPrefix) {
        return new StringBuilder(withPrefix == null ? "WITH " : withPrefix + ", ");
    }

    private static StringBuilder cte(StringBuilder b, int i, int n, Part p) {
        if (p.before() != null) {
            b.append(i == 0 ? "" : ", ").append(p.before());
        }
        return b.append(i == 0 && p.before() == null ? "" : ", ").append(name(i, n)).append(" AS (");
    }

    /** The name of part {@code i} (from 0) of {@code n}. */
    static String name(int i, int n) {
        return n == 1 ? "\"dw$w\"" : "\"dw$w" + (i + 1) + "\"";
    }

    private static List<String> names(int n) {
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            names.add(name(i, n));
        }
        return names;
    }

    private static String hidden(Part p, boolean delete) {
        return DualWriteForm.hidden(p.key(), delete ? "NULL" : p.value());
    }
}
