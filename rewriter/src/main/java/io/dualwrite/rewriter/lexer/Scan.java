package io.dualwrite.rewriter.lexer;

import java.util.List;

/**
 * A SQL text read as PostgreSQL reads it: its tokens, and why that reading is not certain (null
 * when it is). Uncertain means PostgreSQL would raise an error, or its reading depends on something
 * the lexer cannot know (server version, a setting changed earlier in the same string, PgJDBC's own
 * splitting); a statement that could write a migrated table must then be refused, not passed.
 */
public record Scan(List<Token> tokens, String uncertainty) {

    public boolean certain() {
        return uncertainty == null;
    }
}
