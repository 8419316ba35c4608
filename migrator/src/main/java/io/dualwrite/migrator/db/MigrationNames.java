package io.dualwrite.migrator.db;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.SyncTrigger;
import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;

/**
 * The names of one migration, quoted once for splicing into SQL (every identifier always quoted, so a
 * name with capitals, spaces, quotes or a keyword spliced in stays one identifier). Backfill, parity,
 * reverse sync and contract build their statements from this record, never from the spec's raw names.
 *
 * @param source        the source table, {@code "schema"."table"}
 * @param key           the source key column
 * @param value         the source (old) column
 * @param target        the target table, {@code "schema"."table"}
 * @param targetKey     the target's key column (the source key's value)
 * @param targetValue   the target's value column (the new column)
 * @param primaryFlag   the target's primary-row flag column
 * @param deleteCounter the sequence the sync trigger advances on every delete, schema-qualified
 */
public record MigrationNames(String source, String key, String value, String target, String targetKey,
                             String targetValue, String primaryFlag, String deleteCounter) {

    public static MigrationNames of(MigrationSpec spec) {
        return new MigrationNames(spec.qualifiedSource(), Identifiers.quote(spec.keyColumn()),
                Identifiers.quote(spec.sourceColumn()), spec.qualifiedTarget(), Identifiers.quote(spec.targetKeyColumn()),
                Identifiers.quote(spec.targetValueColumn()), Identifiers.quote(spec.primaryFlagColumn()),
                SyncTrigger.deleteCounterName(spec));
    }
}
