package io.dualwrite.driver.jdbc;

import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import io.dualwrite.rewriter.lexer.Token;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rewritten write refused in a read-only transaction (25006) in the application's terms. PostgreSQL names the
 * command of the statement it was sent ({@code cannot execute INSERT in a read-only transaction}): the top level of
 * a dual write or a translation is the INSERT into the sync view, where the application's UPDATE, DELETE or MERGE (or
 * the SELECT whose WITH query writes) would have been named ({@code SELECT FOR NO KEY UPDATE} for a form that reads a
 * row with a lock first). The message names the application's command ({@link ServerErrors}). Left as it is for a
 * string of several statements (which one failed is not known) and in a server locale other than English.
 */
final class ReadOnlyTransactionErrors {

    private static final String READ_ONLY_SQL_TRANSACTION = "25006";
    private static final Pattern MESSAGE = Pattern.compile("cannot execute (.+) in a read-only transaction");

    private ReadOnlyTransactionErrors() {
    }

    /** Names the application's command in a read-only transaction's refusal of {@code applicationSql}; whether it did. */
    static boolean named(Map<Character, String> fields, String applicationSql) {
        if (!READ_ONLY_SQL_TRANSACTION.equals(fields.get('C')) || applicationSql == null) {
            return false;
        }
        Matcher sent = MESSAGE.matcher(fields.get('M') == null ? "" : fields.get('M'));
        String command = sent.matches() ? commandOf(applicationSql) : null;
        if (command == null || command.equals(sent.group(1))) {
            return false;
        }
        fields.put('M', "cannot execute " + command + " in a read-only transaction");
        return true;
    }

    /**
     * The name PostgreSQL gives the plan of {@code sql} (its {@code CreateCommandName}): the main statement's verb after
     * any WITH list, SELECT for a query; null for a string of several statements or another kind.
     */
    static String commandOf(String sql) {
        List<List<Token>> statements = Statements.split(Lexer.tokenize(sql)).stream().map(Statements::significant)
                .filter(t -> !t.isEmpty()).toList();
        if (statements.size() != 1) {
            return null;
        }
        List<Token> t = statements.get(0);
        if (t.get(0).isSymbol("(")) {
            return "SELECT";
        }
        if (!t.get(0).is("with")) {
            return verb(t.get(0));
        }
        int depth = 0;
        for (int i = 1; i < t.size(); i++) {
            Token token = t.get(i);
            depth += token.isSymbol("(") ? 1 : token.isSymbol(")") ? -1 : 0;
            String verb = depth == 0 ? verb(token) : null;
            if (verb != null) {
                return verb;
            }
        }
        return null;
    }

    private static String verb(Token token) {
        for (String verb : new String[] {"insert", "update", "delete", "merge"}) {
            if (token.is(verb)) {
                return verb.toUpperCase(Locale.ROOT);
            }
        }
        return token.is("select") || token.is("values") || token.is("table") ? "SELECT" : null;
    }
}
