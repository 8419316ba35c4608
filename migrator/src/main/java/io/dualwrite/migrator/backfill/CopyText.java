package io.dualwrite.migrator.backfill;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One batch's rows in PostgreSQL's COPY text format, as {@code COPY … TO STDOUT} wrote them (key, value, flag per
 * line): handed back to {@code COPY … FROM STDIN} byte for byte, and decoded only when the keys are needed.
 * The buffer is one batch, so memory stays flat in the table size.
 */
final class CopyText extends ByteArrayOutputStream {

    /** Rows written by the COPY out (NULL values included). */
    long rowCount;

    CopyText() {
        super(1 << 16);
    }

    InputStream reader() {
        return new ByteArrayInputStream(buf, 0, count);
    }

    /** The keys and values of the rows whose value is not NULL, decoded. */
    record Columns(String[] keys, String[] values) {
    }

    Columns columns() {
        List<String> keys = new ArrayList<>();
        List<String> values = new ArrayList<>();
        String text = new String(buf, 0, count, StandardCharsets.UTF_8);
        int i = 0;
        while (i < text.length()) {
            int eol = text.indexOf('\n', i);
            if (eol < 0) {
                eol = text.length();
            }
            int t1 = text.indexOf('\t', i);
            int t2 = text.indexOf('\t', t1 + 1);
            String v = text.substring(t1 + 1, t2);
            if (!v.equals("\\N")) {
                keys.add(decode(text.substring(i, t1)));
                values.add(decode(v));
            }
            i = eol + 1;
        }
        return new Columns(keys.toArray(String[]::new), values.toArray(String[]::new));
    }

    /** Undoes COPY TO's escapes (it writes only these: backslash, b, f, n, r, t, v). */
    private static String decode(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder b = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char ch = field.charAt(i);
            if (ch != '\\' || i + 1 == field.length()) {
                b.append(ch);
                continue;
            }
            char e = field.charAt(++i);
            b.append(switch (e) {
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'v' -> '\u000b';
                default -> e;
            });
        }
        return b.toString();
    }
}
