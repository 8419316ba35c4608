package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.analysis.Relation;
import io.dualwrite.rewriter.analysis.SourceNames;
import java.util.List;

/**
 * The SQL that reads the migrated column of a row of the migrated table from the new table: a scalar subquery on the
 * target's primary row, or in a key range scan the column {@link KeyRangeJoins} joined; and the application's column
 * list with that read in the old column's place (what a star expands to).
 */
final class NewTableReads {

    private final SourceNames names;
    /** The migrated table's columns in order, as the application knew them; empty when the driver did not supply them. */
    private final List<String> columns;
    /** A plain column name in place of each subquery ({@link ReadRewriter#probe}). */
    private final boolean probe;

    NewTableReads(SourceNames names, List<String> columns, boolean probe) {
        this.names = names;
        this.columns = columns;
        this.probe = probe;
    }

    String value(Relation r, KeyRangeJoins joins) {
        String joined = joins.value(r);
        return joined != null ? joined : value(r.qualifier);
    }

    String value(String qualifier) {
        if (probe) {
            return qualifier + ".\"dw$probe\"";
        }
        MigrationSpec spec = names.spec();
        return "(SELECT \"dw$e\"." + Identifiers.quote(spec.targetValueColumn()) + " FROM " + spec.qualifiedTarget()
                + " \"dw$e\" WHERE \"dw$e\"." + Identifiers.quote(spec.targetKeyColumn()) + " = " + qualifier + "."
                + Identifiers.quote(spec.keyColumn()) + " AND \"dw$e\"." + Identifiers.quote(spec.primaryFlagColumn()) + ")";
    }

    /** {@code expr} with each {@link #value} subquery of {@code qualifier}'s row in it locking the target row it reads. */
    String locking(String expr, String qualifier) {
        String read = value(qualifier);
        return expr.replace(read, read.substring(0, read.length() - 1) + " FOR NO KEY UPDATE)");
    }

    /**
     * The application's columns of {@code r} in order, each named as in the table, the migrated one reading {@code value}
     * (null: the new table); null when the columns are not known.
     */
    String columns(Relation r, String value, KeyRangeJoins joins) {
        if (columns.isEmpty()) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (String c : columns) {
            if (!b.isEmpty()) {
                b.append(", ");
            }
            if (names.isColumn(c)) {
                b.append(value != null ? value : value(r, joins)).append(" AS ").append(Identifiers.quote(c));
            } else {
                b.append(r.qualifier).append('.').append(Identifiers.quote(c));
            }
        }
        return b.toString();
    }
}
