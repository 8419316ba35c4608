package io.dualwrite.driver.control;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

/** One row of {@code dualwrite.migration}: what moves where, and the phase the fleet must apply. */
public record MigrationState(MigrationSpec spec, Phase phase) {
}
