package io.dualwrite.rewriter;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where one migration stands. The order is the order of the runbook; each phase may roll back
 * to the one before it.
 */
public enum Phase {
    /** Target table exists; the application writes and reads the old column only. */
    EXPANDED(false, false),
    /** Every write goes to the old column and the target table in one statement; reads stay old. */
    DUAL_WRITE(true, false),
    /** Writes still go to both; reads come from the target table. */
    READ_NEW(true, true),
    /** Writes go to the target table only (not supported by this version of the driver). */
    NEW_ONLY(true, true),
    /** The old column is gone (not supported by this version of the driver). */
    CONTRACTED(true, true);

    private final boolean writesNew;
    private final boolean readsNew;

    Phase(boolean writesNew, boolean readsNew) {
        this.writesNew = writesNew;
        this.readsNew = readsNew;
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
