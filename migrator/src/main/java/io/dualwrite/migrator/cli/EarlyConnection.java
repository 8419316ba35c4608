package io.dualwrite.migrator.cli;

import io.dualwrite.migrator.db.Connections;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The command's first connection, opened on a second thread while picocli builds its model and parses the arguments.
 * In a fresh JVM both take about 0.2–0.3 s, nearly all of it class loading and linking (PgJDBC's and java.net's; picocli's),
 * and the second core is idle then: a class-load timeline of {@code dualwrite status} showed ~0.2 s of its ~0.6 s in
 * the connect. The arguments are read here only as far as {@code --url}, {@code --user} and {@code --password} (with
 * {@code PGUSER} / {@code PGPASSWORD}, as {@link ConnectionOptions}); the command takes the connection only if it asks
 * for exactly those settings and the application name {@code dualwrite-<command>}, else it opens its own as before. A
 * failed attempt is the command's failure, reported as its own attempt would report it (not waited for twice).
 */
final class EarlyConnection {

    private static final AtomicReference<EarlyConnection> PENDING = new AtomicReference<>();

    private final String url;
    private final String user;
    private final String password;
    private final String applicationName;
    private final CompletableFuture<Connection> connection;

    private EarlyConnection(String url, String user, String password, String applicationName) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.applicationName = applicationName;
        this.connection = CompletableFuture.supplyAsync(() -> Connections.open(url, user, password, applicationName),
                runnable -> {
                    Thread t = new Thread(runnable, "dualwrite-early-connection");
                    t.setDaemon(true);
                    t.start();
                });
    }

    /**
     * Starts opening the connection {@code args} will ask for first, when they name a command and a URL; an earlier
     * one not taken is closed.
     */
    static void start(String[] args, Map<String, String> env) {
        EarlyConnection previous = PENDING.getAndSet(null);
        if (previous != null) {
            previous.connection.thenAccept(EarlyConnection::closeQuietly);
        }
        if (args.length == 0 || args[0].startsWith("-") || args[0].equals("help")) {
            return;
        }
        String url = null, user = env.get("PGUSER"), password = env.get("PGPASSWORD");
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h") || a.equals("--version") || a.equals("-V")) {
                return;
            }
            int eq = a.indexOf('=');
            String name = eq > 0 && a.startsWith("--") ? a.substring(0, eq) : a;
            String value = eq > 0 && a.startsWith("--") ? a.substring(eq + 1) : i + 1 < args.length ? args[i + 1] : null;
            switch (name) {
                case "--url" -> url = value;
                case "--user" -> user = value;
                case "--password" -> password = value;
                default -> {
                    continue;
                }
            }
            if (eq < 0) {
                i++;
            }
        }
        if (url != null) {
            PENDING.set(new EarlyConnection(url, user, password, "dualwrite-" + args[0]));
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // not ours to report: nobody used it
        }
    }

    /**
     * The early connection, once, when it was opened with these settings; null otherwise (then the caller opens its own).
     * Waits for it to be open: the caller would wait as long for its own; throws what the attempt threw.
     */
    static Connection take(String url, String user, String password, String applicationName) {
        EarlyConnection e = PENDING.get();
        if (e == null || !e.url.equals(url) || !Objects.equals(e.user, user) || !Objects.equals(e.password, password)
                || !e.applicationName.equals(applicationName) || !PENDING.compareAndSet(e, null)) {
            return null; // a backfill's workers open theirs concurrently: one of them gets it
        }
        try {
            Connection c = e.connection.get();
            return c.isClosed() ? null : c;
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException x) {
            // the command's own attempt, with the same settings, would fail the same way (after as long a wait)
            throw x.getCause() instanceof RuntimeException r ? r : new IllegalStateException(x.getCause());
        } catch (SQLException x) {
            return null;
        }
    }
}
