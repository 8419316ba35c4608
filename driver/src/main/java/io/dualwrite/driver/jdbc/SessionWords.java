package io.dualwrite.driver.jdbc;

import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import io.dualwrite.rewriter.lexer.Token;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which statements may change where an unqualified table name leads: the search_path itself
 * ({@code SET}, {@code RESET}, {@code set_config}, {@code DISCARD}, a rollback undoing a SET), the
 * role behind {@code "$user"}, and the tables and schemas on the path (CREATE, ALTER, DROP, temporary
 * tables). Two levels: a quick text scan after every statement (a false alarm costs one question
 * to the server: a column named {@code role} is one), and a token check for a string that also
 * needs a rewrite.
 */
final class SessionWords {

    private static final String[] WORDS = {"search_path", "set_config", "reset", "discard", "role", "authorization",
            "schema", "temp", "temporary", "pg_temp", "rollback", "abort", "create", "alter", "drop"};
    private static final String[] LEADING = {"set", "reset", "discard", "rollback", "abort", "create", "alter", "drop",
            "import"};

    private SessionWords() {
    }

    /** {@link #WORDS} by their first letter, so that most characters of a text cost one array read. */
    private static final String[][] WORDS_BY_FIRST = new String[26][];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            char first = c;
            WORDS_BY_FIRST[c - 'a'] = Arrays.stream(WORDS).filter(w -> w.charAt(0) == first).toArray(String[]::new);
        }
    }

    /** True when the text contains one of the words as a whole word, in any case (no allocation). */
    static boolean mayChange(String sql) {
        int n = sql.length();
        for (int i = 0; i < n; i++) {
            int c = (sql.charAt(i) | 0x20) - 'a';
            if (c < 0 || c >= 26 || WORDS_BY_FIRST[c].length == 0 || (i > 0 && wordChar(sql.charAt(i - 1)))) {
                continue;
            }
            for (String w : WORDS_BY_FIRST[c]) {
                int end = i + w.length();
                if (sql.regionMatches(true, i, w, 0, w.length()) && (end == n || !wordChar(sql.charAt(end)))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean wordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /**
     * True when a statement of {@code sql} before its last one is a session or catalog command, or calls
     * set_config: the last statement's names resolve before it changes anything itself.
     */
    static boolean changesInText(String sql) {
        if (!mayChange(sql)) {
            return false;
        }
        List<List<Token>> statements = new ArrayList<>();
        for (List<Token> statement : Statements.split(Lexer.tokenize(sql))) {
            List<Token> tokens = Statements.significant(statement);
            if (!tokens.isEmpty()) {
                statements.add(tokens);
            }
        }
        for (List<Token> tokens : statements.subList(0, Math.max(0, statements.size() - 1))) {
            for (String w : LEADING) {
                if (tokens.get(0).is(w)) {
                    return true;
                }
            }
            for (Token t : tokens) {
                if (t.is("set_config") || t.is("search_path")) {
                    return true;
                }
            }
        }
        return false;
    }
}
