package io.dualwrite.rewriter;

import java.util.Locale;

/** PostgreSQL identifier rules: folding of unquoted names, quoting for output. */
public final class Identifiers {

    private Identifiers() {
    }

    /** Always quotes, so that generated SQL never depends on keywords or case. */
    public static String quote(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /**
     * The name PostgreSQL would store for identifier text as written: quoted text loses its quotes
     * (doubled quotes become one), unquoted text is folded to lower case.
     */
    public static String normalize(String written) {
        if (written.length() >= 2 && written.charAt(0) == '"' && written.charAt(written.length() - 1) == '"') {
            return written.substring(1, written.length() - 1).replace("\"\"", "\"");
        }
        return written.toLowerCase(Locale.ROOT);
    }
}
