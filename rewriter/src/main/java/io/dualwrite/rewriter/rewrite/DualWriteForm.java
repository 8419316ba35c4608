package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;

/**
 * The one-statement dual write: the application's write becomes a data-modifying CTE whose
 * RETURNING rows feed the sync view. Inserting into the view counts one per row, so the outer
 * statement reports the application's own update count.
 */
public final class DualWriteForm {

    public static final String CONTROL_SCHEMA = "dualwrite";

    private DualWriteForm() {
    }

    /** For INSERT and for UPDATE that assigns the column: key and new value of every written row. */
    public static String upsert(MigrationSpec spec, String appStatement, String qualifier) {
        String q = qualifier == null ? "" : qualifier + ".";
        return "WITH \"dw$w\" AS (" + appStatement
                + " RETURNING " + q + Identifiers.quote(spec.keyColumn()) + " AS \"dw$k\", "
                + q + Identifiers.quote(spec.sourceColumn()) + " AS \"dw$v\") "
                + intoView(spec) + " SELECT \"dw$k\", \"dw$v\", false FROM \"dw$w\"";
    }

    /** For DELETE: every deleted key loses its primary row. */
    public static String delete(MigrationSpec spec, String appStatement, String qualifier) {
        return "WITH \"dw$w\" AS (" + appStatement
                + " RETURNING " + qualifier + "." + Identifiers.quote(spec.keyColumn()) + " AS \"dw$k\") "
                + intoView(spec) + " SELECT \"dw$k\", NULL, true FROM \"dw$w\"";
    }

    private static String intoView(MigrationSpec spec) {
        return "INSERT INTO " + Identifiers.quote(CONTROL_SCHEMA) + "." + Identifiers.quote(spec.syncView())
                + " (k, v, deleted)";
    }
}
