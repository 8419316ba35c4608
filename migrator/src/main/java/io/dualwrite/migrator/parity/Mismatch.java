package io.dualwrite.migrator.parity;

/**
 * One key whose old column and primary target row disagree.
 *
 * @param key         the source key (as text)
 * @param sourceValue the old column's value as text; null when NULL or when the source row is missing
 * @param targetValue the primary target row's value as text; null when there is no primary row
 * @param kind        {@link Kind#MISMATCH} or {@link Kind#ORPHAN} (primary target row without a source row)
 */
public record Mismatch(String key, String sourceValue, String targetValue, Kind kind) {

    public enum Kind {
        /** The source row exists and its value IS DISTINCT FROM the primary target row's (or the row is missing). */
        MISMATCH,
        /** A primary target row whose key has no source row. */
        ORPHAN
    }
}
