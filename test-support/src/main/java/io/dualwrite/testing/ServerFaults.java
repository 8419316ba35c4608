package io.dualwrite.testing;

import io.zonky.test.db.postgres.util.LinuxUtils;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The faults a production database inflicts on its clients, on the test server: backends terminated by
 * an operator or {@code idle_session_timeout} ({@link #terminateBackends}), and a server restart on the
 * same port and data directory ({@link #restart}), which clients see as {@code 57P01}, then refused
 * connections or {@code 57P03} until the server accepts connections again.
 *
 * <p>A restart ends every connection to the server, also those of other databases: the tests of one JVM
 * run one at a time, so only the calling test sees it. {@link #restart} always tries to start the server
 * again, also when stopping it failed, so a failing test does not leave the server down for the next.
 */
public final class ServerFaults {

    private static final long TIMEOUT_SECONDS = 120;

    private final PostgresServer server;
    private final TestDatabase db;

    private ServerFaults(PostgresServer server, TestDatabase db) {
        this.server = server;
        this.db = db;
    }

    /** Faults on the server that holds {@code db}. */
    public static ServerFaults of(TestDatabase db) {
        return new ServerFaults(db.server(), db);
    }

    /**
     * Terminates ({@code pg_terminate_backend}) every backend of this database whose
     * {@code application_name} is {@code LIKE applicationNamePattern}, except the caller's own.
     *
     * @return how many backends were terminated
     */
    public int terminateBackends(String applicationNamePattern) {
        String sql = "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND application_name LIKE ? AND pid <> pg_backend_pid()";
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, applicationNamePattern);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not terminate the backends named like '" + applicationNamePattern + "'", e);
        }
    }

    /** Restarts the server at once: {@code restart(Duration.ZERO)}. */
    public void restart() {
        restart(Duration.ZERO);
    }

    /**
     * Stops the server ({@code pg_ctl stop -m fast}: every session is terminated with {@code 57P01}), keeps it
     * down for {@code down}, and starts it again on the same port and data directory with the same options
     * (those the postmaster recorded in {@code postmaster.opts}); returns once it accepts connections.
     *
     * @throws TestAbortedException when the server is not one this process can restart (an existing server or
     *         a container instead of the embedded one): the test is skipped, not failed
     */
    public void restart(Duration down) {
        Path pgCtl;
        Path dataDirectory;
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            pgCtl = Path.of(single(s, "SELECT setting FROM pg_config WHERE name = 'BINDIR'"), "pg_ctl");
            dataDirectory = Path.of(single(s, "SHOW data_directory"));
        } catch (SQLException e) {
            throw new IllegalStateException("could not ask " + server.description() + " where it runs from", e);
        }
        if (!Files.isExecutable(pgCtl) || !Files.isReadable(dataDirectory.resolve("postmaster.opts"))) {
            throw new TestAbortedException("restarting needs a server this process started (the embedded one), not "
                    + server.description());
        }
        try {
            pgCtl(pgCtl, dataDirectory, "stop", "-m", "fast");
            Thread.sleep(down.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // restart of a stopped server starts it with the options in postmaster.opts: same port, same settings
            pgCtl(pgCtl, dataDirectory, "restart", "-m", "fast");
        }
    }

    private static String single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void pgCtl(Path pgCtl, Path dataDirectory, String... action) {
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            // as the embedded server runs its binaries: pg_ctl refuses to run as root, a user namespace makes it nobody
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(List.of(pgCtl.toString(), "-D", dataDirectory.toString(), "-w", "-t", String.valueOf(TIMEOUT_SECONDS),
                "-l", dataDirectory.resolve("restarted.log").toString()));
        command.addAll(List.of(action));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(TIMEOUT_SECONDS + 10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }
}
