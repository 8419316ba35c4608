package io.dualwrite.rewriter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

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
     * @param ifNotNull         null, or the same write as cheaper SQL for an execution that binds every value it
     *                          gives the migrated column non-NULL ({@link IfNotNull})
     * @param describedBy       null, or SQL whose description (Parse and Describe, nothing run) gives the visible
     *                          columns of {@code sql}'s rows as the application's statement would have: a multi-row
     *                          translation returns its rows through {@code UNION ALL}, which PostgreSQL describes
     *                          without the columns' table of origin; the first row's write alone keeps it
     * @param origins           null, or which columns of a translation's rows (NEW_ONLY, CONTRACTED) PostgreSQL gives
     *                          the old column as origin for the application's statement
     */
    record Rewritten(String sql, Kind kind, int hiddenColumns, int[] parameterSources, IfNotNull ifNotNull,
                     String describedBy, Origins origins) implements Rewrite {
        public Rewritten {
            Objects.requireNonNull(sql, "sql");
            Objects.requireNonNull(kind, "kind");
            if (hiddenColumns < 0) {
                throw new IllegalArgumentException("hiddenColumns < 0");
            }
        }

        public Rewritten(String sql, Kind kind, int hiddenColumns, int[] parameterSources, IfNotNull ifNotNull,
                         String describedBy) {
            this(sql, kind, hiddenColumns, parameterSources, ifNotNull, describedBy, null);
        }

        public Rewritten(String sql, Kind kind, int hiddenColumns, int[] parameterSources, IfNotNull ifNotNull) {
            this(sql, kind, hiddenColumns, parameterSources, ifNotNull, null);
        }

        public Rewritten(String sql, Kind kind, int hiddenColumns, int[] parameterSources) {
            this(sql, kind, hiddenColumns, parameterSources, null);
        }

        public Rewritten(String sql, Kind kind, int hiddenColumns) {
            this(sql, kind, hiddenColumns, null);
        }

        /** A rewrite without hidden columns. */
        public Rewritten(String sql, Kind kind) {
            this(sql, kind, 0, null);
        }

        /** This rewrite with {@code sql} and without {@link #ifNotNull}: the same columns, counts and parameter map. */
        public Rewritten withSql(String sql) {
            return new Rewritten(sql, kind, hiddenColumns, parameterSources, null, describedBy, origins);
        }

        /** This rewrite, its {@link #ifNotNull} form too, with {@code before} and {@code after} around its SQL. */
        public Rewritten around(String before, String after) {
            return new Rewritten(before + sql + after, kind, hiddenColumns, parameterSources, ifNotNull == null ? null
                    : new IfNotNull(ifNotNull.form().around(before, after), ifNotNull.parameters()), describedBy, origins);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Rewritten r && sql.equals(r.sql) && kind == r.kind && hiddenColumns == r.hiddenColumns
                    && Arrays.equals(parameterSources, r.parameterSources) && Objects.equals(ifNotNull, r.ifNotNull)
                    && Objects.equals(describedBy, r.describedBy) && Objects.equals(origins, r.origins);
        }

        @Override
        public int hashCode() {
            return Objects.hash(sql, kind, hiddenColumns, ifNotNull) * 31 + Arrays.hashCode(parameterSources);
        }

        @Override
        public String toString() {
            return "Rewritten[" + kind + ", hidden=" + hiddenColumns + (parameterSources == null ? ""
                    : ", parameters=" + Arrays.toString(parameterSources)) + ", " + sql
                    + (ifNotNull == null ? "" : ", " + ifNotNull) + (describedBy == null ? "" : ", describedBy=" + describedBy)
                    + (origins == null ? "" : ", " + origins) + "]";
        }
    }

    /**
     * Which columns of a statement's rows, by label, PostgreSQL gives the old column as origin (table, column,
     * nullability) on the original schema, where that is not simply the column labelled as the old column. An item of
     * the outermost select list, or of a write's RETURNING list, that is a reference to the column, under parentheses at
     * most, has it as origin whatever its alias; anything else has none: an expression of the column (a cast,
     * {@code COLLATE}, CASE), a value merely labelled like it, every column of a set operation. A translation reads the
     * column through an expression, which has no origin, so the driver answers these columns from the record. A
     * reference to a derived table's or a WITH query's column has the origin of the item it names there. Where the
     * rewriter does not decide ({@code rewrite.ResultOrigins}), a column labelled as the old column is taken for a
     * reference to it.
     *
     * @param aliases           labels other than the column's name of columns that have the old column as origin
     * @param nameWithoutOrigin the column labelled as the old column has no origin
     * @param byPosition        null, or per column of the result (0-based) whether it has the old column as origin
     *                          (null: not decided): where one label is given to columns of both kinds
     *                          ({@code SELECT 'x'::text AS email, email})
     */
    record Origins(Set<String> aliases, boolean nameWithoutOrigin, List<Boolean> byPosition) {
        public Origins {
            aliases = Set.copyOf(aliases);
            byPosition = byPosition == null ? null : Collections.unmodifiableList(new ArrayList<>(byPosition));
        }

        public Origins(Set<String> aliases, boolean nameWithoutOrigin) {
            this(aliases, nameWithoutOrigin, null);
        }

        /**
         * The origins of a result whose items with labels {@code ofColumn} are references to {@code column} and those
         * with labels {@code none} are not; null when that is what the label alone says. A label in both is decided by
         * {@code byPosition} where that is known (not null), else not at all.
         */
        public static Origins of(Set<String> ofColumn, Set<String> none, String column, List<Boolean> byPosition) {
            Set<String> aliases = new HashSet<>(ofColumn);
            aliases.removeAll(none);
            aliases.remove(column);
            boolean nameWithoutOrigin = none.contains(column) && !ofColumn.contains(column);
            boolean labelsClash = ofColumn.stream().anyMatch(none::contains);
            List<Boolean> positions = labelsClash ? byPosition : null;
            return aliases.isEmpty() && !nameWithoutOrigin && positions == null ? null
                    : new Origins(aliases, nameWithoutOrigin, positions);
        }

        /**
         * The origins of the results of several statements in one string, which the driver does not tell apart: a label
         * one of them gives the old column as origin is taken for it, and so is the old column's name unless one of
         * them gives a column of that name none (where two statements disagree on a label, one of them is answered
         * wrong either way). Null when that is what the labels alone say.
         *
         * @param each per rewritten statement, its origins (null: the labels decide)
         */
        public static Origins ofSeveral(List<Origins> each) {
            Set<String> aliases = new HashSet<>();
            boolean nameWithoutOrigin = false;
            for (Origins o : each) {
                if (o != null) {
                    aliases.addAll(o.aliases());
                    nameWithoutOrigin |= o.nameWithoutOrigin();
                }
            }
            return aliases.isEmpty() && !nameWithoutOrigin ? null : new Origins(aliases, nameWithoutOrigin);
        }

        /**
         * Whether the column labelled {@code label}, at {@code position} (0-based) of {@code width} columns, has the old
         * column {@code column} as origin.
         */
        public boolean ofTheColumn(String label, int position, int width, String column) {
            Boolean decided = byPosition == null || byPosition.size() != width ? null : byPosition.get(position);
            return decided != null ? decided : aliases.contains(label) || !nameWithoutOrigin && column.equals(label);
        }
    }

    /**
     * A write's cheaper form, for an execution whose values for the migrated column are all bound non-NULL: the
     * target's primary rows are upserted in the statement itself, instead of through the per-row function of a sync
     * view (the dual write's or the translated phases'), which for a value runs that same upsert and nothing else. A
     * NULL value needs the function, whose DELETE must see a primary row committed while the statement waited for
     * the source row's lock; an upsert sees it anyway (ON CONFLICT reads the latest committed row), so for non-NULL
     * values both forms leave the same rows, counts and errors.
     *
     * @param form       the cheaper rewrite: same kind ({@link Kind#DUAL_WRITE}: an update count only), hidden
     *                   columns and parameter map as the one it belongs to
     * @param parameters the application parameters (1-based) that carry the values; each must be bound non-NULL
     */
    record IfNotNull(Rewritten form, int[] parameters) {
        public IfNotNull {
            Objects.requireNonNull(form, "form");
            if (form.kind() != Kind.DUAL_WRITE) {
                throw new IllegalArgumentException("a form that returns rows: " + form.kind());
            }
            if (parameters.length == 0) {
                throw new IllegalArgumentException("no parameters: a write of non-NULL literals takes the cheaper form outright");
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof IfNotNull n && form.equals(n.form) && Arrays.equals(parameters, n.parameters);
        }

        @Override
        public int hashCode() {
            return form.hashCode() * 31 + Arrays.hashCode(parameters);
        }

        @Override
        public String toString() {
            return "ifNotNull" + Arrays.toString(parameters) + "=" + form.sql();
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
