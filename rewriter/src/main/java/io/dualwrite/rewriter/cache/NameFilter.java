package io.dualwrite.rewriter.cache;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Does a SQL text contain a migrated table's name anywhere, in any letter case? A text that does
 * not cannot touch a migrated table, so it passes through without lexing and without a cache
 * entry; this check is all it costs, and it must cost no more than a cache lookup. Anything that
 * contains the name (also inside a string, a comment or a longer identifier) goes on to the
 * planner, which decides exactly.
 *
 * <p>PostgreSQL folds only ASCII letters of an unquoted identifier (in UTF-8; single-byte encodings
 * fold high-bit letters only to other high-bit letters), so for an ASCII name an ASCII
 * case-insensitive search misses nothing. It skips ahead Boyer-Moore-Horspool style, so most
 * characters of a long statement are never looked at. A name with other characters is searched
 * with {@link String#regionMatches(boolean, int, String, int, int)}, which folds more widely.
 */
public final class NameFilter {

    private static final int ASCII = 128;

    private final String[] names;
    /** Per name: how far to move on when the window's last character (folded) is c; null for a non-ASCII name. */
    private final int[][] shifts;

    /** @param names the migrated tables' names, unquoted */
    public NameFilter(List<String> names) {
        this.names = new String[names.size()];
        this.shifts = new int[names.size()][];
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).isEmpty()) {
                throw new IllegalArgumentException("empty table name");
            }
            String name = searchable(names.get(i)).toLowerCase(Locale.ROOT);
            this.names[i] = name;
            this.shifts[i] = isAscii(name) ? shifts(name) : null;
        }
    }

    /**
     * What of {@code name} every mention of it contains verbatim: a double quote inside a name is written doubled
     * ({@code "Ac""count"}), so such a name is searched by its longest part between quotes (a name of quotes only,
     * by the doubled quote).
     */
    private static String searchable(String name) {
        String longest = "";
        for (String part : name.split("\"", -1)) {
            if (part.length() > longest.length()) {
                longest = part;
            }
        }
        return longest.isEmpty() ? "\"\"" : longest;
    }

    /**
     * Whether the text may name a migrated table: a name appears in any case, or a {@code U&"…"}
     * identifier could spell one with escapes.
     */
    public boolean mayMention(String sql) {
        return firstNamed(sql) >= 0 || (names.length > 0 && hasUnicodeEscapedName(sql));
    }

    /** {@code U&"}: found with the intrinsic {@code indexOf}, since almost every text has none. */
    private static boolean hasUnicodeEscapedName(String sql) {
        for (int i = sql.indexOf("&\""); i > 0; i = sql.indexOf("&\"", i + 1)) {
            char u = sql.charAt(i - 1);
            if (u == 'u' || u == 'U') {
                return true;
            }
        }
        return false;
    }

    /** Index of the first name (in constructor order) that appears in the text in any case, or -1. */
    public int firstNamed(String sql) {
        for (int i = 0; i < names.length; i++) {
            if (shifts[i] != null ? containsAscii(sql, names[i], shifts[i]) : containsFolded(sql, names[i])) {
                return i;
            }
        }
        return -1;
    }

    private static boolean containsAscii(String text, String name, int[] shift) {
        int m = name.length();
        int last = m - 1;
        char lastChar = name.charAt(last);
        for (int at = 0, end = text.length() - m; at <= end; ) {
            int c = fold(text.charAt(at + last));
            if (c == lastChar && matchesAt(text, at, name, last)) {
                return true;
            }
            at += c < 0 ? m : shift[c];
        }
        return false;
    }

    private static boolean matchesAt(String text, int at, String name, int count) {
        for (int j = 0; j < count; j++) {
            if (fold(text.charAt(at + j)) != name.charAt(j)) {
                return false;
            }
        }
        return true;
    }

    /** ASCII letters to lower case, other ASCII unchanged, anything else -1 (it cannot be part of an ASCII name). */
    private static int fold(char c) {
        if (c >= ASCII) {
            return -1;
        }
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    private static int[] shifts(String name) {
        int m = name.length();
        int[] shift = new int[ASCII];
        Arrays.fill(shift, m);
        for (int j = 0; j < m - 1; j++) {
            shift[name.charAt(j)] = m - 1 - j;
        }
        return shift;
    }

    private static boolean containsFolded(String text, String name) {
        int n = name.length();
        for (int i = 0, last = text.length() - n; i <= last; i++) {
            if (text.regionMatches(true, i, name, 0, n)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= ASCII) {
                return false;
            }
        }
        return true;
    }
}
