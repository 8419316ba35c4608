package io.dualwrite.migrator.db;

import io.dualwrite.control.Secrets;
import io.dualwrite.migrator.UsageException;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens plain PgJDBC connections for the migrator. The migrator never goes through the dualwrite
 * driver: its statements (backfill, parity) must reach PostgreSQL exactly as written.
 */
public final class Connections {

    private static final String PG_PREFIX = "jdbc:postgresql:";

    private Connections() {
    }

    /**
     * {@code jdbc:postgresql:…} as given; {@code jdbc:dualwrite:postgresql:…} (the application's URL)
     * loses its {@code dualwrite:}; anything else is a usage error saying what is expected.
     */
    private static String normalizeUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new UsageException("--url is required, e.g. --url jdbc:postgresql://localhost:5432/app");
        }
        String u = url.trim();
        if (u.startsWith("jdbc:dualwrite:postgresql:")) {
            u = "jdbc:" + u.substring("jdbc:dualwrite:".length());
        }
        if (!u.startsWith(PG_PREFIX)) {
            throw new UsageException("--url must be a PostgreSQL JDBC URL such as jdbc:postgresql://host:5432/database"
                    + " (the application's jdbc:dualwrite:postgresql://… URL is accepted too); got '" + Secrets.redact(url) + "'");
        }
        return u;
    }

    /**
     * Connects, with a clear {@link UsageException} (exit 2) when the server cannot be reached or
     * refuses the login.
     *
     * @param applicationName shown in pg_stat_activity, e.g. {@code dualwrite-backfill}
     */
    public static Connection open(String url, String user, String password, String applicationName) {
        return open(url, user, password, applicationName, new Properties());
    }

    /**
     * A logical replication connection ({@code replication=database}, simple query mode, as PgJDBC's
     * replication API requires) for a change feed.
     */
    public static Connection openReplication(String url, String user, String password, String applicationName) {
        Properties p = new Properties();
        p.setProperty("replication", "database");
        p.setProperty("assumeMinServerVersion", "9.4");
        p.setProperty("preferQueryMode", "simple");
        return open(url, user, password, applicationName, p);
    }

    private static Connection open(String url, String user, String password, String applicationName, Properties extra) {
        String u = normalizeUrl(url);
        Properties p = new Properties();
        p.putAll(extra);
        if (user != null && !user.isEmpty()) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", applicationName);
        p.setProperty("connectTimeout", "10");
        try {
            Connection c = new org.postgresql.Driver().connect(u, p);
            if (c == null) {
                throw new UsageException("PgJDBC does not accept the URL '" + Secrets.redact(u) + "'; expected jdbc:postgresql://host:5432/database");
            }
            return c;
        } catch (SQLException e) {
            throw new UsageException("could not connect to " + Secrets.redact(u) + ": " + e.getMessage()
                    + " (SQLState " + e.getSQLState() + "). Check --url, --user and --password (or PGUSER/PGPASSWORD),"
                    + " and that the server is running and reachable.", e);
        }
    }

    /** Whether a failure means the connection is gone (network, server shutdown, backend terminated). */
    public static boolean isConnectionLoss(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("57P"));
    }
}
