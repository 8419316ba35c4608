package io.dualwrite.control;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.time.OffsetDateTime;

/**
 * One row of {@code dualwrite.migration}: what moves where, the phase the fleet must apply, the
 * share of reads shadowed in DUAL_WRITE, and the latest parity result (null: never run).
 */
public record MigrationState(MigrationSpec spec, Phase phase, double shadowSampleRate,
                             Long lastParityMismatches, OffsetDateTime lastParityAt) {

    public MigrationState(MigrationSpec spec, Phase phase) {
        this(spec, phase, 0, null, null);
    }
}
