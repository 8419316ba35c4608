package io.dualwrite.migrator.watch;

import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * The slot's stream over PgJDBC's replication API. The server keeps every change after the last
 * {@link #confirm confirmed} position, so a watch that dies re-reads (and re-checks) what it had not
 * confirmed: the watch confirms a transaction only after checking it.
 */
final class ChangeFeed implements AutoCloseable {

    /** Prefix of the logical messages the watch emits to itself to learn that it has read everything up to now. */
    static final String MARKER_PREFIX = "dualwrite_watch";

    private final Connection connection;
    private final PGReplicationStream stream;

    private ChangeFeed(Connection connection, PGReplicationStream stream) {
        this.connection = connection;
        this.stream = stream;
    }

    /** @param replication a connection opened with {@code replication=database} */
    static ChangeFeed open(Connection replication, String slotAndPublication) throws SQLException {
        PGReplicationStream s = replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                .withSlotName(slotAndPublication)
                .withSlotOption("proto_version", "1")
                .withSlotOption("publication_names", slotAndPublication)
                .withSlotOption("messages", "true")
                .withStatusInterval(1, TimeUnit.SECONDS)
                .start();
        return new ChangeFeed(replication, s);
    }

    /** The next message, or null when none is waiting (never blocks). */
    ByteBuffer poll() throws SQLException {
        return stream.readPending();
    }

    /** Everything up to {@code lsn} was checked: the server may release it. */
    void confirm(long lsn) {
        LogSequenceNumber l = LogSequenceNumber.valueOf(lsn);
        stream.setAppliedLSN(l);
        stream.setFlushedLSN(l);
    }

    /** The server's position as of the last message or keepalive received. */
    long lastReceived() {
        return stream.getLastReceiveLSN().asLong();
    }

    static String format(long lsn) {
        return LogSequenceNumber.valueOf(lsn).asString();
    }

    @Override
    public void close() throws SQLException {
        try {
            if (!stream.isClosed()) {
                stream.forceUpdateStatus();
                stream.close();
            }
        } finally {
            connection.close();
        }
    }
}
