package io.dualwrite.rewriter.analysis;

import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What makes two SQL texts the same statement for the statement evidence: read with the session's lexer,
 * every literal (strings of every form, dollar quotes, numbers) and parameter marker ({@code ?}, {@code $n})
 * becomes {@code ?}, comments and runs of whitespace one space, unquoted names and keywords lower case
 * (as PostgreSQL folds them; quoted names stay as written). So {@code UPDATE users SET email = 'a' WHERE id = 1}
 * and {@code update users  set email = ? where id = $1} share a fingerprint.
 *
 * @param hash   16 hex digits of the SHA-256 of {@link #normalized}: short enough for a primary key however
 *               long the statement is
 * @param sample the text with literals masked and whitespace collapsed, its case kept, cut to {@value #SAMPLE_CHARS}
 *               characters: what an operator reads, without the application's data
 */
public record StatementFingerprint(String hash, String normalized, String sample) {

    public static final int SAMPLE_CHARS = 500;

    public static StatementFingerprint of(String sql, boolean standardConformingStrings) {
        StringBuilder normalized = new StringBuilder(sql.length());
        StringBuilder sample = new StringBuilder(Math.min(sql.length(), SAMPLE_CHARS));
        boolean space = false;
        for (Token t : Lexer.scan(sql, standardConformingStrings).tokens()) {
            if (t.isTrivia()) {
                space = normalized.length() > 0;
                continue;
            }
            if (space) {
                normalized.append(' ');
                sample.append(' ');
                space = false;
            }
            if (masked(t.kind())) {
                normalized.append('?');
                sample.append('?');
            } else {
                normalized.append(t.kind() == TokenKind.IDENTIFIER || t.kind() == TokenKind.LABEL ? t.normalized() : t.text());
                sample.append(t.text());
            }
        }
        String cut = sample.length() <= SAMPLE_CHARS ? sample.toString() : sample.substring(0, SAMPLE_CHARS - 1) + "…";
        return new StatementFingerprint(sha256(normalized.toString()), normalized.toString(), cut);
    }

    private static boolean masked(TokenKind kind) {
        return switch (kind) {
            case STRING, ESCAPE_STRING, UNICODE_STRING, DOLLAR_STRING, NUMBER, PARAMETER, UNTERMINATED -> true;
            default -> false;
        };
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
