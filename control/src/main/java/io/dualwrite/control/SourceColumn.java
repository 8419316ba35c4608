package io.dualwrite.control;

/**
 * One column of a migration's source table as it was when {@link ControlSchema#recordSourceColumns} last ran
 * (entering NEW_ONLY, and again just before the contract drops the old column): what the driver needs to keep
 * {@code SELECT *} and positional INSERTs as they were once the column is gone.
 *
 * @param position   1-based, in attnum order among the live columns (dropped columns leave no gap)
 * @param type       as {@code format_type} spells it, e.g. {@code character varying(320)}
 * @param collation  the column's collation, qualified and quoted; null when it is its type's default
 * @param defaultSql the default as {@code pg_get_expr} prints it; null for none (and for generated columns)
 */
public record SourceColumn(int position, String name, String type, String collation, boolean notNull, String defaultSql) {
}
