package io.dualwrite.rewriter.analysis;

import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.Locale;
import java.util.Set;

/**
 * A statement that carries another statement inside it: {@code EXPLAIN [options] <stmt>},
 * {@code COPY (<stmt>) TO …}, {@code PREPARE name [(types)] AS <stmt>},
 * {@code CREATE [TEMP|UNLOGGED] TABLE … AS <query> [WITH [NO] DATA]} and
 * {@code DECLARE name … CURSOR [WITH|WITHOUT HOLD] FOR <query>}. A write can hide in any of them,
 * so the planner plans the inner statement as if it stood alone.
 *
 * @param host     which form
 * @param inner    index of the inner statement's first token
 * @param end      index after the inner statement's last token
 * @param executes whether the inner statement runs: false only for EXPLAIN whose ANALYZE option is
 *                 certainly absent or off (any spelling PostgreSQL accepts: ANALYZE, ANALYSE,
 *                 {@code (ANALYZE)}, {@code (ANALYSE on)}, {@code (analyze 1)} …)
 */
public record HostedStatement(Host host, int inner, int end, boolean executes) {

    public enum Host { EXPLAIN, COPY, PREPARE, CREATE_TABLE_AS, DECLARE_CURSOR }

    /** Boolean option values PostgreSQL reads as false ({@code defGetBoolean}). */
    private static final Set<String> FALSE = Set.of("false", "off", "no", "0");

    /** The hosted statement of {@code s}, or null when {@code s} is none of the forms or its inner part is not found. */
    public static HostedStatement of(Sig s) {
        if (s.is(0, "explain")) {
            return explain(s);
        }
        if (s.is(0, "copy") && s.isSymbol(1, "(") && s.match(1) > 2) {
            return new HostedStatement(Host.COPY, 2, s.match(1), true);
        }
        if (s.is(0, "prepare") && s.isName(1)) {
            int i = 2;
            if (s.isSymbol(i, "(")) {
                i = s.match(i) < 0 ? -1 : s.match(i) + 1;
            }
            return i > 0 && s.is(i, "as") ? found(Host.PREPARE, i + 1, s.size()) : null;
        }
        if (s.is(0, "create")) {
            return createTableAs(s);
        }
        if (s.is(0, "declare")) {
            int cursor = s.find("cursor", 2, s.size(), 0);
            if (cursor < 0) {
                return null;
            }
            int i = cursor + 1;
            if ((s.is(i, "with") || s.is(i, "without")) && s.is(i + 1, "hold")) {
                i += 2;
            }
            return s.is(i, "for") ? found(Host.DECLARE_CURSOR, i + 1, s.size()) : null;
        }
        return null;
    }

    private static HostedStatement found(Host host, int inner, int end) {
        return inner < end ? new HostedStatement(host, inner, end, true) : null;
    }

    /** {@code EXPLAIN (option [value], …) stmt}, or the old form {@code EXPLAIN [ANALYZE|ANALYSE] [VERBOSE] stmt}. */
    private static HostedStatement explain(Sig s) {
        if (s.isSymbol(1, "(")) {
            int close = s.match(1);
            if (close < 0) {
                return null;
            }
            return close + 1 < s.size() ? new HostedStatement(Host.EXPLAIN, close + 1, s.size(), analyzes(s, 2, close)) : null;
        }
        int i = 1;
        boolean analyze = isAnalyze(s.get(i));
        if (analyze) {
            i++;
        }
        if (s.is(i, "verbose")) {
            i++;
        }
        return i < s.size() ? new HostedStatement(Host.EXPLAIN, i, s.size(), analyze) : null;
    }

    /**
     * Whether the option list in [from, to) turns ANALYZE on. Each option is a name and an optional
     * value; anything not certainly false (no value counts as true) is taken as on: fail closed.
     */
    private static boolean analyzes(Sig s, int from, int to) {
        boolean on = false;
        int i = from;
        while (i < to) {
            int next = i;
            while (next < to && !(s.isSymbol(next, ",") && s.depth(next) == s.depth(from))) {
                next++;
            }
            if (isAnalyze(s.get(i))) {
                on |= next - i != 2 || !FALSE.contains(value(s.get(i + 1)));
            }
            i = next + 1;
        }
        return on;
    }

    private static boolean isAnalyze(Token t) {
        return t != null && (t.is("analyze") || t.is("analyse")
                || (t.kind() == TokenKind.QUOTED_IDENTIFIER && (t.normalized().equals("analyze") || t.normalized().equals("analyse"))));
    }

    /** An option value as PostgreSQL compares it: a word, a number, or a plain string's content, lower case. */
    private static String value(Token t) {
        String text = t.text();
        if (t.kind() == TokenKind.STRING && text.length() >= 2 && text.charAt(0) == '\'') {
            text = text.substring(1, text.length() - 1);
        } else if (t.kind() != TokenKind.IDENTIFIER && t.kind() != TokenKind.NUMBER) {
            return "";
        }
        return text.toLowerCase(Locale.ROOT);
    }

    /**
     * {@code CREATE [GLOBAL|LOCAL] [TEMP|TEMPORARY|UNLOGGED] TABLE [IF NOT EXISTS] name [(cols)] [USING m]
     * [WITH (…)|WITHOUT OIDS] [ON COMMIT …] [TABLESPACE t] AS query [WITH [NO] DATA]}; the query is
     * what follows the first AS at depth 0 (nothing before it can be spelled AS).
     */
    private static HostedStatement createTableAs(Sig s) {
        int i = 1;
        if (s.is(i, "global") || s.is(i, "local")) {
            i++;
        }
        if (s.is(i, "temp") || s.is(i, "temporary") || s.is(i, "unlogged")) {
            i++;
        }
        if (!s.is(i, "table")) {
            return null;
        }
        int as = s.find("as", i + 1, s.size(), 0);
        if (as < 0) {
            return null;
        }
        int end = s.size();
        if (s.is(end - 1, "data")) {
            if (s.is(end - 2, "with")) {
                end -= 2;
            } else if (s.is(end - 2, "no") && s.is(end - 3, "with")) {
                end -= 3;
            }
        }
        return found(Host.CREATE_TABLE_AS, as + 1, end);
    }
}
