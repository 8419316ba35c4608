package io.dualwrite.driver.runtime;

import io.dualwrite.control.PhaseLog;
import io.dualwrite.control.fleet.Fleet;
import org.postgresql.PGConnection;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Keeps one database's runtime in step with its control schema, on a dedicated connection and
 * thread: it LISTENs on {@link PhaseLog#CHANNEL}, so a phase change made anywhere (CLI, JMX
 * on another instance, auto-rollback) arrives within milliseconds; and it re-reads the control
 * schema at least every {@value #DEFAULT_POLL_MILLIS} ms (system property
 * {@code dualwrite.pollMillis}), which covers lost notifications. A dead connection (server restart,
 * terminated backend, network) fails the round; it reconnects with capped back-off, LISTENs again and
 * reads again. After each read it acknowledges, in {@code dualwrite.instance}, the phases this instance
 * applies; a complete round keeps the phases known ({@link PhaseFreshness}). It also picks up a
 * migration registered while the application runs ({@code dualwrite expand} on a live system). The
 * thread ends when the database has no open application connection and starts again with the next one.
 */
public final class PhaseFollower implements Runnable {

    static final long DEFAULT_POLL_MILLIS = 500;
    /** How the follower's connection shows in pg_stat_activity; gates count these sessions ({@link Fleet#lagging}). */
    public static final String APPLICATION_NAME = Fleet.FOLLOWER_APPLICATION_NAME;
    static final long POLL_MILLIS = Long.getLong("dualwrite.pollMillis", DEFAULT_POLL_MILLIS);

    /** Reconnect attempts: the first after ~100 ms, doubling up to this cap (or a quarter of the freshness bound). */
    static final long MAX_BACKOFF_MILLIS = 2_000;
    private static final long CONNECT_TIMEOUT_SECONDS = 5;

    private static final System.Logger LOG = System.getLogger("io.dualwrite.driver");

    private final DatabaseRuntime database;
    private final String instanceId;
    private final String host = hostName();
    private final long pid = ProcessHandle.current().pid();
    private Connection connection;
    private boolean failing;
    private boolean evidenceFailing;
    private final long backoffCapMillis;
    private final Backoff backoff;

    private PhaseFollower(DatabaseRuntime database) {
        this.database = database;
        this.instanceId = database.instanceId();
        this.backoffCapMillis = Math.min(MAX_BACKOFF_MILLIS, database.freshness().boundMillis() / 4);
        this.backoff = new Backoff(100, backoffCapMillis);
    }

    /** Starts the database's follower thread unless it runs. */
    static void ensureRunning(DatabaseRuntime database) {
        synchronized (database) {
            if (database.follower == null) {
                PhaseFollower follower = new PhaseFollower(database);
                database.follower = follower;
                Thread t = new Thread(follower, "dualwrite-follower " + database.displayUrl());
                t.setDaemon(true);
                t.start();
            }
        }
    }

    @Override
    public void run() {
        try {
            while (true) {
                synchronized (database) {
                    if (database.openConnections() == 0) {
                        database.follower = null; // a pool that closed, a test database dropped: rest
                        return;
                    }
                }
                followOnce();
            }
        } finally {
            flushEvidence(); // what the last connections ran
            closeQuietly();
        }
    }

    /**
     * One read of the control schema, one acknowledgement, then wait for a notification or the poll interval.
     * On a new connection it LISTENs before it reads: a change notified while no connection listened (the
     * server restarted, the backend was terminated) is then in the read, and every later one is notified.
     */
    private void followOnce() {
        PhaseFreshness freshness = database.freshness();
        try {
            if (connection == null || connection.isClosed()) {
                connection = PgConnect.connectWriting(database.pgUrl(), connectProperties());
                try (Statement s = connection.createStatement()) {
                    s.execute("LISTEN " + PhaseLog.CHANNEL);
                }
            }
            long roundStart = System.nanoTime();
            RuntimeRegistry.announce(database, database.refresh(connection));
            if (!database.migrations().isEmpty()) {
                PinWatch.check(connection, database);
                Fleet.heartbeat(connection, instanceId, host, pid, database.startedAt(), appliedJson());
            }
            freshness.followed(roundStart);
            backoff.reset();
            flushEvidence();
            if (failing) {
                LOG.log(System.Logger.Level.INFO, "dualwrite: following the control schema of " + database.displayUrl() + " again");
                failing = false;
            }
            // returns at once when a notification is queued, else after the poll interval; throws when the connection died
            connection.unwrap(PGConnection.class).getNotifications((int) POLL_MILLIS);
        } catch (SQLException | RuntimeException e) {
            if (!failing) {
                LOG.log(System.Logger.Level.WARNING, "dualwrite: cannot read the control schema of " + database.displayUrl()
                        + " (" + e + "); connections keep their current phases for " + freshness.boundMillis()
                        + " ms after the last read, and this reconnects with back-off up to " + backoffCapMillis + " ms");
                failing = true;
            }
            freshness.failed(e);
            closeQuietly();
            freshness.pause(backoff.next());
            if (database.openConnections() > 0) {
                freshness.observe(); // a follower about to rest (no connection left) has nothing to warn about
            }
        }
    }

    /**
     * The application's properties with the follower's name and timeouts: a half-open connection (a server
     * gone without a word) or a connect that hangs must fail, so that the follower tries again rather than
     * wait on a socket while the phase goes stale.
     */
    private Properties connectProperties() {
        Properties props = new Properties();
        props.putAll(database.connectProperties());
        props.setProperty("ApplicationName", APPLICATION_NAME);
        props.setProperty("connectTimeout", Long.toString(CONNECT_TIMEOUT_SECONDS));
        props.setProperty("socketTimeout", Long.toString(Fleet.STALE_AFTER.toSeconds()));
        return props;
    }

    /**
     * Writes the statement evidence counted since the last round; a failure is logged once (until a flush
     * succeeds again) and keeps the counts, and never stops the phase following or the heartbeats.
     */
    private void flushEvidence() {
        if (connection == null) {
            return;
        }
        try {
            database.evidence().flush(connection, instanceId);
            evidenceFailing = false;
        } catch (SQLException | RuntimeException e) {
            if (!evidenceFailing) {
                LOG.log(System.Logger.Level.WARNING, "dualwrite: cannot record statement evidence in " + database.displayUrl()
                        + " (" + e + "); the counts are kept and written again every " + POLL_MILLIS + " ms");
                evidenceFailing = true;
            }
        }
    }

    private String appliedJson() {
        StringBuilder json = new StringBuilder("{");
        for (MigrationRuntime m : database.migrations().runtimes()) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"').append(m.spec().name().replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\":\"").append(database.appliedPhase(m).name()).append('"');
        }
        return json.append('}').toString();
    }

    private void closeQuietly() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // the connection is broken anyway; the next round opens a new one
        }
        connection = null;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }
}
