package io.dualwrite.rewriter.lexer;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code U&"…"} and {@code U&'…'} with an optional {@code UESCAPE 'c'} (PostgreSQL's parser.c:
 * the UESCAPE clause belongs to the token, and the escapes are decoded after the scan). So that a
 * name spelled {@code U&"\0075sers"} is {@code users}, the lexer makes the U&amp; token and its
 * UESCAPE clause one token.
 */
final class UnicodeEscapes {

    private UnicodeEscapes() {
    }

    static boolean isUnicode(Token t) {
        return t.kind() == TokenKind.UNICODE_STRING
                || (t.kind() == TokenKind.QUOTED_IDENTIFIER && t.sql().charAt(t.start()) != '"');
    }

    /** The tokens with each {@code U&… UESCAPE 'c'} joined into the U&amp; token. */
    static List<Token> mergeUescape(List<Token> tokens) {
        List<Token> out = null;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            int keyword = nextSignificant(tokens, i + 1);
            int literal = keyword < 0 ? -1 : nextSignificant(tokens, keyword + 1);
            if (isUnicode(t) && keyword >= 0 && tokens.get(keyword).is("uescape") && literal >= 0
                    && isSimpleString(tokens.get(literal))) {
                if (out == null) {
                    out = new ArrayList<>(tokens.subList(0, i));
                }
                out.add(new Token(t.kind(), t.start(), tokens.get(literal).end(), t.sql()));
                i = literal;
            } else if (out != null) {
                out.add(t);
            }
        }
        return out == null ? tokens : out;
    }

    private static int nextSignificant(List<Token> tokens, int from) {
        for (int i = from; i < tokens.size(); i++) {
            if (!tokens.get(i).isTrivia()) {
                return i;
            }
        }
        return -1;
    }

    /** parser.c wants an SCONST after UESCAPE: a plain, E or dollar-quoted string. */
    private static boolean isSimpleString(Token t) {
        return (t.kind() == TokenKind.STRING && t.sql().charAt(t.start()) == '\'')
                || t.kind() == TokenKind.ESCAPE_STRING || t.kind() == TokenKind.DOLLAR_STRING;
    }

    /**
     * The decoded body of a U&amp; token (quotes removed, doubled quotes undone, escapes applied),
     * or null where PostgreSQL would raise an error (bad escape, bad UESCAPE character).
     */
    static String decode(Token t) {
        String text = t.text();
        char quote = text.charAt(2);
        StringBuilder body = new StringBuilder();
        int i = 3;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == quote) {
                if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
                    body.append(quote);
                    i += 2;
                    continue;
                }
                break;
            }
            body.append(c);
            i++;
        }
        if (i >= text.length()) {
            return null;
        }
        Character escape = escapeCharacter(text.substring(i + 1));
        return escape == null ? null : unescape(body, escape);
    }

    /** The escape character from what follows the closing quote: {@code \} or the UESCAPE literal's. */
    private static Character escapeCharacter(String tail) {
        List<Token> rest = Statements.significant(Lexer.tokenize(tail));
        if (rest.isEmpty()) {
            return '\\';
        }
        Token literal = rest.get(rest.size() - 1);
        String v = literal.text();
        String value = switch (literal.kind()) {
            case DOLLAR_STRING -> v.substring(v.indexOf('$', 1) + 1, v.lastIndexOf('$', v.length() - 2));
            // a backslash reads differently by kind and session setting: not worth the guess
            case STRING -> v.indexOf('\\') >= 0 ? null : v.substring(1, v.length() - 1).replace("''", "'");
            default -> v.indexOf('\\') >= 0 ? null : v.substring(2, v.length() - 1).replace("''", "'");
        };
        if (value == null || value.length() != 1) {
            return null;
        }
        char c = value.charAt(0);
        boolean forbidden = Character.digit(c, 16) >= 0 && c < 0x80 || c == '+' || c == '\'' || c == '"' || Lexer.isSpace(c);
        return forbidden ? null : c;
    }

    private static String unescape(CharSequence in, char escape) {
        StringBuilder out = new StringBuilder(in.length());
        int pendingHigh = -1;
        for (int i = 0; i < in.length(); i++) {
            char c = in.charAt(i);
            if (c != escape) {
                if (pendingHigh >= 0) {
                    return null;
                }
                out.append(c);
                continue;
            }
            int code;
            if (i + 1 < in.length() && in.charAt(i + 1) == escape) {
                if (pendingHigh >= 0) {
                    return null;
                }
                out.append(escape);
                i++;
                continue;
            } else if (hex(in, i + 1, 4) >= 0) {
                code = hex(in, i + 1, 4);
                i += 4;
            } else if (i + 1 < in.length() && in.charAt(i + 1) == '+' && hex(in, i + 2, 6) >= 0) {
                code = hex(in, i + 2, 6);
                i += 7;
            } else {
                return null;
            }
            if (pendingHigh >= 0) {
                if (!Character.isLowSurrogate((char) code)) {
                    return null;
                }
                out.appendCodePoint(Character.toCodePoint((char) pendingHigh, (char) code));
                pendingHigh = -1;
            } else if (code <= 0xFFFF && Character.isHighSurrogate((char) code)) {
                pendingHigh = code;
            } else if (code == 0 || code > Character.MAX_CODE_POINT || (code <= 0xFFFF && Character.isLowSurrogate((char) code))) {
                return null;
            } else {
                out.appendCodePoint(code);
            }
        }
        return pendingHigh >= 0 ? null : out.toString();
    }

    private static int hex(CharSequence in, int from, int digits) {
        if (from + digits > in.length()) {
            return -1;
        }
        int v = 0;
        for (int k = 0; k < digits; k++) {
            char c = in.charAt(from + k);
            int d = c < 0x80 ? Character.digit(c, 16) : -1;
            if (d < 0) {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }
}
