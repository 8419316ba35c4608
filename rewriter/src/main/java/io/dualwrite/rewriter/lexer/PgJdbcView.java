package io.dualwrite.rewriter.lexer;

import java.util.ArrayList;
import java.util.List;

/**
 * Where PgJDBC (org.postgresql.core.Parser.parseJdbcSql, 42.7) splits a text into statements and
 * which {@code ?} it treats as code. PgJDBC sends each piece separately, so where its view differs
 * from PostgreSQL's, PostgreSQL parses pieces the lexer never saw. Its rules differ in corners: a
 * comment opened by slash-star-slash closes at once, {@code E'} counts only after a space,
 * an operator character or a double quote, {@code B'…'} follows the plain string rules, and only
 * parentheses (not brackets) keep a semicolon inside a statement.
 */
final class PgJdbcView {

    /** Offsets of the semicolons PgJDBC splits at, and of the {@code ?} it reads as code. */
    record View(List<Integer> splits, List<Integer> questionMarks) {
    }

    private PgJdbcView() {
    }

    static View of(String sql, boolean standardConformingStrings) {
        char[] q = sql.toCharArray();
        List<Integer> splits = new ArrayList<>();
        List<Integer> marks = new ArrayList<>();
        int inParen = 0;
        for (int i = 0; i < q.length; i++) {
            char c = q[i];
            switch (c) {
                case '\'' -> i = singleQuotes(q, i, standardConformingStrings);
                case '"' -> i = doubleQuotes(q, i);
                case '-' -> i = lineComment(q, i);
                case '/' -> i = blockComment(q, i);
                case '$' -> i = dollarQuotes(q, i);
                case ')' -> inParen--;
                case '?' -> {
                    marks.add(i);
                    if (i + 1 < q.length && q[i + 1] == '?') {
                        marks.add(++i);
                    }
                }
                case ';' -> {
                    if (inParen == 0) {
                        splits.add(i);
                    }
                }
                default -> {
                }
            }
            if (c == '(') {
                inParen++;
            }
        }
        return new View(splits, marks);
    }

    private static int singleQuotes(char[] q, int offset, boolean standardConformingStrings) {
        boolean backslashes = !standardConformingStrings
                || offset >= 2 && (q[offset - 1] == 'e' || q[offset - 1] == 'E') && terminatesIdentifier(q[offset - 2]);
        while (++offset < q.length) {
            if (backslashes && q[offset] == '\\') {
                ++offset;
            } else if (q[offset] == '\'') {
                return offset;
            }
        }
        return q.length;
    }

    private static int doubleQuotes(char[] q, int offset) {
        while (++offset < q.length && q[offset] != '"') {
            // skip to the closing quote; a doubled quote opens the next run
        }
        return offset;
    }

    private static int lineComment(char[] q, int offset) {
        if (offset + 1 < q.length && q[offset + 1] == '-') {
            while (offset + 1 < q.length) {
                offset++;
                if (q[offset] == '\r' || q[offset] == '\n') {
                    break;
                }
            }
        }
        return offset;
    }

    /** PgJDBC's nesting count, including its reading of slash-star-slash as a whole comment. */
    private static int blockComment(char[] q, int offset) {
        if (offset + 1 < q.length && q[offset + 1] == '*') {
            int level = 1;
            for (offset += 2; offset < q.length; ++offset) {
                if (q[offset - 1] == '*' && q[offset] == '/') {
                    --level;
                    ++offset;
                } else if (q[offset - 1] == '/' && q[offset] == '*') {
                    ++level;
                    ++offset;
                }
                if (level == 0) {
                    --offset;
                    break;
                }
            }
        }
        return offset;
    }

    private static int dollarQuotes(char[] q, int offset) {
        if (offset + 1 >= q.length || (offset > 0 && Lexer.isIdentPart(q[offset - 1]))) {
            return offset;
        }
        int end = -1;
        if (q[offset + 1] == '$') {
            end = offset + 1;
        } else if (Lexer.isIdentStart(q[offset + 1])) {
            for (int d = offset + 2; d < q.length; ++d) {
                if (q[d] == '$') {
                    end = d;
                    break;
                } else if (!Lexer.isIdentPart(q[d])) {
                    break;
                }
            }
        }
        if (end < 0) {
            return offset;
        }
        int tagLength = end - offset + 1;
        String tag = new String(q, offset, tagLength);
        int close = new String(q).indexOf(tag, end + 1);
        return close < 0 ? q.length : close + tagLength - 1;
    }

    private static boolean terminatesIdentifier(char c) {
        return c == '"' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
                || ",()[].;:+-*/%^<>=~!@#&|`?".indexOf(c) >= 0;
    }
}
