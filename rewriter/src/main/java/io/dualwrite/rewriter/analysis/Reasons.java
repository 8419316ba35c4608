package io.dualwrite.rewriter.analysis;

/** Rejection texts: the statement shape, what to do, and the statement itself (truncated). */
public final class Reasons {

    private static final int MAX_STATEMENT = 200;
    /** Between the advice and the statement quoted. */
    public static final String STATEMENT = ". Statement: ";

    private Reasons() {
    }

    public static String of(String shape, String advice, String sql) {
        return shape + "; " + advice + STATEMENT + truncate(sql);
    }

    /** {@code reason} ({@link #of}) quoting {@code sql} instead of the statement it quoted. */
    public static String quoting(String reason, String sql) {
        int at = reason.lastIndexOf(STATEMENT);
        return at < 0 ? reason : reason.substring(0, at) + STATEMENT + truncate(sql);
    }

    public static String truncate(String sql) {
        String oneLine = sql.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_STATEMENT ? oneLine : oneLine.substring(0, MAX_STATEMENT) + "…";
    }
}
