package io.dualwrite.driver;

import java.util.List;
import java.util.Random;

/**
 * Statements that write {@code users.email} (or read it around a write) with every lexical corner
 * of class 3 of issue 11 in them: comments ending in \n or \r, nested block comments, operators
 * running into a comment, every string form (plain, doubled quotes, E with backslash escapes,
 * U&amp; with and without UESCAPE, dollar tags, N, B, X, continuation over a newline), names spelled
 * in every way PostgreSQL accepts (case, quotes, schema, U&amp; escapes), keyword spellings
 * ({@code ANALYSE}), {@code ??} JSON operators, numbers (1.0, 3e0, 0x3, 3_0), and texts PostgreSQL
 * rejects (unterminated, junk after a number). Each text is valid for the session's
 * {@code standard_conforming_strings} unless it is one of the broken ones on purpose.
 */
final class LexicalCorners {

    private final Random random;
    /** The session's standard_conforming_strings; literals are spelled for it. */
    boolean standardConformingStrings = true;

    LexicalCorners(Random random) {
        this.random = random;
    }

    private String pick(List<String> options) {
        return options.get(random.nextInt(options.size()));
    }

    private boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    /** Between two tokens: a space, or a comment in one of its forms. */
    private String gap() {
        return switch (random.nextInt(12)) {
            case 0 -> "/* c */";
            case 1 -> " /* a /* nested ; UPDATE users SET email = 'no' */ still */ ";
            case 2 -> " -- line ; UPDATE users SET email = 'no'\n";
            case 3 -> " -- ends at a carriage return\r";
            case 4 -> "\r\n\t";
            case 5 -> "/**/";
            case 6 -> " /*/ not closed by slash-star-slash */ ";
            case 7 -> "\f";
            default -> " ";
        };
    }

    private String table() {
        return pick(List.of("users", "USERS", "Users", "\"users\"", "public.users", "PUBLIC.\"users\"",
                "\"public\".\"users\"", "U&\"\\0075sers\"", "U&\"!0075sers\" UESCAPE '!'", "u&\"use\\0072s\"",
                "U&\"\\+000075sers\"", "public" + gap() + "." + gap() + "users"));
    }

    private String column() {
        return pick(List.of("email", "EMAIL", "eMail", "\"email\"", "U&\"\\0065mail\"", "U&\"em#0061il\" UESCAPE '#'",
                "u&\"emai\\006c\""));
    }

    private String keyword(String word) {
        return switch (random.nextInt(3)) {
            case 0 -> word.toLowerCase();
            case 1 -> word;
            default -> Character.toUpperCase(word.charAt(0)) + word.substring(1).toLowerCase();
        };
    }

    /** An id between 1 and 30, spelled as one of PostgreSQL's number forms. */
    private String id(int id) {
        return switch (random.nextInt(10)) {
            case 0 -> id + ".0";
            case 1 -> id + "e0";
            case 2 -> "0x" + Integer.toHexString(id);
            case 3 -> "(" + (id + 1) + "-1)";
            case 4 -> "-(-" + id + ")";
            case 5 -> "B'" + Integer.toBinaryString(id) + "'::int";
            case 6 -> "(" + id + "*--x\n1)";
            default -> Integer.toString(id);
        };
    }

    /** A literal whose value is an address, spelled in one of the string forms. */
    private String address() {
        String local = "u" + random.nextInt(1000);
        return switch (random.nextInt(14)) {
            case 0 -> "'" + local + "''q@example.com'";
            case 1 -> "E'" + local + "\\'q@example.com'";
            case 2 -> "E'" + local + "\\x41@example.com'";
            case 3 -> "$$" + local + "$$ || '@example.com'";
            case 4 -> "$t1$" + local + "$ $$ ; --$t1$ || '@example.com'";
            case 5 -> standardConformingStrings ? "U&'\\0061" + local + "@example.com'" : "'a" + local + "@example.com'";
            case 6 -> standardConformingStrings ? "U&'!0062" + local + "@example.com' UESCAPE '!'" : "E'b" + local + "@example.com'";
            case 7 -> "N'" + local + "@example.com'";
            case 8 -> "'" + local + "'\n'@example.com'";
            case 9 -> "'" + local + ";--/*@example.com'";
            case 10 -> standardConformingStrings ? "'" + local + "\\@example.com'" : "'" + local + "\\\\@example.com'";
            case 11 -> "E'\\u0041" + local + "@example.com'";
            case 12 -> "X'41'::bytea::text || '" + local + "@example.com'";
            default -> "'" + local + "@example.com'";
        };
    }

    /** A condition on the id, with a JSON ?? operator or an operator that runs into a comment now and then. */
    private String where(String qualifier, int id) {
        String cond = qualifier + "id" + gap() + "=" + gap() + id(id);
        return switch (random.nextInt(6)) {
            case 0 -> cond + " AND '{\"a\":1}'::jsonb ?? 'a'";
            case 1 -> cond + " AND 1 <>--x\n2";
            case 2 -> cond + " AND 2 >/*x*/1";
            default -> cond;
        };
    }

    /** One statement text; kinds of shape and corner are picked at random. */
    String next() {
        int id = 1 + random.nextInt(30);
        String t = table();
        String c = column();
        String a = address();
        String statement = switch (random.nextInt(13)) {
            case 0 -> keyword("INSERT") + gap() + keyword("INTO") + " " + t + gap() + "(id, name, " + c + ")" + gap()
                    + keyword("VALUES") + " (" + id + ", 'n', " + a + ") ON CONFLICT DO NOTHING";
            case 1 -> keyword("INSERT") + " INTO " + t + " (id, name, " + c + ") " + keyword("SELECT") + " " + id
                    + ", 'n'," + gap() + a + " WHERE NOT EXISTS (SELECT 1 FROM users WHERE id = " + id + ")";
            case 2 -> "INSERT INTO " + t + " AS u (id, name, " + c + ") VALUES (" + id + ", 'n', " + a + ")"
                    + gap() + "ON CONFLICT (id) DO UPDATE SET " + c + " = EXCLUDED." + c;
            case 3 -> keyword("UPDATE") + gap() + t + gap() + keyword("SET") + gap() + c + gap() + "=" + gap() + a
                    + gap() + keyword("WHERE") + " " + where("", id);
            case 4 -> "UPDATE " + t + " u SET " + c + " = " + a + " FROM (VALUES (" + id + ")) v(k) WHERE u.id = v.k";
            case 5 -> keyword("DELETE") + " FROM " + t + gap() + "WHERE " + where("", id + 20);
            case 6 -> "DELETE FROM " + t + " u USING (VALUES (" + (id + 20) + ")) v(k) WHERE u.id = v.k";
            case 7 -> "UPDATE " + t + " SET " + c + " = " + a + " WHERE " + where("", id) + " RETURNING id, " + c;
            case 8 -> "WITH v(k) AS (VALUES (" + id + ")) UPDATE " + t + " SET " + c + " = " + a
                    + " WHERE id IN (SELECT k FROM v)";
            case 9 -> hiddenAfterComment(id, a);
            case 10 -> "SELECT 1;" + gap() + "UPDATE " + t + " SET " + c + " = " + a + " WHERE " + where("", id)
                    + ";" + gap() + "SELECT " + c + " FROM " + t + " WHERE id = " + id;
            case 11 -> pick(List.of("EXPLAIN (ANALYSE, COSTS OFF, TIMING OFF, SUMMARY OFF) ",
                            "explain (costs off, timing off, summary off, analyse) ",
                            "EXPLAIN (Analyse, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT JSON) "))
                    + "UPDATE " + t + " SET " + c + " = " + a + " WHERE id = " + id;
            default -> broken(t, c, id);
        };
        return chance(20) ? gap() + statement + gap() + ";" + gap() : statement;
    }

    /** A write a lexer could mistake for part of a comment or string. */
    private String hiddenAfterComment(int id, String a) {
        String write = "UPDATE users SET email = " + a + " WHERE id = " + id;
        return switch (random.nextInt(6)) {
            case 0 -> "SELECT 1; -- comment ended by a carriage return\r" + write;
            case 1 -> "SELECT 1 /* nested /* */ still a comment */; " + write;
            case 2 -> "SELECT 2 +--c\r1; " + write;
            case 3 -> "SELECT $a$ $b$ $a$; " + write;
            case 4 -> "SELECT 'x'\n'y';" + write;
            default -> "SELECT 1 /*/ */; " + write;
        };
    }

    /** Texts that PostgreSQL rejects, or reads differently by version: they must be refused or fail alike. */
    private String broken(String t, String c, int id) {
        return switch (random.nextInt(8)) {
            case 0 -> "UPDATE " + t + " SET " + c + " = 'open WHERE id = " + id;
            case 1 -> "UPDATE " + t + " SET " + c + " = 'x' WHERE id = " + id + " /* open";
            case 2 -> "UPDATE " + t + " SET " + c + " = 'x' WHERE id = " + id + "and true";
            case 3 -> "UPDATE " + t + " SET " + c + " = 'x' WHERE id = 1.e";
            case 4 -> "UPDATE " + t + " SET " + c + " = U&'\\00zz' WHERE id = " + id;
            case 5 -> "UPDATE " + t + " SET " + c + " = $q$x WHERE id = " + id;
            case 6 -> "SELECT 1 /*/ ; UPDATE users SET email = 'jdbc-split' WHERE id = " + id + "; -- */";
            default -> "UPDATE " + t + " SET " + c + " = '\\'; UPDATE users SET email = 'two' WHERE id = " + id + "; --'";
        };
    }
}
