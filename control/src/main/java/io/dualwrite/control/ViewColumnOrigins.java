package io.dualwrite.control;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a view's columns come from, read from its stored query ({@code pg_rewrite.ev_action} of its {@code _RETURN}
 * rule, as text): for each output column that is a plain column of a relation, that relation and column
 * ({@code resorigtbl}, {@code resorigcol}, which PostgreSQL records for every target entry; a column of a subquery in
 * {@code FROM} is traced to its table, one of a view to that view). Only the top query's target list counts: the stored
 * form also holds the target lists of subqueries, before and inside it. Identifiers in that form escape braces and
 * parentheses with a backslash, so braces count nesting.
 */
final class ViewColumnOrigins {

    /** One output column: its number in the view ({@code attnum}), and its origin (0, 0 when it is not a plain column). */
    record Origin(int column, long relation, int relationColumn) {
    }

    private static final Pattern RESNO = Pattern.compile(":resno (\\d+)");
    private static final Pattern ORIGIN = Pattern.compile(":resorigtbl (\\d+) :resorigcol (\\d+)");
    private static final Pattern JUNK = Pattern.compile(":resjunk true");

    private ViewColumnOrigins() {
    }

    /** The origins of the view's columns, or null when the text is not a stored query in the form expected. */
    static List<Origin> of(String storedQuery) {
        if (storedQuery == null || !storedQuery.startsWith("({QUERY ")) {
            return null;
        }
        int list = topLevelField(storedQuery, ":targetList ");
        if (list < 0 || storedQuery.charAt(list) != '(') {
            return null;
        }
        List<Origin> origins = new ArrayList<>();
        int depth = 0;
        StringBuilder entry = null;
        for (int i = list + 1; i < storedQuery.length(); i++) {
            char ch = storedQuery.charAt(i);
            if (ch == '\\') {
                i++;
                continue;
            }
            if (ch == '{') {
                depth++;
                if (depth == 1) {
                    entry = new StringBuilder();
                }
            } else if (ch == '}') {
                depth--;
                if (depth == 0 && entry != null) {
                    Origin o = origin(entry.toString());
                    if (o == null) {
                        return null;
                    }
                    if (o.column() > 0) {
                        origins.add(o);
                    }
                    entry = null;
                }
            } else if (ch == ')' && depth == 0) {
                return origins;
            } else if (depth == 1 && entry != null) {
                entry.append(ch); // the target entry's own fields: those of its expression are one level deeper
            }
        }
        return null;
    }

    /** The entry's column and origin; column 0 for a junk entry; null when it has no {@code resno}. */
    private static Origin origin(String fields) {
        Matcher resno = RESNO.matcher(fields);
        if (!fields.startsWith("TARGETENTRY") || !resno.find()) {
            return null;
        }
        if (JUNK.matcher(fields).find()) {
            return new Origin(0, 0, 0);
        }
        Matcher origin = ORIGIN.matcher(fields);
        return origin.find() ? new Origin(Integer.parseInt(resno.group(1)), Long.parseLong(origin.group(1)),
                Integer.parseInt(origin.group(2))) : new Origin(Integer.parseInt(resno.group(1)), 0, 0);
    }

    /** Where the value of the top query's {@code field} starts, or -1. */
    private static int topLevelField(String text, String field) {
        int depth = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '\\') {
                i++;
            } else if (ch == '{') {
                depth++;
            } else if (ch == '}') {
                depth--;
            } else if (depth == 1 && text.startsWith(field, i)) {
                return i + field.length();
            }
        }
        return -1;
    }
}
