package io.dualwrite.migrator.cli;

import io.dualwrite.control.Secrets;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything the CLI prints passes through here, line by line ({@link Secrets#redact(String, java.util.Collection)}):
 * so no command, error path or picocli message can print a password from {@code --url}, {@code --password} or
 * {@code PGPASSWORD}, whatever it quotes.
 */
final class RedactingWriter extends Writer {

    private final Writer out;
    private final List<String> secrets;
    private final StringBuilder line = new StringBuilder();

    RedactingWriter(Writer out, List<String> secrets) {
        this.out = out;
        this.secrets = secrets;
    }

    /** A URL's user info with a password ({@code postgres://user:secret@host/db}): the password. */
    private static final Pattern USER_INFO_PASSWORD = Pattern.compile("//[^/@:\\s]*:([^/@\\s]+)@");

    /**
     * The secret values a command line carries: the value of {@code --password} and of any option spelled like one
     * ({@code --passwd}, {@code --pasword=…}, {@code -p}: picocli quotes an unknown option's value back), a password in a
     * URL's user info (which PgJDBC does not take, so the error quotes the URL), and PGPASSWORD.
     */
    static List<String> secretsOf(String[] args, String environmentPassword) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            if (a.startsWith("-") && looksLikeAPasswordOption(eq < 0 ? a : a.substring(0, eq))) {
                if (eq >= 0) {
                    out.add(a.substring(eq + 1));
                } else if (i + 1 < args.length) {
                    out.add(args[i + 1]);
                }
            }
            Matcher m = USER_INFO_PASSWORD.matcher(a);
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        if (environmentPassword != null) {
            out.add(environmentPassword);
        }
        return out;
    }

    private static boolean looksLikeAPasswordOption(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("pas") || n.contains("pwd") || n.contains("word") || n.contains("secret") || n.equals("-p");
    }

    @Override
    public synchronized void write(char[] buffer, int offset, int length) throws IOException {
        for (int i = offset; i < offset + length; i++) {
            line.append(buffer[i]);
            if (buffer[i] == '\n') {
                emit();
            }
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        emit();
        out.flush();
    }

    /** Flushes; the underlying stream (System.out, System.err) stays open. */
    @Override
    public void close() throws IOException {
        flush();
    }

    private void emit() throws IOException {
        if (!line.isEmpty()) {
            out.write(Secrets.redact(line.toString(), secrets));
            line.setLength(0);
        }
    }
}
