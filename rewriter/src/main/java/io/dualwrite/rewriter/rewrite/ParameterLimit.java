package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.analysis.Reasons;

import java.util.Arrays;

/**
 * PostgreSQL's extended protocol takes at most {@value #MAX_PARAMETERS} parameters a statement (PgJDBC refuses more with
 * 22023). A translation that repeats the application's parameters (ON CONFLICT's proposed values, a generated-keys
 * form) may pass that where the application's statement did not: it is refused, naming the statement, rather than
 * failing with a count the application never sent.
 */
public final class ParameterLimit {

    public static final int MAX_PARAMETERS = 65_535;

    private ParameterLimit() {
    }

    /** {@code r}, or its refusal when it (or its form for non-NULL values) needs more than {@link #MAX_PARAMETERS}. */
    static Rewrite check(Rewrite r, String sql) {
        if (!(r instanceof Rewrite.Rewritten w)) {
            return r;
        }
        int[] sources = w.parameterSources();
        if (w.ifNotNull() != null && markers(w.ifNotNull().form()) > markers(w)) {
            sources = w.ifNotNull().form().parameterSources();
        }
        if (sources == null || sources.length <= MAX_PARAMETERS) {
            return r;
        }
        return new Rewrite.Rejected(Reasons.of("a statement whose rewrite needs " + sources.length + " parameters, more than"
                + " the " + MAX_PARAMETERS + " PostgreSQL takes (the statement has " + Arrays.stream(sources).max().orElse(0)
                + ")", "send fewer rows per statement, or the rows as a JDBC batch, which dualwrite sends in blocks", sql));
    }

    private static int markers(Rewrite.Rewritten w) {
        return w.parameterSources() == null ? 0 : w.parameterSources().length;
    }
}
