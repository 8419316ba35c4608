package io.dualwrite.rewriter;

import java.util.List;
import java.util.Objects;

/**
 * A migration together with what the rewrite needs to know of its source table: the columns in
 * attnum order (normalized names), to expand {@code SELECT *} without changing the result's
 * columns; and, for the translation once the old column is no longer written, that column's type
 * and default as they were on the original schema.
 *
 * @param columns      in {@code NEW_ONLY}/{@code CONTRACTED}: the original order, recorded before the drop
 * @param valueType    the old column's type as {@code format_type} spells it ({@code character varying(255)}),
 *                     or null when unknown (the translations that need it are then refused)
 * @param valueDefault the old column's default expression as SQL text, or null for none (NULL)
 * @param syncedByTrigger a trigger on the source syncs every write of the old column (installed by {@code expand} when
 *                     the table has row-level security): the phases that write both sides pass writes through
 * @param targetHasColumnType the target's value column has the old column's type and modifiers (as {@code expand}
 *                     creates it), so a translated write may upsert a non-NULL value into it directly
 *                     ({@link Rewrite.IfNotNull}): the assignment checks the value as the old column did
 * @param storedMayDiffer the source table (or a partition or child) has BEFORE row triggers on INSERT or UPDATE, or
 *                     rules: what a dual write stores in the old column may differ from the value it gives (a
 *                     trigger may set NULL), so the dual write syncs the stored value through the sync view's function
 */
public record SourceTable(MigrationSpec spec, List<String> columns, String valueType, String valueDefault,
                          boolean syncedByTrigger, boolean targetHasColumnType, boolean storedMayDiffer) {

    public SourceTable {
        Objects.requireNonNull(spec, "spec");
        columns = List.copyOf(columns);
    }

    public SourceTable(MigrationSpec spec, List<String> columns, String valueType, String valueDefault,
                       boolean syncedByTrigger) {
        this(spec, columns, valueType, valueDefault, syncedByTrigger, false, true);
    }

    public SourceTable(MigrationSpec spec, List<String> columns, String valueType, String valueDefault) {
        this(spec, columns, valueType, valueDefault, false);
    }

    /** Without the old column's type and default (the phases that still write it do not need them). */
    public SourceTable(MigrationSpec spec, List<String> columns) {
        this(spec, columns, null, null);
    }

    /** Whether a dual write of non-NULL values may upsert the target directly ({@link Rewrite.IfNotNull}). */
    public boolean dualWriteUpserts() {
        return targetHasColumnType && !storedMayDiffer;
    }
}
