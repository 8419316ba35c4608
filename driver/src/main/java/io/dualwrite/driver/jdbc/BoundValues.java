package io.dualwrite.driver.jdbc;

import org.postgresql.util.PGobject;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Calendar;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a parameter setter binds, frozen at the moment of the call, so that binding it again on
 * another statement (after a phase change, for a shadow read) sends exactly what the application
 * bound. PgJDBC itself fixes most values when they are set (it copies {@code byte[]}, formats
 * dates with the given Calendar, reads readers and length-less streams), but keeps a stream with a
 * length to read while sending; the application may also change a {@code byte[]}, a
 * {@code Timestamp} or an array after binding it. So: mutable values are copied, and each stream
 * or reader is read once, here, as far as PgJDBC would read it (the given length, else to its end);
 * every binding then gets a fresh stream over those bytes or characters.
 */
final class BoundValues {

    /** A stream's bytes, read once; each binding reads a fresh stream over them. */
    private record Bytes(byte[] bytes) {
        InputStream open() {
            return new ByteArrayInputStream(bytes);
        }
    }

    /** A reader's characters, read once; each binding reads a fresh reader over them. */
    private record Chars(String chars) {
        Reader open() {
            return new StringReader(chars);
        }
    }

    private BoundValues() {
    }

    /** The arguments of a setter call, frozen ({@code args[0]} is the parameter index). */
    static Object[] snapshot(Method setter, Object[] args) throws SQLException {
        Object[] frozen = args.clone();
        boolean setObject = setter.getName().equals("setObject");
        for (int i = 1; i < frozen.length; i++) {
            Object value = frozen[i];
            if (value instanceof InputStream in) {
                long length = length(args, i, setObject);
                // beyond int PgJDBC refuses the stream without reading it; so does the binding here
                frozen[i] = length > Integer.MAX_VALUE ? in : captured(setter, in, length);
            } else if (value instanceof Reader reader && !setObject) {
                // setObject does not read a Reader (PgJDBC binds its toString()): left as it is
                frozen[i] = new Chars(read(reader, length(args, i, false)));
            } else {
                frozen[i] = copy(value);
            }
        }
        return frozen;
    }

    /** The frozen arguments as a setter takes them: fresh streams and readers, the rest as frozen. */
    static Object[] forBinding(Object[] frozen) {
        Object[] args = frozen;
        for (int i = 1; i < frozen.length; i++) {
            Object open = frozen[i] instanceof Bytes b ? b.open() : frozen[i] instanceof Chars c ? c.open() : null;
            if (open != null) {
                if (args == frozen) {
                    args = frozen.clone();
                }
                args[i] = open;
            }
        }
        return args;
    }

    /**
     * The length argument that follows a stream (int or long), or -1 for none: {@code setObject}'s
     * trailing int is a scale or length that PgJDBC ignores for streams (it reads them to the end).
     */
    private static long length(Object[] args, int streamAt, boolean setObject) {
        if (setObject || streamAt + 1 >= args.length) {
            return -1;
        }
        Object length = args[streamAt + 1];
        return length instanceof Number n ? n.longValue() : -1;
    }

    private static Object captured(Method setter, InputStream in, long length) throws SQLException {
        if (setter.getName().equals("setUnicodeStream") && length >= 0) {
            // PgJDBC reads `length` characters of UTF-8, not bytes: the same characters, encoded again
            String chars = read(new InputStreamReader(in, StandardCharsets.UTF_8), length);
            return new Bytes(chars.getBytes(StandardCharsets.UTF_8));
        }
        return new Bytes(read(in, length));
    }

    /** Up to {@code length} bytes (all for -1); a negative length other than that is PgJDBC's to refuse. */
    private static byte[] read(InputStream in, long length) throws SQLException {
        try {
            if (length < 0) {
                return in.readAllBytes();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(length, 8192));
            byte[] buffer = new byte[(int) Math.min(Math.max(length, 1), 8192)];
            long left = length;
            int n;
            while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
                out.write(buffer, 0, n);
                left -= n;
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new PSQLException("Provided InputStream failed.", PSQLState.UNEXPECTED_ERROR, e);
        }
    }

    private static String read(Reader reader, long length) throws SQLException {
        try {
            StringBuilder out = new StringBuilder();
            char[] buffer = new char[8192];
            long left = length < 0 ? Long.MAX_VALUE : length;
            int n;
            while (left > 0 && (n = reader.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
                out.append(buffer, 0, n);
                left -= n;
            }
            return out.toString();
        } catch (IOException e) {
            throw new PSQLException("Provided Reader failed.", PSQLState.UNEXPECTED_ERROR, e);
        }
    }

    /** A copy of a value the application could change after binding it; immutable values as they are. */
    private static Object copy(Object value) throws SQLException {
        if (value == null) {
            return null;
        }
        if (value instanceof Date date) { // java.sql.Date, Time, Timestamp (with its nanos)
            return date.clone();
        }
        if (value instanceof Calendar calendar) {
            return calendar.clone();
        }
        if (value instanceof Map<?, ?> map) { // hstore: PgJDBC writes it in iteration order
            return new LinkedHashMap<>(map);
        }
        if (value instanceof PGobject object) {
            try {
                return object.clone();
            } catch (CloneNotSupportedException e) {
                throw new PSQLException("could not copy the bound " + value.getClass().getName(),
                        PSQLState.INVALID_PARAMETER_TYPE, e);
            }
        }
        if (value.getClass().isArray()) {
            int n = Array.getLength(value);
            Object copy = Array.newInstance(value.getClass().getComponentType(), n);
            if (value.getClass().getComponentType().isPrimitive()) {
                System.arraycopy(value, 0, copy, 0, n);
            } else {
                for (int i = 0; i < n; i++) {
                    Array.set(copy, i, copy(Array.get(value, i)));
                }
            }
            return copy;
        }
        return value;
    }
}
