package io.dualwrite.rewriter;

import java.util.Arrays;
import java.util.Objects;

/** What to send to PostgreSQL for one statement in one phase. */
public sealed interface Rewrite permits Rewrite.PassThrough, Rewrite.Rewritten, Rewrite.Rejected {

    PassThrough PASS_THROUGH = new PassThrough();

    /** Send the application's SQL unchanged. */
    record PassThrough() implements Rewrite {
    }

    /**
     * Send {@code sql} instead.
     *
     * @param hiddenColumns     how many trailing columns of the result set the driver must hide from
     *                          the application (2 for {@link Kind#DUAL_WRITE_RETURNING}, else 0)
     * @param parameterSources  null when {@code sql} has the application's parameter markers in the
     *                          application's order; else, for each marker of {@code sql} in order, the
     *                          1-based index of the application parameter it takes (a translation may
     *                          move a parameter, or use one twice)
     */
    record Rewritten(String sql, Kind kind, int hiddenColumns, int[] parameterSources) implements Rewrite {
        public Rewritten {
            Objects.requireNonNull(sql, "sql");
            Objects.requireNonNull(kind, "kind");
            if (hiddenColumns < 0) {
                throw new IllegalArgumentException("hiddenColumns < 0");
            }
        }

        public Rewritten(String sql, Kind kind, int hiddenColumns) {
            this(sql, kind, hiddenColumns, null);
        }

        /** A rewrite without hidden columns. */
        public Rewritten(String sql, Kind kind) {
            this(sql, kind, 0, null);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Rewritten r && sql.equals(r.sql) && kind == r.kind && hiddenColumns == r.hiddenColumns
                    && Arrays.equals(parameterSources, r.parameterSources);
        }

        @Override
        public int hashCode() {
            return Objects.hash(sql, kind, hiddenColumns) * 31 + Arrays.hashCode(parameterSources);
        }

        @Override
        public String toString() {
            return "Rewritten[" + kind + ", hidden=" + hiddenColumns + (parameterSources == null ? ""
                    : ", parameters=" + Arrays.toString(parameterSources)) + ", " + sql + "]";
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
        /**
         * A dual write that returns rows: the application's RETURNING list (or the generated-keys
         * list) followed by {@link Rewritten#hiddenColumns()} columns the driver hides. The update
         * count is the number of rows.
         */
        DUAL_WRITE_RETURNING,
        /** A read whose references to the old column read the target table instead. */
        READ_NEW
    }
}
