package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Rewrite;
import java.util.function.Function;

/**
 * The rewrites that matter for a statement touching a migration: in the phase that writes
 * both sides and reads old ({@code DUAL_WRITE}), in the one that also reads new ({@code READ_NEW}),
 * and in {@code EXPANDED}, where everything passes through except what would outlive the phase
 * (a SQL-level PREPARE of a write).
 */
public record PhaseRewrites(Rewrite dualWrite, Rewrite readNew, Function<String, Rewrite> withReturning,
                            Rewrite expanded) {

    /**
     * @param withReturning for a dual write without RETURNING of its own: the rewrite that returns
     *                      the given list (generated keys); null when not applicable
     */
    public PhaseRewrites {
    }

    public PhaseRewrites(Rewrite dualWrite, Rewrite readNew, Function<String, Rewrite> withReturning) {
        this(dualWrite, readNew, withReturning, Rewrite.PASS_THROUGH);
    }

    public PhaseRewrites(Rewrite dualWrite, Rewrite readNew) {
        this(dualWrite, readNew, null);
    }

    public static final PhaseRewrites PASS = new PhaseRewrites(Rewrite.PASS_THROUGH, Rewrite.PASS_THROUGH);

    public static PhaseRewrites both(Rewrite r) {
        return new PhaseRewrites(r, r);
    }

    public static PhaseRewrites rejectBoth(String reason) {
        return both(new Rewrite.Rejected(reason));
    }

    /** Refused in every phase, {@code EXPANDED} included. */
    public static PhaseRewrites rejectEveryPhase(String reason) {
        Rewrite r = new Rewrite.Rejected(reason);
        return new PhaseRewrites(r, r, null, r);
    }

    public boolean isPassThrough() {
        return dualWrite instanceof Rewrite.PassThrough && readNew instanceof Rewrite.PassThrough
                && expanded instanceof Rewrite.PassThrough;
    }
}
