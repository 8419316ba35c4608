package io.dualwrite.rewriter.lexer;

import java.util.ArrayList;
import java.util.List;

/** Splits a token list into statements at semicolons outside parentheses (as psql does). */
public final class Statements {

    private Statements() {
    }

    /**
     * Each statement's tokens, trivia included, without its terminating semicolon. Statements
     * made only of trivia (a trailing comment after the last semicolon) are dropped.
     */
    public static List<List<Token>> split(List<Token> tokens) {
        List<List<Token>> out = new ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isSymbol("(") || t.isSymbol("[")) {
                depth++;
            } else if ((t.isSymbol(")") || t.isSymbol("]")) && depth > 0) {
                depth--;
            } else if (t.kind() == TokenKind.SEMICOLON && depth == 0) {
                addIfSignificant(out, tokens.subList(from, i));
                from = i + 1;
            }
        }
        addIfSignificant(out, tokens.subList(from, tokens.size()));
        return out;
    }

    private static void addIfSignificant(List<List<Token>> out, List<Token> statement) {
        for (Token t : statement) {
            if (!t.isTrivia()) {
                out.add(statement);
                return;
            }
        }
    }

    /**
     * The tokens that are neither whitespace nor comments; a reserved word PostgreSQL reads as a name ({@code SELECT
     * email AS select FROM users}, {@code x.from}) is a {@link TokenKind#LABEL}, so that no scan takes it for the keyword.
     */
    public static List<Token> significant(List<Token> tokens) {
        List<Token> out = new ArrayList<>(tokens.size());
        for (Token t : tokens) {
            if (!t.isTrivia()) {
                out.add(t);
            }
        }
        NamesSpelledAsKeywords.mark(out);
        return out;
    }
}
