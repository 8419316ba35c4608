package io.dualwrite.rewriter;

import java.util.Objects;

/**
 * One column moving into a child table: {@code sourceSchema.sourceTable.sourceColumn}, keyed by
 * {@code keyColumn}, becomes the row of {@code targetSchema.targetTable} whose
 * {@code targetKeyColumn} equals the key and whose {@code primaryFlagColumn} is true; its
 * {@code targetValueColumn} mirrors the old column. NULL in the old column means no primary row.
 *
 * <p>All identifiers are stored as PostgreSQL folds them (unquoted names in lower case).
 *
 * @param syncView the view in the control schema whose INSTEAD OF trigger applies one key's new
 *                 value to the target table; rewritten writes insert into it
 */
public record MigrationSpec(
        String sourceSchema, String sourceTable, String keyColumn, String sourceColumn,
        String targetSchema, String targetTable, String targetKeyColumn, String targetValueColumn,
        String primaryFlagColumn, String syncView) {

    /** The schema that holds every sync view and every control table (the control module creates it). */
    public static final String CONTROL_SCHEMA = "dualwrite";

    public MigrationSpec {
        Objects.requireNonNull(sourceSchema, "sourceSchema");
        Objects.requireNonNull(sourceTable, "sourceTable");
        Objects.requireNonNull(keyColumn, "keyColumn");
        Objects.requireNonNull(sourceColumn, "sourceColumn");
        Objects.requireNonNull(targetSchema, "targetSchema");
        Objects.requireNonNull(targetTable, "targetTable");
        Objects.requireNonNull(targetKeyColumn, "targetKeyColumn");
        Objects.requireNonNull(targetValueColumn, "targetValueColumn");
        Objects.requireNonNull(primaryFlagColumn, "primaryFlagColumn");
        Objects.requireNonNull(syncView, "syncView");
    }

    /** The migration's name: {@code table.column}, or {@code schema.table.column} outside {@code public}. */
    public String name() {
        return nameOf(sourceSchema, sourceTable, sourceColumn);
    }

    /**
     * The name of the migration of {@code schema.table.column}. A part that contains a dot or begins with a double
     * quote is written quoted ({@code "app.v2".users.email}), so that two migrations never share a name; other
     * parts as they are ({@code Sales Team.Accounts.E"mail}).
     */
    public static String nameOf(String schema, String table, String column) {
        return ("public".equals(schema) ? "" : namePart(schema) + ".") + namePart(table) + "." + namePart(column);
    }

    private static String namePart(String name) {
        return name.contains(".") || name.startsWith("\"") ? Identifiers.quote(name) : name;
    }

    /** {@code "schema"."table"} of the source, quoted for splicing into SQL. */
    public String qualifiedSource() {
        return Identifiers.quote(sourceSchema) + "." + Identifiers.quote(sourceTable);
    }

    /** {@code "dualwrite"."sync_…"}: the sync view, quoted for splicing into SQL. */
    public String qualifiedSyncView() {
        return Identifiers.quote(CONTROL_SCHEMA) + "." + Identifiers.quote(syncView);
    }

    /**
     * {@code translated_sync_…}: the sync view of the phases that translate ({@code NEW_ONLY}, {@code CONTRACTED}),
     * beside {@link #syncView}. Its prefix keeps it apart from every sync view, which the control module names
     * {@code sync_…}; it fits in PostgreSQL's 63 bytes with its {@code _apply} function.
     */
    public String translatedSyncView() {
        return "translated_" + syncView;
    }

    /** {@link #translatedSyncView()} in the control schema, quoted for splicing into SQL. */
    public String qualifiedTranslatedSyncView() {
        return Identifiers.quote(CONTROL_SCHEMA) + "." + Identifiers.quote(translatedSyncView());
    }

    /**
     * What a TRUNCATE of the source does to the target: the primary rows of the keys no longer in the source go, as a
     * deleted row's sync takes them; the other rows stay, as the original schema keeps them. (Truncating the target
     * would take rows nothing of the source wrote.)
     */
    public String deletePrimaryRowsOfGoneKeys() {
        return "DELETE FROM " + qualifiedTarget() + " AS \"dw$e\" WHERE \"dw$e\"." + Identifiers.quote(primaryFlagColumn)
                + " AND NOT EXISTS (SELECT FROM " + qualifiedSource() + " AS \"dw$s\" WHERE \"dw$s\"."
                + Identifiers.quote(keyColumn) + " = \"dw$e\"." + Identifiers.quote(targetKeyColumn) + ")";
    }

    /** {@code "schema"."table"} of the target, quoted for splicing into SQL. */
    public String qualifiedTarget() {
        return Identifiers.quote(targetSchema) + "." + Identifiers.quote(targetTable);
    }
}
