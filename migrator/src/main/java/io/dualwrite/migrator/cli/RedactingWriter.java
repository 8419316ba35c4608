package io.dualwrite.migrator.cli;

import io.dualwrite.control.Secrets;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

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

    /** The secret values a command line carries: {@code --password VALUE}, {@code --password=VALUE}, and PGPASSWORD. */
    static List<String> secretsOf(String[] args, String environmentPassword) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--password") && i + 1 < args.length) {
                out.add(args[i + 1]);
            } else if (args[i].startsWith("--password=")) {
                out.add(args[i].substring("--password=".length()));
            }
        }
        if (environmentPassword != null) {
            out.add(environmentPassword);
        }
        return out;
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
