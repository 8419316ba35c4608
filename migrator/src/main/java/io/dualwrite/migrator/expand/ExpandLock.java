package io.dualwrite.migrator.expand;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.Consumer;

/**
 * One expand at a time in a database. Expands run at once (a retried deploy step, two operators) raced in the
 * catalog: each saw no control schema or target table, and all but one failed with PostgreSQL's 23505 from
 * {@code pg_namespace} or {@code pg_type}. Serialised, a later one finds what the first created, as a second run
 * does. A session lock, taken between transactions and polled rather than waited for: a session blocked in
 * {@code pg_advisory_lock} holds a snapshot, which the holder's {@code CREATE INDEX CONCURRENTLY} waits for, a deadlock.
 */
final class ExpandLock implements AutoCloseable {

    private static final String KEY = "dualwrite.expand";
    private static final long POLL_MILLIS = 100;

    private final Connection c;

    private ExpandLock(Connection c) {
        this.c = c;
    }

    /** Takes the lock on {@code c} (auto-commit), telling {@code waiting} once if another expand holds it. */
    static ExpandLock acquire(Connection c, Consumer<String> waiting) throws SQLException {
        boolean told = false;
        while (!tryLock(c)) {
            if (!told) {
                waiting.accept("waiting for another dualwrite expand in this database to finish");
                told = true;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for another expand", "57014", e);
            }
        }
        return new ExpandLock(c);
    }

    private static boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT pg_try_advisory_lock(hashtextextended(?, 0))")) {
            p.setString(1, KEY);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    @Override
    public void close() throws SQLException {
        if (c.isClosed()) {
            return; // the server released it with the session
        }
        try (PreparedStatement p = c.prepareStatement("SELECT pg_advisory_unlock(hashtextextended(?, 0))")) {
            p.setString(1, KEY);
            p.execute();
        }
    }
}
