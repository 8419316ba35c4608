package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.MigrationSpec;

import java.util.Map;

/**
 * A CHECK violation of a translated statement (NEW_ONLY, CONTRACTED) in the application's terms. The old column's CHECK
 * constraints have twins of the same name on the new table ({@code ValueChecks}), which the translation writes, so
 * PostgreSQL names the new table, its row ({@code Failing row contains (1, bad@x, t)}) and the sync function's context.
 * The application wrote {@code users}: the error names it, as on the original schema, without the detail, whose row
 * of {@code users} the driver does not have.
 */
final class CheckViolations {

    private static final String CHECK_VIOLATION = "23514";

    private CheckViolations() {
    }

    /** Names the written table in a CHECK violation on the new table; whether it did. */
    static boolean named(Map<Character, String> fields, MigrationRuntime migration) {
        MigrationSpec spec = migration.spec();
        String constraint = fields.get('n');
        if (!CHECK_VIOLATION.equals(fields.get('C')) || constraint == null || !spec.targetTable().equals(fields.get('t'))
                || !spec.targetSchema().equals(fields.get('s'))) {
            return false;
        }
        fields.put('M', "new row for relation \"" + spec.sourceTable() + "\" violates check constraint \"" + constraint + "\"");
        fields.put('D', null);
        fields.put('s', spec.sourceSchema());
        fields.put('t', spec.sourceTable());
        fields.put('W', null); // the twin's row was written in the sync view's function
        return true;
    }
}
