package io.dualwrite.rewriter.analysis;

/** Rejection texts: the statement shape, what to do, and the statement itself (truncated). */
public final class Reasons {

    private static final int MAX_STATEMENT = 200;

    private Reasons() {
    }

    public static String of(String shape, String advice, String sql) {
        return shape + "; " + advice + ". Statement: " + truncate(sql);
    }

    public static String truncate(String sql) {
        String oneLine = sql.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_STATEMENT ? oneLine : oneLine.substring(0, MAX_STATEMENT) + "…";
    }
}
