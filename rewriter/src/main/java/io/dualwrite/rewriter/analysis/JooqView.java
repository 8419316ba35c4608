package io.dualwrite.rewriter.analysis;

import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.FieldOrRow;
import org.jooq.Name;
import org.jooq.Query;
import org.jooq.Row;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.conf.ParseUnknownFunctions;
import org.jooq.conf.ParseUnsupportedSyntax;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.QOM;

/**
 * What jOOQ's parser understands of a statement. It is the second opinion: when it parses, its
 * target table and SET columns must agree with the token analysis, otherwise we refuse rather
 * than guess. jOOQ is never used to render the statement.
 */
public final class JooqView {

    static {
        // jOOQ prints a banner and tips on first use; a JDBC driver must stay quiet
        System.setProperty("org.jooq.no-logo", System.getProperty("org.jooq.no-logo", "true"));
        System.setProperty("org.jooq.no-tips", System.getProperty("org.jooq.no-tips", "true"));
    }

    private static final DSLContext CTX = DSL.using(SQLDialect.POSTGRES);
    /**
     * Functions and syntax jOOQ does not know are kept as plain SQL, not failures: for reads, and for a write only where
     * a strict parse failed and the write would otherwise be refused.
     */
    private static final DSLContext LENIENT = DSL.using(SQLDialect.POSTGRES, new Settings()
            .withParseUnknownFunctions(ParseUnknownFunctions.IGNORE)
            .withParseUnsupportedSyntax(ParseUnsupportedSyntax.IGNORE));

    /** {@code $n} outside a name: jOOQ 3.19 misreads one followed by more of an expression ({@code $1 AND …}). */
    private static final Pattern NUMBERED_PARAMETER = Pattern.compile("(?<![\\w$\"])\\$\\d+");
    /** jOOQ 3.19 takes {@code nextval('s'::regclass)}, a serial column's default, for a syntax error. */
    private static final Pattern REGCLASS_CAST = Pattern.compile("::\\s*(?i:regclass)\\b");

    /** The text with each {@code $n} as {@code ?} and without {@code ::regclass}: the same to everything jOOQ is asked. */
    private static String jooqReadable(String sql) {
        String text = sql.indexOf('$') < 0 ? sql : NUMBERED_PARAMETER.matcher(sql).replaceAll("?");
        return text.indexOf("::") < 0 ? text : REGCLASS_CAST.matcher(text).replaceAll("");
    }

    /**
     * PostgreSQL operators jOOQ 3.19 cannot parse, each with one it can of the same length and result type (boolean:
     * {@code =}): {@code WHERE email ~* ?}, {@code tags && ?}, {@code data #>> '{a}' = ?}.
     */
    private static final Map<String, String> JOOQ_OPERATORS = Map.of("~*", "~ ", "!~*", "!~ ", "^@", "= ", "@@", "= ",
            "&&", "= ", "#>>", "->>", "#>", "->");

    /**
     * An INSERT, UPDATE or DELETE as jOOQ 3.19 can read it, which changes nothing jOOQ is asked about (the written table, RETURNING,
     * the assigned columns): blanks in place of {@code ONLY}, which jOOQ reads in {@code UPDATE ONLY users} as table
     * "only" aliased "users", and of the arguments after the first of {@code unnest(a, b, …)}, which it cannot parse;
     * {@link #JOOQ_OPERATORS} replaced. PostgreSQL gets the statement unchanged; {@link #parse} also reads the text
     * as it can.
     */
    public static String readableWrite(String statement, int offset, Sig s, StatementClass kind) {
        char[] text = statement.toCharArray();
        int at = kind == StatementClass.UPDATE ? 1 : 2;
        if (s.is(at, "only")) {
            blank(text, s.get(at).start() - offset, s.get(at).end() - offset);
        }
        for (int i = 0; i < s.size(); i++) {
            String operator = s.get(i).kind() == TokenKind.OPERATOR ? JOOQ_OPERATORS.get(s.get(i).text()) : null;
            int start = s.get(i).start() - offset;
            if (operator != null && start >= 0 && start + operator.length() <= text.length) {
                operator.getChars(0, operator.length(), text, start);
            }
        }
        for (int i = 0; i + 1 < s.size(); i++) {
            int close = s.is(i, "unnest") && s.isSymbol(i + 1, "(") ? s.match(i + 1) : -1;
            for (int k = i + 2; k < close; k++) {
                if (s.isSymbol(k, ",") && s.depth(k) == s.depth(i + 1) + 1) {
                    blank(text, s.get(k).start() - offset, s.get(close - 1).end() - offset);
                    break;
                }
            }
        }
        return new String(text);
    }

    private static void blank(char[] text, int start, int end) {
        if (start >= 0 && end <= text.length) {
            Arrays.fill(text, start, end, ' ');
        }
    }

    /** The parsed query, or null when jOOQ cannot parse it (expected: e.g. {@code %}, an unknown function). */
    public static Query parse(String sql) {
        try {
            return CTX.parser().parseQuery(jooqReadable(sql));
        } catch (RuntimeException | StackOverflowError e) {
            return null;
        }
    }

    /** The query parsed leniently ({@link #LENIENT}), or null when even so jOOQ cannot parse it. */
    public static Query parseLeniently(String sql) {
        try {
            return LENIENT.parser().parseQuery(jooqReadable(sql));
        } catch (RuntimeException | StackOverflowError e) {
            return null;
        }
    }

    /**
     * Whether jOOQ parses a read but for the widths of queries it combines, compares or names, which it checks only
     * once a star is expanded: {@code SELECT 1 UNION SELECT * FROM users} (its message "Select list must contain N
     * columns"; PostgreSQL rejects such a statement as well, 42601, and can be left to say so), and {@code WITH x (a, b)
     * AS (SELECT * FROM users)}, a column alias list shorter than the query's columns, which PostgreSQL accepts (the
     * rest keep their names) and jOOQ 3.19 fails on with an index out of bounds in its CTE.
     */
    public static boolean parsesButForWidth(String sql) {
        try {
            LENIENT.parser().parseQuery(jooqReadable(sql));
            return false;
        } catch (ArrayIndexOutOfBoundsException e) {
            StackTraceElement[] at = e.getStackTrace();
            return at.length > 0 && at[0].getClassName().equals("org.jooq.impl.CommonTableExpressionImpl");
        } catch (RuntimeException e) {
            return e.getMessage() != null && e.getMessage().startsWith("Select list must contain");
        } catch (StackOverflowError e) {
            return false;
        }
    }

    private JooqView() {
    }

    /** Normalized table name, schema and all, of a write's target; null if not a plain write. */
    public static String targetTable(Query q) {
        Query w = unwrapReturning(q);
        Table<?> t = null;
        if (w instanceof QOM.Insert<?> i) {
            t = i.$into();
        } else if (w instanceof QOM.Update<?> u) {
            t = u.$table();
        } else if (w instanceof QOM.Delete<?> d) {
            t = d.$from();
        }
        if (t == null) {
            return null;
        }
        Table<?> unaliased = t instanceof QOM.TableAlias<?> a ? a.$table() : t;
        return normalize(unaliased.getQualifiedName());
    }

    public static boolean hasReturning(Query q) {
        return q instanceof QOM.InsertReturning<?> || q instanceof QOM.UpdateReturning<?>
                || q instanceof QOM.DeleteReturning<?>;
    }

    public static boolean hasWith(Query q) {
        Query w = unwrapReturning(q);
        if (w instanceof QOM.Insert<?> i) {
            return i.$with() != null;
        } else if (w instanceof QOM.Update<?> u) {
            return u.$with() != null;
        } else if (w instanceof QOM.Delete<?> d) {
            return d.$with() != null;
        }
        return false;
    }

    /** Columns assigned by UPDATE … SET or by ON CONFLICT DO UPDATE SET, normalized. */
    public static Set<String> assigned(Query q) {
        Query w = unwrapReturning(q);
        Map<? extends FieldOrRow, ?> set = Map.of();
        if (w instanceof QOM.Update<?> u) {
            set = u.$set();
        } else if (w instanceof QOM.Insert<?> i) {
            set = i.$updateSet();
        }
        Set<String> out = new HashSet<>();
        for (FieldOrRow f : set.keySet()) {
            if (f instanceof Row r) {
                for (Field<?> rf : r.fields()) {
                    out.add(normalizeLast(rf.getUnqualifiedName()));
                }
            } else if (f instanceof Field<?> field) {
                out.add(normalizeLast(field.getUnqualifiedName()));
            }
        }
        return out;
    }

    private static Query unwrapReturning(Query q) {
        if (q instanceof QOM.InsertReturning<?> r) {
            return r.$insert();
        } else if (q instanceof QOM.UpdateReturning<?> r) {
            return r.$update();
        } else if (q instanceof QOM.DeleteReturning<?> r) {
            return r.$delete();
        }
        return q;
    }

    /** {@code schema.table} with unquoted parts folded, the way PostgreSQL resolves them. */
    private static String normalize(Name name) {
        Name[] parts = name.parts();
        StringBuilder b = new StringBuilder();
        for (Name p : parts) {
            if (!b.isEmpty()) {
                b.append('.');
            }
            b.append(normalizeLast(p));
        }
        return parts.length == 1 ? "public." + b : b.toString();
    }

    private static String normalizeLast(Name n) {
        String last = n.last();
        return n.quoted() == Name.Quoted.QUOTED ? last : last.toLowerCase(Locale.ROOT);
    }
}
