package io.dualwrite.control;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** What makes a derived object name unique when the readable part alone cannot: a short, stable hash. */
public final class Names {

    private Names() {
    }

    /** 8 hex digits of the SHA-256 of {@code text}: the same on every JVM and release, unlike String.hashCode. */
    public static String hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
