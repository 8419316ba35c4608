package io.dualwrite.driver.jdbc;

import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import io.dualwrite.rewriter.lexer.Token;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

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
            "session_authorization", "schema", "temp", "temporary", "pg_temp", "rollback", "abort", "create", "alter", "drop"};
    /** Commands that change the catalog or the session's temporary tables: any may change where a name leads. */
    private static final String[] LEADING = {"discard", "create", "alter", "drop", "import"};
    /** What SET or RESET changes where a name leads with (SET SCHEMA is search_path's other spelling). */
    private static final Set<String> PATH_SETTINGS = Set.of("search_path", "role", "authorization", "session_authorization",
            "schema");

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

    /**
     * True when the text contains one of the words as a whole word, in any case, or an identifier with Unicode escapes
     * ({@code U&"search\005fpath"}), which may spell one (no allocation).
     */
    static boolean mayChange(String sql) {
        int n = sql.length();
        for (int i = 0; i < n; i++) {
            if (sql.charAt(i) == '&' && i > 0 && (sql.charAt(i - 1) | 0x20) == 'u' && i + 1 < n && sql.charAt(i + 1) == '"') {
                return true;
            }
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

    /** True when {@code sql} contains one of {@code words} (lower case) as a whole word, in any case (no allocation). */
    static boolean containsWord(String sql, String[] words) {
        int n = sql.length();
        for (int i = 0; i < n; i++) {
            char c = (char) (sql.charAt(i) | 0x20);
            if (i > 0 && wordChar(sql.charAt(i - 1))) {
                continue;
            }
            for (String w : words) {
                int end = i + w.length();
                if (w.charAt(0) == c && sql.regionMatches(true, i, w, 0, w.length()) && (end == n || !wordChar(sql.charAt(end)))) {
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
     * True when a statement of {@code sql} before its last one may change where names lead: the last statement's names
     * resolve before it changes anything itself. Such a statement calls set_config or names search_path; or sets or
     * resets the role, the session authorization, the schema or everything; or discards, imports, creates, alters or
     * drops; or rolls back, unless to a savepoint this string set (nothing before it changed the path, or this would
     * have answered already); or creates a table (also by {@code SELECT … INTO}) or view named like the migrated
     * {@code table}, or under another name that a later statement names together with {@code table} (the new relation
     * may have a column named like the migrated one, which the rewriter cannot know of: {@code CREATE TEMP TABLE t (id
     * bigint, email text); SELECT … FROM users NATURAL JOIN t}). {@code SET LOCAL statement_timeout = …},
     * {@code SET CONSTRAINTS ALL DEFERRED}, {@code SAVEPOINT a; …; ROLLBACK TO SAVEPOINT a}, a sequence or index, and a
     * table or view the later statements do not name with {@code table} ({@code CREATE TEMP TABLE t AS SELECT … FROM
     * users; SELECT … FROM t}) do not.
     */
    static boolean changesInText(String sql, String table) {
        return changes(sql, false, table);
    }

    /** True when any statement of {@code sql} may change where names lead: a batch entry, before the entries after it. */
    static boolean changesForLaterTexts(String sql) {
        return changes(sql, true, null);
    }

    private static boolean changes(String sql, boolean last, String table) {
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
        List<String> savepoints = new ArrayList<>();
        for (int i = 0; i < statements.size() - (last ? 0 : 1); i++) {
            String created = table == null || namesThePath(statements.get(i)) ? null : createdName(statements.get(i));
            if (created != null) {
                if (created.equals(table) || namedTogether(statements.subList(i + 1, statements.size()), created, table)) {
                    return true;
                }
            } else if (changes(statements.get(i), savepoints)) {
                return true;
            }
        }
        return false;
    }

    private static boolean namesThePath(List<Token> tokens) {
        for (Token t : tokens) {
            if (t.isName() && (t.normalized().equals("set_config") || t.normalized().equals("search_path"))) {
                return true;
            }
        }
        return false;
    }

    /** Whether one of {@code statements} names both {@code a} and {@code b}. */
    private static boolean namedTogether(List<List<Token>> statements, String a, String b) {
        for (List<Token> tokens : statements) {
            boolean hasA = false;
            boolean hasB = false;
            for (Token t : tokens) {
                hasA |= t.isName() && t.normalized().equals(a);
                hasB |= t.isName() && t.normalized().equals(b);
            }
            if (hasA && hasB) {
                return true;
            }
        }
        return false;
    }

    /**
     * The name of the table or view the statement creates ({@code CREATE [OR REPLACE] [TEMP|…] TABLE|VIEW|MATERIALIZED
     * VIEW [IF NOT EXISTS] name}, {@code SELECT … INTO [TEMP|…] [TABLE] name}), its last part normalized; "" for a
     * sequence or an index, which name no columns; null when it creates none of these.
     */
    private static String createdName(List<Token> tokens) {
        int i;
        if (tokens.get(0).is("create")) {
            i = 1;
            while (i < tokens.size() && (tokens.get(i).is("or") || tokens.get(i).is("replace") || tokens.get(i).is("global")
                    || tokens.get(i).is("local") || tokens.get(i).is("temp") || tokens.get(i).is("temporary")
                    || tokens.get(i).is("unlogged") || tokens.get(i).is("materialized") || tokens.get(i).is("unique")
                    || tokens.get(i).is("recursive"))) {
                i++;
            }
            if (i < tokens.size() && (tokens.get(i).is("sequence") || tokens.get(i).is("index"))) {
                return "";
            }
            if (i >= tokens.size() || !(tokens.get(i).is("table") || tokens.get(i).is("view"))) {
                return null;
            }
            i++;
            while (i < tokens.size() && (tokens.get(i).is("if") || tokens.get(i).is("not") || tokens.get(i).is("exists"))) {
                i++;
            }
        } else {
            i = selectInto(tokens);
            if (i < 0) {
                return null;
            }
        }
        while (i + 2 < tokens.size() && tokens.get(i + 1).isSymbol(".")) {
            i += 2; // the name's last part is what resolves
        }
        return i < tokens.size() && tokens.get(i).isName() ? tokens.get(i).normalized() : null;
    }

    /** In a SELECT (also after WITH) with INTO at its top level: the index of the new table's name; else -1. */
    private static int selectInto(List<Token> tokens) {
        if (!(tokens.get(0).is("select") || tokens.get(0).is("with") || tokens.get(0).isSymbol("("))) {
            return -1;
        }
        int depth = 0;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            depth += t.isSymbol("(") ? 1 : t.isSymbol(")") ? -1 : 0;
            if (depth == 0 && (t.is("insert") || t.is("update") || t.is("delete") || t.is("merge"))) {
                return -1; // WITH … INSERT INTO: a write, not a new table
            }
            if (depth == 0 && t.is("into")) {
                int k = i + 1;
                while (k < tokens.size() && (tokens.get(k).is("temp") || tokens.get(k).is("temporary")
                        || tokens.get(k).is("unlogged") || tokens.get(k).is("local") || tokens.get(k).is("global")
                        || tokens.get(k).is("table"))) {
                    k++;
                }
                return k;
            }
        }
        return -1;
    }

    /** Whether one statement may change where names lead; keeps {@code savepoints}, those this string set, current. */
    private static boolean changes(List<Token> tokens, List<String> savepoints) {
        if (namesThePath(tokens)) {
            return true;
        }
        Token first = tokens.get(0);
        if (first.is("savepoint") && tokens.size() == 2 && tokens.get(1).isName()) {
            savepoints.add(tokens.get(1).normalized());
            return false;
        }
        if (first.is("release")) {
            // RELEASE [SAVEPOINT] name: that savepoint and every later one are gone
            int at = savepoints.lastIndexOf(tokens.get(tokens.size() - 1).normalized());
            savepoints.subList(Math.max(0, at), savepoints.size()).clear();
            return false;
        }
        if (first.is("rollback") || first.is("abort")) {
            int i = tokens.size() > 1 && (tokens.get(1).is("work") || tokens.get(1).is("transaction")) ? 2 : 1;
            if (i < tokens.size() && tokens.get(i).is("to")) {
                i += i + 1 < tokens.size() && tokens.get(i + 1).is("savepoint") ? 2 : 1;
                int at = i == tokens.size() - 1 && tokens.get(i).isName() ? savepoints.lastIndexOf(tokens.get(i).normalized()) : -1;
                if (at >= 0) {
                    savepoints.subList(at + 1, savepoints.size()).clear();
                    return false;
                }
            }
            return true;
        }
        if (first.is("set") || first.is("reset")) {
            for (Token t : tokens) {
                if (t.isName() && (PATH_SETTINGS.contains(t.normalized()) || (first.is("reset") && t.is("all")))) {
                    return true;
                }
            }
            return false;
        }
        for (String w : LEADING) {
            if (first.is(w)) {
                return true;
            }
        }
        return false;
    }
}
