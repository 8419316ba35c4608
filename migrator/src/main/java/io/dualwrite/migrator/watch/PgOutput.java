package io.dualwrite.migrator.watch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Decodes the messages of PostgreSQL's built-in {@code pgoutput} plugin, protocol version 1 (the
 * "Logical Replication Message Formats" chapter), as far as the watch needs them: transaction
 * boundaries with their commit time, relation descriptions (column names), the key columns of every
 * inserted, updated or deleted row (values in text form), truncates, and logical messages (the
 * watch's own catch-up markers). Types and origins are skipped.
 */
final class PgOutput {

    /** Microseconds between 1970-01-01 and PostgreSQL's epoch, 2000-01-01. */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    /** A column value pgoutput left out because it is an unchanged TOASTed value. */
    static final String UNCHANGED = new String("(unchanged toast)");

    sealed interface Message permits Begin, Commit, Relation, Change, Truncate, Marker, Skipped {
    }

    record Begin(long finalLsn, Instant committedAt, long xid) implements Message {
    }

    record Commit(long commitLsn, long endLsn, Instant committedAt) implements Message {
    }

    record Relation(int relid, String schema, String name, List<String> columns) implements Message {
    }

    /** An insert, update or delete: every tuple it carries (old key or old row, then new row), as text values. */
    record Change(int relid, char kind, List<String[]> tuples) implements Message {
    }

    record Truncate(int[] relids) implements Message {
    }

    record Marker(long lsn, String prefix, String content) implements Message {
    }

    record Skipped(char kind) implements Message {
    }

    private PgOutput() {
    }

    static Message decode(ByteBuffer b) {
        char kind = (char) b.get();
        switch (kind) {
            case 'B':
                return new Begin(b.getLong(), time(b.getLong()), Integer.toUnsignedLong(b.getInt()));
            case 'C':
                b.get(); // flags, unused
                return new Commit(b.getLong(), b.getLong(), time(b.getLong()));
            case 'R':
                return relation(b);
            case 'I': {
                int relid = b.getInt();
                b.get(); // 'N'
                return new Change(relid, 'I', Collections.singletonList(tuple(b)));
            }
            case 'U':
                return update(b);
            case 'D': {
                int relid = b.getInt();
                b.get(); // 'K' (replica identity key) or 'O' (old row, REPLICA IDENTITY FULL)
                return new Change(relid, 'D', Collections.singletonList(tuple(b)));
            }
            case 'T': {
                int n = b.getInt();
                b.get(); // options (CASCADE, RESTART IDENTITY)
                int[] relids = new int[n];
                for (int i = 0; i < n; i++) {
                    relids[i] = b.getInt();
                }
                return new Truncate(relids);
            }
            case 'M': {
                b.get(); // flags: transactional or not
                long lsn = b.getLong();
                String prefix = string(b);
                byte[] content = new byte[b.getInt()];
                b.get(content);
                return new Marker(lsn, prefix, new String(content, StandardCharsets.UTF_8));
            }
            default:
                return new Skipped(kind); // 'Y' type, 'O' origin
        }
    }

    private static Relation relation(ByteBuffer b) {
        int relid = b.getInt();
        String schema = string(b);
        String name = string(b);
        b.get(); // replica identity setting
        int n = b.getShort();
        List<String> columns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            b.get(); // flags: part of the key
            columns.add(string(b));
            b.getInt(); // type oid
            b.getInt(); // type modifier
        }
        return new Relation(relid, schema, name, columns);
    }

    private static Change update(ByteBuffer b) {
        int relid = b.getInt();
        List<String[]> tuples = new ArrayList<>(2);
        char part = (char) b.get();
        if (part == 'K' || part == 'O') { // the old key (it changed) or the old row (REPLICA IDENTITY FULL)
            tuples.add(tuple(b));
            part = (char) b.get();
        }
        if (part != 'N') {
            throw new IllegalStateException("pgoutput update without a new tuple (got '" + part + "')");
        }
        tuples.add(tuple(b));
        return new Change(relid, 'U', tuples);
    }

    private static String[] tuple(ByteBuffer b) {
        int n = b.getShort();
        String[] values = new String[n];
        for (int i = 0; i < n; i++) {
            char k = (char) b.get();
            switch (k) {
                case 'n' -> values[i] = null;
                case 'u' -> values[i] = UNCHANGED;
                case 't', 'b' -> {
                    byte[] v = new byte[b.getInt()];
                    b.get(v);
                    values[i] = new String(v, StandardCharsets.UTF_8);
                }
                default -> throw new IllegalStateException("unknown pgoutput column kind '" + k + "'");
            }
        }
        return values;
    }

    private static String string(ByteBuffer b) {
        int start = b.position();
        while (b.get() != 0) {
            // scan to the terminating NUL
        }
        byte[] s = new byte[b.position() - start - 1];
        b.position(start);
        b.get(s);
        b.get(); // the NUL
        return new String(s, StandardCharsets.UTF_8);
    }

    private static Instant time(long pgMicros) {
        long micros = pgMicros + PG_EPOCH_MICROS;
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    }
}
