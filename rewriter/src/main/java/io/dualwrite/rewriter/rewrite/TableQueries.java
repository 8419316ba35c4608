package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.analysis.HostedStatement;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.lexer.Token;

import java.util.Comparator;
import java.util.List;

/**
 * {@code TABLE name} as a query. PostgreSQL's grammar reads it as {@code SELECT * FROM name} (gram.y: {@code simple_select:
 * TABLE relation_expr}, the same {@code relation_expr} as a FROM item, {@code ONLY} and {@code *} included), wherever a
 * query may stand. So before a statement that names the migrated table is planned, each of its TABLE queries is spelled
 * that way: {@code TABLE users} then follows every phase exactly as its SELECT does ({@code *} expanded, the column read
 * from the new table, translated after the drop), where before it was refused.
 *
 * <p>Where a query may stand: the statement's start, the query an EXPLAIN, PREPARE, CREATE TABLE … AS or DECLARE carries,
 * after an opening parenthesis, a set operator or {@code AS} (CREATE VIEW … AS), a WITH's main query, an INSERT's rows.
 * Elsewhere TABLE is a keyword of a command on the table itself (LOCK TABLE, TRUNCATE TABLE, GRANT … ON TABLE, CREATE
 * PUBLICATION … FOR TABLE), which reads no column and is left alone.
 */
final class TableQueries {

    private TableQueries() {
    }

    /**
     * The TABLE keywords of {@code s} that start a query, in {@code out}: on any relation, so that a statement beginning
     * {@code TABLE other UNION TABLE users} is a SELECT too.
     */
    static void collect(Sig s, List<Token> out) {
        HostedStatement host = HostedStatement.of(s);
        for (int i = 0; i < s.size(); i++) {
            if (startsQuery(s, i) && (i == 0 || (host != null && host.inner() == i) || inQueryPlace(s, i))) {
                out.add(s.get(i));
            }
        }
    }

    /** {@code sql} with each of {@code keywords} (tokens of {@code sql}) spelled {@code SELECT * FROM}. */
    static String spelledAsSelect(String sql, List<Token> keywords) {
        keywords.sort(Comparator.comparingInt(Token::start));
        StringBuilder b = new StringBuilder(sql.length() + 8 * keywords.size());
        int at = 0;
        for (Token t : keywords) {
            b.append(sql, at, t.start()).append("SELECT * FROM");
            at = t.end();
        }
        return b.append(sql, at, sql.length()).toString();
    }

    /** {@code TABLE [ONLY] name}, {@code TABLE ONLY (name)}; not a column labelled table ({@code SELECT 1 AS table FROM t}). */
    private static boolean startsQuery(Sig s, int i) {
        if (!s.is(i, "table") || s.isSymbol(i - 1, ".")) {
            return false;
        }
        int name = i + 1;
        if (s.is(name, "only")) {
            name += s.isSymbol(name + 1, "(") ? 2 : 1;
        }
        return s.isIdentifier(name);
    }

    private static boolean inQueryPlace(Sig s, int i) {
        if (s.isSymbol(i - 1, "(") || isSetOperator(s, i - 1) || s.is(i - 1, "as")
                || ((s.is(i - 1, "all") || s.is(i - 1, "distinct")) && isSetOperator(s, i - 2))) {
            return true;
        }
        if (s.isSymbol(i - 1, ")")) {
            int open = s.match(i - 1);
            // WITH x AS [[NOT] MATERIALIZED] (…) TABLE name: the WITH's main query
            if (open > 0 && (s.is(open - 1, "as") || s.is(open - 1, "materialized"))) {
                return true;
            }
        }
        // an INSERT's rows: after the target, its alias, its column list or OVERRIDING … VALUE
        return (s.isSymbol(i - 1, ")") || s.isName(i - 1)) && s.find("insert", 0, i, s.depth(i)) >= 0;
    }

    private static boolean isSetOperator(Sig s, int i) {
        return s.is(i, "union") || s.is(i, "intersect") || s.is(i, "except");
    }
}
