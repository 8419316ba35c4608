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
 * {@code dualwrite.pollMillis}), which covers lost notifications and a killed or broken
 * connection (it reconnects). After each read it acknowledges, in {@code dualwrite.instance}, the
 * phases this instance applies. It also picks up a migration registered while the application
 * runs ({@code dualwrite expand} on a live system). The thread ends when the database has no
 * open application connection and starts again with the next one.
 */
public final class PhaseFollower implements Runnable {

    static final long DEFAULT_POLL_MILLIS = 500;
    /** How the follower's connection shows in pg_stat_activity. */
    public static final String APPLICATION_NAME = "dualwrite-follower";
    static final long POLL_MILLIS = Long.getLong("dualwrite.pollMillis", DEFAULT_POLL_MILLIS);

    private static final System.Logger LOG = System.getLogger("io.dualwrite.driver");

    private final DatabaseRuntime database;
    private final String instanceId;
    private final String host = hostName();
    private final long pid = ProcessHandle.current().pid();
    private Connection connection;
    private boolean failing;
    private boolean evidenceFailing;

    private PhaseFollower(DatabaseRuntime database) {
        this.database = database;
        this.instanceId = database.instanceId();
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

    /** One read of the control schema, one acknowledgement, then wait for a notification or the poll interval. */
    private void followOnce() {
        try {
            if (connection == null || connection.isClosed()) {
                Properties props = new Properties();
                props.putAll(database.connectProperties());
                props.setProperty("ApplicationName", APPLICATION_NAME);
                connection = PgConnect.connect(database.pgUrl(), props);
                try (Statement s = connection.createStatement()) {
                    s.execute("LISTEN " + PhaseLog.CHANNEL);
                }
            }
            RuntimeRegistry.announce(database, database.refresh(connection));
            if (!database.migrations().isEmpty()) {
                PinWatch.check(connection, database);
                Fleet.heartbeat(connection, instanceId, host, pid, database.startedAt(), appliedJson());
            }
            flushEvidence();
            if (failing) {
                LOG.log(System.Logger.Level.INFO, "dualwrite: following the control schema of " + database.displayUrl() + " again");
                failing = false;
            }
            // returns at once when a notification is queued, else after the poll interval
            connection.unwrap(PGConnection.class).getNotifications((int) POLL_MILLIS);
        } catch (SQLException | RuntimeException e) {
            if (!failing) {
                LOG.log(System.Logger.Level.WARNING, "dualwrite: cannot read the control schema of " + database.displayUrl()
                        + " (" + e + "); connections keep their current phases and this retries every " + POLL_MILLIS + " ms");
                failing = true;
            }
            closeQuietly();
            sleep();
        }
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

    private void sleep() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
