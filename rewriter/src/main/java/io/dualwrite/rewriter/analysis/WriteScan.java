package io.dualwrite.rewriter.analysis;

/**
 * Finds writes to the source table anywhere in a statement (inside WITH, EXPLAIN ANALYZE,
 * CREATE RULE, PREPARE …), so that no embedded write slips through unrewritten.
 */
public final class WriteScan {

    private WriteScan() {
    }

    public static boolean writesSource(Sig s, SourceNames names) {
        if (s.is(0, "truncate") || s.is(0, "copy")) {
            return true; // only reached for statements that mention the source table
        }
        for (int i = 0; i < s.size(); i++) {
            int t = writeTarget(s, i);
            if (t >= 0 && names.tableAt(s, t) > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where the relation written by the INSERT, UPDATE, DELETE or MERGE whose verb is token {@code i} is named (after
     * {@code ONLY}, and inside the parentheses of {@code ONLY (users)}), or -1 when token {@code i} starts none
     * ({@code FOR UPDATE}, {@code DO UPDATE}, a DELETE of MERGE).
     */
    public static int writeTarget(Sig s, int i) {
        int t;
        if ((s.is(i, "insert") || s.is(i, "merge")) && s.is(i + 1, "into") || s.is(i, "delete") && s.is(i + 1, "from")) {
            t = i + 2;
        } else if (s.is(i, "update") && !s.is(i - 1, "key") && !s.is(i - 1, "for") && !s.is(i - 1, "do")) {
            t = i + 1;
        } else {
            return -1;
        }
        if (!s.is(t, "only")) {
            return t;
        }
        return s.isSymbol(t + 1, "(") ? t + 2 : t + 1;
    }

    /** Whether the write whose verb is token {@code i} names its relation in parentheses ({@code ONLY (users)}). */
    public static boolean parenthesizedTarget(Sig s, int i) {
        int t = writeTarget(s, i);
        return t > 0 && s.isSymbol(t - 1, "(");
    }

    /** True when a token could read the old column: its name, or any {@code *}. */
    public static boolean mayReadColumn(Sig s, SourceNames names) {
        return mayReadColumn(s, names, true, true);
    }

    /**
     * {@link #mayReadColumn}, except that {@code count(*)} reads no column, nor, unless {@code setTargets}, a name that
     * stands as a SET target at the top level ({@code SET email =}, {@code , email =}).
     */
    public static boolean readsColumn(Sig s, SourceNames names, boolean setTargets) {
        return mayReadColumn(s, names, false, setTargets);
    }

    private static boolean mayReadColumn(Sig s, SourceNames names, boolean countStar, boolean setTargets) {
        for (int i = 0; i < s.size(); i++) {
            if (s.isSymbol(i, "*") && (countStar || !(s.isSymbol(i - 1, "(") && s.isSymbol(i + 1, ")")))) {
                return true;
            }
            if (s.isIdentifier(i) && names.isColumn(s.get(i).normalized()) && (setTargets || !(s.depth(i) == 0
                    && s.isSymbol(i + 1, "=") && (s.is(i - 1, "set") || s.isSymbol(i - 1, ","))))) {
                return true;
            }
        }
        return false;
    }
}
