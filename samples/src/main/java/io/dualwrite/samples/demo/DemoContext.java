package io.dualwrite.samples.demo;

import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.migrator.cli.DualwriteCli;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.samples.legacy.LegacyApp;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What every step of the demo shares: the two URLs, the failed checks so far, and how a step prints its command,
 * its validations (PASS/FAIL) and its rollback.
 */
class DemoContext {

    static final String MIGRATION = "users.email";
    static final String APP_STALLED = "legacy app kept running";

    final RunbookDemo.Options options;
    final List<String> failures = new ArrayList<>();
    String pgUrl;
    String dwUrl;
    final String user = "postgres";
    final String password = "postgres";

    DemoContext(RunbookDemo.Options options) {
        this.options = options;
    }

    void seed() throws SQLException {
        long t = System.nanoTime();
        try (Connection c = plain(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text)");
            s.executeUpdate("INSERT INTO users (id, name, email) SELECT g, 'user ' || g,"
                    + " CASE WHEN g % 20 = 0 THEN NULL ELSE 'User' || g || '@Example.com' END"
                    + " FROM generate_series(1, " + options.users() + ") g");
            s.execute("ANALYZE users");
        }
        System.out.printf(Locale.ROOT, "created users(id bigint primary key, name text not null, email text) with %,d rows"
                + " (5%% NULL email) in %.1f s%n", options.users(), (System.nanoTime() - t) / 1e9);
    }

    Connection plain() throws SQLException {
        return DriverManager.getConnection(pgUrl, user, password);
    }

    Connection dualwrite() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return DriverManager.getConnection(dwUrl, p);
    }

    /** The subcommand {@link #cli} ran last: names the command in a failed exit-code check. */
    private static String lastCommand = "";

    /** Prints the command line as a user would type it, then runs it in-process. */
    static int cli(String... args) {
        StringBuilder line = new StringBuilder("$ dualwrite");
        for (String a : args) {
            line.append(' ').append(a.matches("[A-Za-z0-9_./:@=,+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        System.out.println(line);
        System.out.flush();
        lastCommand = args.length == 0 ? "" : args[0];
        int rc = DualwriteCli.execute(args);
        System.out.flush();
        System.err.flush();
        System.out.println("(exit " + rc + ")");
        return rc;
    }

    void expectExit(int rc, int expected) {
        check("dualwrite " + lastCommand + " exit code " + expected, rc == expected, "exit " + rc);
    }

    void awaitAck(Phase phase) throws SQLException {
        long t = System.nanoTime();
        try (Connection c = plain()) {
            List<String> lagging = Fleet.await(c, MIGRATION, Set.of(phase), Duration.ofSeconds(30), 1);
            check("every application instance applies " + phase, lagging.isEmpty(), lagging.isEmpty()
                    ? String.format(Locale.ROOT, "acknowledged after %.1f s", (System.nanoTime() - t) / 1e9)
                    : "lagging: " + lagging);
        }
    }

    void awaitInsertsAbove(LegacyApp app, long mark) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (app.lastCommittedInsert() < mark && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(50));
        }
    }

    /** Lets the app run for the dwell time in this phase and checks it made progress throughout. */
    void dwell(LegacyApp app, long opsAtStepStart) {
        sleep(options.dwell());
        long done = app.totalOk() - opsAtStepStart;
        boolean ok = done > 0 && app.healthy();
        System.out.printf(Locale.ROOT, "app: %,d operations ok during this step, errors so far %s%n", done, app.errors());
        if (!ok) {
            failures.add(APP_STALLED);
            System.out.println("  FAIL  legacy app kept running" + (app.crash() != null ? ": " + app.crash() : ""));
        }
    }

    void check(String what, boolean passed, String detail) {
        System.out.println("  " + (passed ? "PASS" : "FAIL") + "  " + what + (detail == null ? "" : ": " + detail));
        if (!passed) {
            failures.add(detail == null ? what : what + " (" + detail + ")"); // a CI log often keeps only this list
        }
    }

    static void step(int n, String title) {
        System.out.println();
        System.out.println("=== step " + n + ": " + title);
    }

    static void rollback(String how) {
        System.out.println("rollback for this step: " + how);
    }

    static void banner(String text) {
        System.out.println();
        System.out.println("=== " + text);
    }

    static String describe(Connection c, long id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT u.email, e.address FROM users u JOIN email_address e"
                + " ON e.user_id = u.id AND e.is_primary WHERE u.id = ?")) {
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? "user " + id + ": users.email=" + rs.getString(1) + ", email_address.address="
                        + rs.getString(2) : "user " + id + " gone";
            }
        }
    }

    static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static String scalarWithId(Connection c, String sql, long id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    static String[] concat(String[]... parts) {
        List<String> all = new ArrayList<>();
        for (String[] p : parts) {
            all.addAll(List.of(p));
        }
        return all.toArray(String[]::new);
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
