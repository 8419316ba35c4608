package io.dualwrite.control;

import java.util.Collection;
import java.util.regex.Pattern;

/**
 * The one redaction helper: whatever the driver or the CLI prints (URLs, log lines, JMX attributes, exception
 * messages, JSON) goes through here when it may carry a password. A PgJDBC URL may hold one as a query parameter
 * ({@code password=}, {@code sslpassword=}); a connection's properties and the CLI's {@code --password} are
 * passed in as known secret values.
 */
public final class Secrets {

    /** What a secret is replaced with. */
    public static final String MASK = "***";

    /** The shortest secret value {@link #redact(String, Collection)} searches for literally. */
    static final int MIN_LITERAL = 4;

    /** A URL or key=value parameter whose name says it holds a secret, up to the next separator. */
    private static final Pattern SECRET_PARAMETER =
            Pattern.compile("(?i)((?:[?&;\\s]|^)[a-z_]*(?:password|passwd|secret|token)[a-z_]*=)[^&\\s;,'\")]*");

    private Secrets() {
    }

    /** {@code text} with the value of every secret-named parameter masked ({@code ?user=app&password=***}). */
    public static String redact(String text) {
        return text == null ? null : SECRET_PARAMETER.matcher(text).replaceAll("$1" + MASK);
    }

    /**
     * Like {@link #redact(String)}, and also every occurrence of a known secret value (a password given as a property
     * or option may be echoed anywhere, e.g. in a message that quotes the command line). Values shorter than
     * {@value #MIN_LITERAL} characters are not searched for: they cannot be told from ordinary words, and the parameters
     * that carry them are masked anyway.
     */
    public static String redact(String text, Collection<String> secrets) {
        String out = redact(text);
        if (out == null) {
            return null;
        }
        for (String secret : secrets) {
            if (secret != null && secret.strip().length() >= MIN_LITERAL) {
                out = out.replace(secret, MASK);
            }
        }
        return out;
    }

    /** {@code url} without the named query parameters (case-insensitive), e.g. to connect as another role than the URL names. */
    public static String withoutParameters(String url, String... names) {
        int q = url.indexOf('?');
        if (q < 0) {
            return url;
        }
        StringBuilder kept = new StringBuilder();
        for (String parameter : url.substring(q + 1).split("&")) {
            String name = parameter.contains("=") ? parameter.substring(0, parameter.indexOf('=')) : parameter;
            boolean drop = false;
            for (String n : names) {
                drop |= n.equalsIgnoreCase(name);
            }
            if (!drop && !parameter.isEmpty()) {
                kept.append(kept.length() == 0 ? "" : "&").append(parameter);
            }
        }
        return url.substring(0, q) + (kept.length() == 0 ? "" : "?" + kept);
    }
}
