package io.dualwrite.rewriter;

import java.util.Objects;

/** Everything the driver needs for one SQL text, computed once: the rewrite for each phase. */
public final class RewritePlan {

    private static final Rewrite[] ALL_PASS_THROUGH = filled(Rewrite.PASS_THROUGH);
    static final RewritePlan PASS_THROUGH = new RewritePlan(null, ALL_PASS_THROUGH);

    private final MigrationSpec migration;
    private final Rewrite[] byPhase;

    RewritePlan(MigrationSpec migration, Rewrite[] byPhase) {
        if (byPhase.length != Phase.values().length) {
            throw new IllegalArgumentException("one rewrite per phase expected");
        }
        for (Rewrite r : byPhase) {
            Objects.requireNonNull(r, "rewrite");
        }
        this.migration = migration;
        this.byPhase = byPhase.clone();
    }

    static Rewrite[] filled(Rewrite r) {
        Rewrite[] out = new Rewrite[Phase.values().length];
        java.util.Arrays.fill(out, r);
        return out;
    }

    /** True when the statement reaches PostgreSQL unchanged in every phase. */
    public boolean passThrough() {
        return migration == null;
    }

    /** The migration the statement touches; null for pass-through. */
    public MigrationSpec migration() {
        return migration;
    }

    public Rewrite forPhase(Phase phase) {
        return byPhase[phase.ordinal()];
    }

    @Override
    public String toString() {
        return passThrough() ? "RewritePlan[pass-through]"
                : "RewritePlan[" + migration.name() + ", " + java.util.Arrays.toString(byPhase) + "]";
    }
}
