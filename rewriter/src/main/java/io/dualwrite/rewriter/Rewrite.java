package io.dualwrite.rewriter;

import java.util.Objects;

/** What to send to PostgreSQL for one statement in one phase. */
public sealed interface Rewrite permits Rewrite.PassThrough, Rewrite.Rewritten, Rewrite.Rejected {

    PassThrough PASS_THROUGH = new PassThrough();

    /** Send the application's SQL unchanged. */
    record PassThrough() implements Rewrite {
    }

    /** Send {@code sql} instead; it has the same parameter markers, in the same order. */
    record Rewritten(String sql, Kind kind) implements Rewrite {
        public Rewritten {
            Objects.requireNonNull(sql, "sql");
            Objects.requireNonNull(kind, "kind");
        }
    }

    /** Refuse the statement; {@code reason} names its shape and what to do (the driver adds the phase). */
    record Rejected(String reason) implements Rewrite {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    enum Kind {
        /** A write that also maintains the target table through the sync view. */
        DUAL_WRITE,
        /** A read whose references to the old column read the target table instead. */
        READ_NEW
    }
}
