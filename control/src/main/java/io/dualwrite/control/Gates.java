package io.dualwrite.control;

import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The go/no-go checks before reads move to the target table, from what the control schema
 * records. The CLI's {@code phase READ_NEW} additionally runs a fresh parity check itself.
 */
public final class Gates {

    /** An instance whose heartbeat is older than this is gone. */
    public static final long STALE_AFTER_MILLIS = 15_000;

    private Gates() {
    }

    /**
     * What stops {@code migration} from moving to READ_NEW now; empty when every gate holds:
     * the backfill completed, the latest parity run found 0 mismatches and ran after the phase
     * last changed, and every live instance acknowledges DUAL_WRITE.
     */
    public static List<String> unmetForReadNew(Connection c, String migration) throws SQLException {
        List<String> unmet = new ArrayList<>();
        MigrationState state = ControlSchema.require(c, migration);
        if (state.phase() != Phase.DUAL_WRITE) {
            unmet.add("the migration is in " + state.phase() + "; READ_NEW follows DUAL_WRITE");
        }
        try (PreparedStatement p = c.prepareStatement("""
                SELECT b.completed_at IS NOT NULL, m.last_parity_at > m.phase_changed_at
                FROM dualwrite.migration m LEFT JOIN dualwrite.backfill_checkpoint b ON b.migration = m.name
                WHERE m.name = ?""")) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    unmet.add("the backfill has not completed: run dualwrite backfill");
                }
                boolean parityAfterChange = rs.getBoolean(2);
                if (state.lastParityMismatches() == null || !parityAfterChange) {
                    unmet.add("no parity check since the phase last changed: run dualwrite parity");
                } else if (state.lastParityMismatches() != 0) {
                    unmet.add("the latest parity check found " + state.lastParityMismatches() + " mismatches");
                }
            }
        }
        List<String> lagging = ControlSchema.instancesNotOn(c, migration, Phase.DUAL_WRITE, STALE_AFTER_MILLIS);
        if (!lagging.isEmpty()) {
            unmet.add("instances not yet on DUAL_WRITE: " + String.join("; ", lagging));
        }
        return unmet;
    }
}
