package io.dualwrite.rewriter;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where one migration stands, and what each phase means for statements. The order is the order of
 * the runbook; which moves between phases are allowed, and when, is the control module's
 * {@code PhaseTransitions}.
 */
public enum Phase {
    /** Target table exists; the application writes and reads the old column only. */
    EXPANDED(true, false, false),
    /** Every write goes to the old column and the target table in one statement; reads stay old. */
    DUAL_WRITE(true, true, false),
    /** Writes still go to both; reads come from the target table. */
    READ_NEW(true, true, true),
    /** Writes go to the target table only; the old column still exists but is no longer written. */
    NEW_ONLY(false, true, true),
    /** The old column is gone; statements naming it are translated to the target table. */
    CONTRACTED(false, true, true);

    private final boolean writesOld;
    private final boolean writesNew;
    private final boolean readsNew;

    Phase(boolean writesOld, boolean writesNew, boolean readsNew) {
        this.writesOld = writesOld;
        this.writesNew = writesNew;
        this.readsNew = readsNew;
    }

    /** Whether the application's writes still reach the old column. */
    public boolean writesOld() {
        return writesOld;
    }

    public boolean writesNew() {
        return writesNew;
    }

    public boolean readsNew() {
        return readsNew;
    }

    /** Parses a phase name case-insensitively, with an error that lists the valid names. */
    public static Phase parse(String name) {
        if (name != null) {
            String wanted = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (Phase p : values()) {
                if (p.name().equals(wanted)) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("unknown phase '" + name + "'; valid phases are "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }
}
