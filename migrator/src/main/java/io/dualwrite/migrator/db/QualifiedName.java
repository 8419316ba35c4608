package io.dualwrite.migrator.db;

import io.dualwrite.migrator.UsageException;
import io.dualwrite.rewriter.Identifiers;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code [schema.]table.column} as written on the command line, each part folded the way
 * PostgreSQL folds identifiers (quoted parts keep their case and may contain dots).
 *
 * @param schema null when not written
 */
public record QualifiedName(String schema, String table, String column) {

    /** Parses {@code table.column} or {@code schema.table.column}; {@code option} names the flag in errors. */
    public static QualifiedName parseColumn(String text, String option) {
        List<String> parts = split(text, option);
        if (parts.size() == 2) {
            return new QualifiedName(null, parts.get(0), parts.get(1));
        }
        if (parts.size() == 3) {
            return new QualifiedName(parts.get(0), parts.get(1), parts.get(2));
        }
        throw new UsageException(option + " must be table.column or schema.table.column, got '" + text + "'");
    }

    /** A single identifier (e.g. {@code --key id}). */
    public static String parseIdentifier(String text, String option) {
        List<String> parts = split(text, option);
        if (parts.size() != 1) {
            throw new UsageException(option + " must be a single column name, got '" + text + "'");
        }
        return parts.get(0);
    }

    /** As written on the command line, {@link #parseColumn} reads it back to this name. */
    public String written() {
        return (schema == null ? "" : written(schema) + ".") + written(table) + "." + written(column);
    }

    /**
     * {@code name} as {@link #parseIdentifier} reads it back: bare where the parser leaves it as it is (lower case, no
     * dot, no quote, no space at either end), else double-quoted.
     */
    public static String written(String name) {
        boolean bare = !name.isEmpty() && Identifiers.normalize(name).equals(name) && name.equals(name.strip())
                && name.indexOf('.') < 0 && name.indexOf('"') < 0;
        return bare ? name : Identifiers.quote(name);
    }

    private static List<String> split(String text, String option) {
        if (text == null || text.isBlank()) {
            throw new UsageException(option + " is required");
        }
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        String t = text.trim();
        for (int i = 0; i < t.length(); i++) {
            char ch = t.charAt(i);
            if (ch == '"') {
                if (quoted && i + 1 < t.length() && t.charAt(i + 1) == '"') {
                    cur.append("\"\"");
                    i++;
                    continue;
                }
                quoted = !quoted;
                cur.append(ch);
            } else if (ch == '.' && !quoted) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        if (quoted) {
            throw new UsageException(option + " has an unterminated quote: '" + text + "'");
        }
        parts.add(cur.toString());
        List<String> out = new ArrayList<>();
        for (String p : parts) {
            if (p.isEmpty() || p.equals("\"\"")) {
                throw new UsageException(option + " has an empty name part: '" + text + "'");
            }
            out.add(Identifiers.normalize(p));
        }
        return out;
    }
}
