package io.dualwrite.driver.runtime;

import io.dualwrite.driver.control.ControlSchema;
import io.dualwrite.driver.jmx.MigrationControl;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one database's runtime in step with its control schema: every
 * {@value #DEFAULT_POLL_MILLIS} ms (system property {@code dualwrite.pollMillis}) it reloads the
 * migrations and phases on a dedicated connection, so a change made by the CLI or by another
 * instance reaches connections that are already open, and then acknowledges the phases it
 * applies in {@code dualwrite.instance}. It also picks up a migration registered while the
 * application runs ({@code dualwrite expand} on a live system).
 */
final class PhaseFollower implements Runnable {

    static final long DEFAULT_POLL_MILLIS = 1000;
    static final long POLL_MILLIS = Long.getLong("dualwrite.pollMillis", DEFAULT_POLL_MILLIS);

    private static final System.Logger LOG = System.getLogger("io.dualwrite.driver");
    private static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dualwrite-phase-follower");
        t.setDaemon(true);
        return t;
    });

    private final DatabaseRuntime database;
    private final String instanceId = UUID.randomUUID().toString();
    private final String host = hostName();
    private final long pid = ProcessHandle.current().pid();
    private final Instant startedAt = Instant.now();
    private Connection connection;
    private boolean failing;

    private PhaseFollower(DatabaseRuntime database) {
        this.database = database;
    }

    static void start(DatabaseRuntime database) {
        SCHEDULER.scheduleWithFixedDelay(new PhaseFollower(database), POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        if (database.openConnections() == 0) {
            closeQuietly(); // nothing to keep in step (a pool that closed, a test database dropped)
            return;
        }
        try {
            if (connection == null || connection.isClosed()) {
                connection = new org.postgresql.Driver().connect(database.pgUrl(), database.connectProperties());
            }
            for (MigrationRuntime created : database.refresh(connection)) {
                MigrationControl.register(database, created);
            }
            if (!database.migrations().isEmpty()) {
                ControlSchema.heartbeat(connection, instanceId, host, pid, startedAt, appliedJson());
            }
            if (failing) {
                LOG.log(System.Logger.Level.INFO, "dualwrite: following the control schema of {0} again", database.pgUrl());
                failing = false;
            }
        } catch (SQLException | RuntimeException e) {
            if (!failing) {
                LOG.log(System.Logger.Level.WARNING, "dualwrite: cannot read the control schema of " + database.pgUrl()
                        + " (" + e + "); connections keep their current phases and this retries every " + POLL_MILLIS + " ms");
                failing = true;
            }
            closeQuietly();
        }
    }

    private String appliedJson() {
        StringBuilder json = new StringBuilder("{");
        for (MigrationRuntime m : database.migrations().runtimes()) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"').append(m.spec().name().replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\":\"").append(m.phase().name()).append('"');
        }
        return json.append('}').toString();
    }

    private void closeQuietly() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // the connection is broken anyway; the next run opens a new one
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
