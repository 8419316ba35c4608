package io.dualwrite.migrator.watch;

import java.time.Instant;

/**
 * A key whose old column and primary target row still disagreed after the grace period, found by the
 * watch.
 *
 * @param key         the source key as text ({@code *} for a truncate, which the watch answers with a whole parity run)
 * @param sourceValue the old column's value as text (null: NULL, or no source row)
 * @param targetValue the primary target row's value as text (null: no primary row)
 * @param kind        MISMATCH, ORPHAN (a primary target row without a source row) or TRUNCATE
 * @param committedAt commit time of the first transaction in the checked batch that changed the key
 * @param delayMillis from that commit to the confirmation of the drift
 * @param commitLsn   the end of that transaction in the WAL
 * @param repaired    whether --repair brought the key back in sync
 */
public record Drift(String key, String sourceValue, String targetValue, String kind, Instant committedAt, double delayMillis,
                    String commitLsn, boolean repaired) {
}
