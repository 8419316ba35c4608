package io.dualwrite.migrator.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * How a long-running command rides out transient faults ({@link TransientFaults}): the work runs as an attempt on a
 * connection; when the attempt fails transiently, the connection is dropped, a new one is opened after a capped
 * exponential backoff with jitter (retried the same way while the server is down or starting up), and the next
 * attempt resumes from the command's checkpoint in the database. The line it logs says what happened and where the
 * work resumes ("connection lost (57P01 …), reconnected after 1.2 s, resuming after key 41000, retry 2").
 *
 * <p>It gives up, with the last fault as the cause, once faults have kept the work from progressing for
 * {@code retryFor}: the clock starts at a fault and starts again at a later fault only when the checkpoint moved in
 * between. So a command terminated now and then retries for ever, while a server that stays down, or a statement
 * that fails the same way on every attempt, ends the command after {@code retryFor}. The first connection is not
 * retried: a wrong URL or password fails at once.
 *
 * <p>Nothing here runs on the normal path but the attempt itself: no extra statement per batch.
 */
public final class Retry {

    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 10_000;

    /** The work: one attempt on {@code c}; {@code retried} is true from the second attempt on. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run(Connection c, boolean retried) throws SQLException;
    }

    /** Where the work stands, read from its checkpoint on a new connection ("after key 41000"): the progress measure. */
    @FunctionalInterface
    public interface Checkpoint {
        String read(Connection c) throws SQLException;
    }

    /** Thrown when faults kept the work from progressing for longer than allowed; the cause is the last fault. */
    public static final class GaveUpException extends SQLException {
        GaveUpException(String message, SQLException last) {
            super(message, last.getSQLState(), last);
        }
    }

    private final Duration retryFor;
    private final Consumer<String> log;

    /**
     * @param retryFor how long faults may keep the work from progressing before the command gives up
     *                 ({@link Duration#ZERO}: the first fault ends it)
     * @param log      receives one line per fault and reconnect
     */
    public Retry(Duration retryFor, Consumer<String> log) {
        if (retryFor == null || retryFor.isNegative()) {
            throw new IllegalArgumentException("the retry time must be 0 or more, got " + retryFor);
        }
        this.retryFor = retryFor;
        this.log = Objects.requireNonNull(log);
    }

    /** The first fault ends the work, as before retries existed (the Java API's default). */
    public static Retry never() {
        return new Retry(Duration.ZERO, line -> { });
    }

    public Duration retryFor() {
        return retryFor;
    }

    /**
     * Runs {@code attempt} on connections from {@code connect} until it succeeds, fails with a fatal error (thrown as
     * it is), or transient faults kept it from progressing for longer than {@link #retryFor}
     * ({@link GaveUpException}).
     */
    public <T> T run(ConnectionFactory connect, Checkpoint checkpoint, Attempt<T> attempt) throws SQLException {
        Connection c = connect.open();
        String lastPoint = null;
        long streakStart = 0;
        int retries = 0;
        while (true) {
            Exception fault;
            try (Connection attemptConnection = c) {
                return attempt.run(attemptConnection, retries > 0);
            } catch (SQLException | RuntimeException e) {
                if (TransientFaults.describe(e) == null) {
                    throw e;
                }
                fault = e;
            }
            long faultAt = System.nanoTime();
            retries++;
            Reconnected r = reconnect(connect, checkpoint, fault, faultAt, retries);
            c = r.connection;
            if (retries == 1 || !r.point.equals(lastPoint)) {
                streakStart = faultAt; // the last attempt moved the checkpoint: a new streak
            } else if (System.nanoTime() - streakStart > retryFor.toNanos()) {
                closeQuietly(c);
                throw gaveUp(fault, "made no progress for " + seconds(System.nanoTime() - streakStart) + " over " + retries
                        + " retries");
            }
            lastPoint = r.point;
            log.accept(String.format(Locale.ROOT, "%s (%s), reconnected after %s, resuming %s, retry %d",
                    kind(fault), TransientFaults.describe(fault), seconds(System.nanoTime() - faultAt), r.point, retries));
        }
    }

    private record Reconnected(Connection connection, String point) {
    }

    /** A new connection and the checkpoint read on it; retried with backoff until {@code retryFor} after the fault. */
    private Reconnected reconnect(ConnectionFactory connect, Checkpoint checkpoint, Exception fault, long faultAt, int retry)
            throws SQLException {
        Exception last = fault;
        for (int tries = 0; ; tries++) {
            long left = retryFor.toNanos() - (System.nanoTime() - faultAt);
            if (left <= 0) {
                throw gaveUp(last, retryFor.isZero() ? "retries are off"
                        : "could not reconnect within " + seconds(retryFor.toNanos()));
            }
            sleep(Math.min(backoffMillis(tries), left / 1_000_000), last);
            Connection c = null;
            try {
                c = connect.open();
                return new Reconnected(c, checkpoint.read(c));
            } catch (SQLException | RuntimeException e) {
                closeQuietly(c);
                if (TransientFaults.describe(e) == null) {
                    throw e;
                }
                if (tries % 5 == 4) {
                    log.accept(String.format(Locale.ROOT, "%s (%s), still reconnecting after %s (retry %d, %s)", kind(fault),
                            TransientFaults.describe(e), seconds(System.nanoTime() - faultAt), retry, "gives up "
                                    + seconds(retryFor.toNanos()) + " after the fault"));
                }
                last = e;
            }
        }
    }

    /** Capped exponential backoff with "equal jitter": half the step fixed, half random, so workers do not reconnect in step. */
    static long backoffMillis(int tries) {
        long step = Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(tries, 20));
        return step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
    }

    private GaveUpException gaveUp(Exception fault, String why) {
        SQLException last = fault instanceof SQLException s ? s
                : new SQLException(fault.getMessage(), sqlState(fault), fault);
        return new GaveUpException(kind(fault) + " (" + TransientFaults.describe(fault) + ") and gave up: " + why
                + " (--retry-for " + seconds(retryFor.toNanos()) + "). Everything committed so far is kept; run the same"
                + " command again when the database is back (it resumes from its checkpoint), or allow longer with --retry-for.",
                last);
    }

    private static String kind(Exception fault) {
        String d = TransientFaults.describe(fault);
        return d.startsWith("40") ? "transaction aborted" : d.startsWith("57P03") ? "server not accepting connections"
                : d.startsWith("55P03") ? "waiting" : "lost the connection";
    }

    private static String sqlState(Throwable t) {
        for (; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                return s.getSQLState();
            }
        }
        return "08006";
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    private static void sleep(long millis, Exception fault) throws SQLException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting to reconnect after: " + fault.getMessage(), "57014", e);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // a connection that failed to be useful: nothing to release on the server
            }
        }
    }
}
