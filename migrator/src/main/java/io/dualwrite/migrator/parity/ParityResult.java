package io.dualwrite.migrator.parity;

import java.util.List;

/**
 * @param mismatches source rows whose value differs from the primary target row, plus orphaned primary rows
 * @param orphans    how many of {@code mismatches} are orphans
 * @param sourceRows rows in the source table in the same snapshot
 * @param samples    up to the requested limit, lowest keys first
 */
public record ParityResult(long mismatches, long orphans, long sourceRows, List<Mismatch> samples, double seconds) {

    public boolean clean() {
        return mismatches == 0;
    }
}
