package io.dualwrite.migrator.cli;

import io.dualwrite.control.Secrets;
import io.dualwrite.migrator.db.Connections;
import picocli.CommandLine.Option;

import java.sql.Connection;

/** --url, --user, --password (PGUSER / PGPASSWORD when absent) and --json, shared by every command. */
public final class ConnectionOptions {

    @Option(names = "--url", required = true, paramLabel = "URL",
            description = "PostgreSQL JDBC URL, e.g. jdbc:postgresql://localhost:5432/app (the application's"
                    + " jdbc:dualwrite:postgresql://… URL is accepted too).")
    String url;

    @Option(names = "--user", paramLabel = "USER", description = "Database user (default: $PGUSER, else the URL's).")
    String user;

    @Option(names = "--password", paramLabel = "PASSWORD", description = "Password (default: $PGPASSWORD, else the URL's).")
    String password;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of text.")
    boolean json;

    Connection open(String applicationName) {
        String u = user != null ? user : System.getenv("PGUSER");
        String p = password != null ? password : System.getenv("PGPASSWORD");
        Connection early = EarlyConnection.take(url, u, p, applicationName);
        return early != null ? early : Connections.open(url, u, p, applicationName);
    }

    /** A logical replication connection (replication=database) for the watch's change feed. */
    Connection openReplication(String applicationName) {
        String u = user != null ? user : System.getenv("PGUSER");
        String p = password != null ? password : System.getenv("PGPASSWORD");
        return Connections.openReplication(url, u, p, applicationName);
    }

    /** The URL as the user may retype it, a password in it masked (never contains the --password). */
    String displayUrl() {
        return Secrets.redact(url);
    }
}
