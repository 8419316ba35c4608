package io.dualwrite.driver.jdbc;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import io.dualwrite.rewriter.lexer.Token;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code COPY table [(column, …)] FROM STDIN …} or {@code … TO STDOUT …} text, in the parts the
 * {@link RoutedCopyManager} rebuilds it from: the table and the columns as the application wrote them, and everything
 * from {@code FROM} or {@code TO} on (format, options, {@code WHERE}), which applies unchanged to what replaces it.
 *
 * @param table   the table as written ({@code users}, {@code public."users"})
 * @param columns the column list as written, or null when the COPY has none (all columns but generated ones)
 * @param in      {@code FROM STDIN} (else {@code TO STDOUT})
 * @param rest    the text from {@code FROM} or {@code TO} to the end of the statement
 */
record CopyOfTable(String table, List<Token> columns, boolean in, String rest) {

    /** The parts of {@code sql}, or null when it is not exactly one {@code COPY} of a table from STDIN or to STDOUT. */
    static CopyOfTable parse(String sql, boolean standardConformingStrings) {
        List<List<Token>> statements = Statements.split(Lexer.scan(sql, standardConformingStrings).tokens());
        if (statements.size() != 1) {
            return null;
        }
        Sig s = new Sig(Statements.significant(statements.get(0)));
        if (!s.is(0, "copy") || !s.isName(1)) {
            return null;
        }
        int i = 2;
        while (s.isSymbol(i, ".") && s.isName(i + 1)) {
            i += 2;
        }
        String table = sql.substring(s.get(1).start(), s.get(i - 1).end());
        List<Token> columns = null;
        if (s.isSymbol(i, "(")) {
            int close = s.match(i);
            if (close < 0) {
                return null;
            }
            columns = new ArrayList<>();
            for (int c = i + 1; c < close; c += 2) {
                if (!s.isName(c) || !(c + 1 == close || s.isSymbol(c + 1, ","))) {
                    return null;
                }
                columns.add(s.get(c));
            }
            if (columns.isEmpty()) {
                return null;
            }
            i = close + 1;
        }
        boolean in = s.is(i, "from") && s.is(i + 1, "stdin");
        if (!in && !(s.is(i, "to") && s.is(i + 1, "stdout"))) {
            return null;
        }
        return new CopyOfTable(table, columns, in, sql.substring(s.get(i).start(), s.get(s.size() - 1).end()));
    }

    /**
     * The option among {@link #rest}'s (before {@code WHERE}) that a copy into the driver's staging table would honour
     * otherwise than the copy into the table: {@code FREEZE} (not off), {@code DEFAULT}; or null.
     */
    String optionTheStagingTableChanges(boolean standardConformingStrings) {
        Sig s = new Sig(Statements.significant(Lexer.scan(rest, standardConformingStrings).tokens()));
        for (int i = 0; i < s.size() && !(s.is(i, "where") && s.depth(i) == 0); i++) {
            if (s.is(i, "freeze")) {
                String value = i + 1 < s.size() ? s.get(i + 1).text().replace("'", "").toLowerCase(Locale.ROOT) : "";
                if (!value.equals("false") && !value.equals("off") && !value.equals("0")) {
                    return "FREEZE";
                }
            }
            if (s.is(i, "default")) {
                return "DEFAULT";
            }
        }
        return null;
    }

    /**
     * The columns copied, written for SQL: the list as written, or every column but the generated ones in the
     * application's order, which a read through the driver gives (the old column in its place after the contract).
     *
     * @param identityAlways whether one of them is an identity column {@code GENERATED ALWAYS} (which COPY writes, and
     *                       an INSERT only with {@code OVERRIDING SYSTEM VALUE})
     * @param partitioned    whether the table is partitioned (its rows are its partitions': a query must not say ONLY)
     */
    record Columns(String list, boolean identityAlways, boolean partitioned) {
    }

    Columns columnsOn(DualwriteConnection connection) throws SQLException {
        Map<String, Boolean> generated = new HashMap<>();
        Map<String, Boolean> always = new HashMap<>();
        boolean partitioned = false;
        try (PreparedStatement ps = connection.delegate.prepareStatement("SELECT a.attname, a.attgenerated <> '',"
                + " a.attidentity = 'a', c.relkind = 'p' FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c"
                + " ON c.oid = a.attrelid WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    generated.put(rs.getString(1), rs.getBoolean(2));
                    always.put(rs.getString(1), rs.getBoolean(3));
                    partitioned = rs.getBoolean(4);
                }
            }
        }
        List<String> names = new ArrayList<>();
        boolean identityAlways = false;
        if (columns != null) {
            for (Token column : columns) {
                names.add(column.text());
                identityAlways |= always.getOrDefault(column.normalized(), false);
            }
        } else {
            try (Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT * FROM " + table + " LIMIT 0")) {
                ResultSetMetaData md = rs.getMetaData();
                for (int c = 1; c <= md.getColumnCount(); c++) {
                    String name = md.getColumnName(c);
                    if (!generated.getOrDefault(name, false)) {
                        names.add(Identifiers.quote(name));
                        identityAlways |= always.getOrDefault(name, false);
                    }
                }
            }
        }
        return new Columns(String.join(", ", names), identityAlways, partitioned);
    }
}
