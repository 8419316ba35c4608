package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lets a translation move or repeat the application's {@code ?} parameters and still bind them:
 * each {@code ?} of the statement is tagged with its number ({@code ?/*dw$p2*}{@code /}, a comment, so the
 * analysis reads the same tokens), the translation is built from the tagged text, and {@link #untag}
 * strips the tags in their new order into the parameter map of {@code Rewrite.Rewritten}.
 * Native {@code $n} parameters are bound by number, so moving them needs no map.
 */
final class ParameterTags {

    private static final Pattern TAG = Pattern.compile("\\?/\\*dw\\$p(\\d+)\\*/");

    /** The tagged text and its significant tokens (offsets into {@code text}). */
    record Tagged(String text, Sig sig) {
    }

    /** The SQL to send and, when the parameters are no longer in the application's order, the map. */
    record Untagged(String sql, int[] sources) {
    }

    private ParameterTags() {
    }

    /**
     * @param statement the statement's text; {@code s}'s offsets are {@code offset} ahead of it
     * @param suffix    text appended after the statement (already lexed into {@code suffixTokens},
     *                  offsets from its own start), or "" (tokens empty)
     */
    static Tagged tag(String statement, int offset, Sig s, String suffix, List<Token> suffixTokens) {
        StringBuilder text = new StringBuilder(statement.length() + suffix.length() + 16);
        List<int[]> spans = new ArrayList<>(s.size() + suffixTokens.size());
        int at = 0;
        int n = 0;
        for (Token t : s.tokens()) {
            int start = t.start() - offset;
            int end = t.end() - offset;
            text.append(statement, at, end);
            int from = text.length() - (end - start);
            if (t.kind() == TokenKind.PARAMETER && t.text().equals("?")) {
                // the tag belongs to the token, so a range of tokens that ends with the parameter keeps it
                text.append("/*dw$p").append(++n).append("*/");
            }
            spans.add(new int[] {from, text.length()});
            at = end;
        }
        text.append(statement, at, statement.length());
        int base = text.length();
        text.append(suffix);
        for (Token t : suffixTokens) {
            spans.add(new int[] {base + t.start(), base + t.end()});
        }
        String tagged = text.toString();
        List<Token> tokens = new ArrayList<>(spans.size());
        List<Token> originals = new ArrayList<>(s.tokens());
        originals.addAll(suffixTokens);
        for (int i = 0; i < spans.size(); i++) {
            tokens.add(new Token(originals.get(i).kind(), spans.get(i)[0], spans.get(i)[1], tagged));
        }
        return new Tagged(tagged, new Sig(tokens));
    }

    /** The application's number of a parameter token of tagged text ({@code ?/*dw$p2*}{@code /} or {@code $2}), else -1. */
    static int number(String token) {
        Matcher m = TAG.matcher(token);
        if (m.matches()) {
            return Integer.parseInt(m.group(1));
        }
        if (token.length() > 1 && token.length() < 10 && token.charAt(0) == '$' && token.chars().skip(1).allMatch(Character::isDigit)) {
            int n = Integer.parseInt(token.substring(1));
            return n > 0 ? n : -1;
        }
        return -1;
    }

    /** Strips the tags; the map is null when each parameter appears once, in the application's order. */
    static Untagged untag(String sql) {
        Matcher m = TAG.matcher(sql);
        StringBuilder out = new StringBuilder(sql.length());
        List<Integer> order = new ArrayList<>();
        while (m.find()) {
            order.add(Integer.parseInt(m.group(1)));
            m.appendReplacement(out, "?");
        }
        m.appendTail(out);
        boolean identity = true;
        int[] sources = new int[order.size()];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = order.get(i);
            identity &= sources[i] == i + 1;
        }
        return new Untagged(out.toString(), identity ? null : sources);
    }
}
