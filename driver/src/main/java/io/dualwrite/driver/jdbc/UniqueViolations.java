package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.MigrationSpec;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A unique violation of a translated statement (NEW_ONLY, CONTRACTED) in the application's terms. The translation
 * stores the value in the new table, where the old column's unique index has a twin, so PostgreSQL names the twin
 * (in NEW_ONLY {@code email_address_address_unique_idx}; after the contract the twin has the old name) and its table
 * and column ({@code Key (address)=(…)}, and the sync function's {@code Where:} line). Applications and ORMs read the
 * constraint's name from the error (Hibernate's {@code ConstraintViolationException.getConstraintName()} parses the
 * message) to tell "that email is taken": here the error names the old index, table and column, as on the original
 * schema ({@link ServerErrors}).
 */
final class UniqueViolations {

    private static final String UNIQUE_VIOLATION = "23505";
    private static final Pattern KEY = Pattern.compile("^Key \\((.*)\\)=\\(");

    private UniqueViolations() {
    }

    /** Names the old column's constraint, table and column in a unique violation of its twin; whether it did. */
    static boolean named(Map<Character, String> fields, MigrationRuntime migration) {
        MigrationSpec spec = migration.spec();
        String twin = fields.get('n');
        if (!UNIQUE_VIOLATION.equals(fields.get('C')) || twin == null || !spec.targetTable().equals(fields.get('t'))
                || !spec.targetSchema().equals(fields.get('s')) || !migration.valueUniqueIndexes().contains(twin)) {
            return false;
        }
        String constraint = migration.uniqueTwinSources().getOrDefault(twin, twin);
        fields.put('M', "duplicate key value violates unique constraint \"" + constraint + "\"");
        fields.put('D', detail(fields.get('D'), spec));
        fields.put('s', spec.sourceSchema());
        fields.put('t', spec.sourceTable());
        fields.put('n', constraint);
        fields.put('W', null); // the twin's insert ran in the sync view's function
        return true;
    }

    /** {@code Key (address)=(x) already exists.} as {@code Key (email)=(x) …}; an expression key keeps its form. */
    private static String detail(String detail, MigrationSpec spec) {
        if (detail == null) {
            return null;
        }
        Matcher k = KEY.matcher(detail);
        if (!k.find()) {
            return detail;
        }
        String key = k.group(1).replaceAll("\\b" + Pattern.quote(spec.targetValueColumn()) + "\\b",
                Matcher.quoteReplacement(spec.sourceColumn()));
        return "Key (" + key + ")=(" + detail.substring(k.end());
    }
}
