package io.dualwrite.rewriter;

import java.nio.charset.StandardCharsets;

/** PostgreSQL identifier rules: folding of unquoted names, truncation, quoting for output. */
public final class Identifiers {

    /** PostgreSQL's NAMEDATALEN - 1: longer names are truncated (in bytes, at a character boundary). */
    public static final int MAX_BYTES = 63;

    private Identifiers() {
    }

    /** Always quotes, so that generated SQL never depends on keywords or case. */
    public static String quote(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** {@code text} as an SQL string literal (standard conforming: only the quote is doubled). */
    public static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /**
     * The name PostgreSQL would store for identifier text as written: quoted text loses its quotes
     * (doubled quotes become one), unquoted text is folded to lower case in ASCII only (scansup.c: in UTF-8 an
     * {@code É} stays), and either is truncated to {@link #MAX_BYTES}.
     */
    public static String normalize(String written) {
        if (written.length() >= 2 && written.charAt(0) == '"' && written.charAt(written.length() - 1) == '"') {
            return truncate(written.substring(1, written.length() - 1).replace("\"\"", "\""), MAX_BYTES);
        }
        StringBuilder b = new StringBuilder(written.length());
        for (int i = 0; i < written.length(); i++) {
            char c = written.charAt(i);
            b.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return truncate(b.toString(), MAX_BYTES);
    }

    /** The longest prefix of {@code name} of at most {@code maxBytes} UTF-8 bytes that ends at a character boundary. */
    public static String truncate(String name, int maxBytes) {
        if (name.length() * 3 <= maxBytes || bytes(name) <= maxBytes) {
            return name;
        }
        int used = 0;
        int i = 0;
        while (i < name.length()) {
            int cp = name.codePointAt(i);
            int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (used + size > maxBytes) {
                break;
            }
            used += size;
            i += Character.charCount(cp);
        }
        return name.substring(0, i);
    }

    /** The length of {@code name} in UTF-8 bytes, as PostgreSQL measures names. */
    public static int bytes(String name) {
        return name.getBytes(StandardCharsets.UTF_8).length;
    }
}
