package io.dualwrite.migrator.status;

import io.dualwrite.migrator.backfill.BackfillCheckpoint;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * Where one migration stands: phase, since when, backfill checkpoint (null if never started), the
 * latest phase changes (newest first) and the latest reverse-sync (null if it never ran).
 */
public record MigrationStatus(MigrationSpec spec, Phase phase, OffsetDateTime phaseChangedAt, BackfillCheckpoint backfill,
                              List<PhaseChange> recentChanges, RollbackStatus reverseSync) {

    public record PhaseChange(Phase from, Phase to, String changedBy, String reason, OffsetDateTime changedAt) {
    }
}
