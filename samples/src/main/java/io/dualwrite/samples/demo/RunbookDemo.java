package io.dualwrite.samples.demo;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.samples.legacy.LegacyApp;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The whole runbook, end to end, on an embedded PostgreSQL 17 while a legacy application keeps
 * writing through {@code jdbc:dualwrite:postgresql://…}:
 * <ol>
 *   <li>{@code dualwrite expand}</li>
 *   <li>{@code dualwrite phase … DUAL_WRITE}</li>
 *   <li>{@code dualwrite backfill} while the app writes, then {@code dualwrite parity}</li>
 *   <li>{@code dualwrite phase … READ_NEW}, parity again, and a read through the driver that
 *       proves the value now comes from {@code email_address}</li>
 *   <li>to 8: {@link AfterTheDrop}: NEW_ONLY, the contract, the legacy SQL after the drop, and the
 *       rollback after the drop (reverse-sync, NEW_ONLY, READ_NEW)</li>
 * </ol>
 * Every step prints the command (exactly what a user would type), its output, the validation
 * with PASS/FAIL, and the rollback for that step. Exit code 0 only when the three parity gates
 * were 0, every validation passed and the application ran throughout without unexpected errors.
 */
public final class RunbookDemo extends DemoContext {

    /** Held strongly so its level sticks (java.util.logging keeps loggers only weakly). */
    private static final Logger DRIVER_LOG = Logger.getLogger("io.dualwrite.driver");
    private static final long PROBE_ID = -42;

    /** Knobs; defaults are the README's demo. */
    public record Options(int users, int threads, Duration dwell, int batchSize, long appSleepMicros) {
        public static Options defaults() {
            return new Options(100_000, 4, Duration.ofSeconds(5), 5000, 2000);
        }
    }

    /** What the demo found; {@link #success()} decides the exit code. */
    public record Result(int firstParityExit, int secondParityExit, int afterRollbackParityExit, boolean allValidationsPassed,
                         boolean appRanThroughout, long appOperations, long appUnexpectedErrors, List<String> failures) {
        public boolean success() {
            return firstParityExit == 0 && secondParityExit == 0 && afterRollbackParityExit == 0 && allValidationsPassed
                    && appRanThroughout && appUnexpectedErrors == 0;
        }
    }

    private RunbookDemo(Options options) {
        super(options);
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.defaults();
        int users = o.users();
        int threads = o.threads();
        long dwellMillis = o.dwell().toMillis();
        int batch = o.batchSize();
        long sleepMicros = o.appSleepMicros();
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            try {
                switch (args[i]) {
                    case "--users" -> { users = Integer.parseInt(Objects.requireNonNull(v)); i++; }
                    case "--threads" -> { threads = Integer.parseInt(Objects.requireNonNull(v)); i++; }
                    case "--dwell-seconds" -> { dwellMillis = (long) (Double.parseDouble(Objects.requireNonNull(v)) * 1000); i++; }
                    case "--batch-size" -> { batch = Integer.parseInt(Objects.requireNonNull(v)); i++; }
                    case "--app-sleep-micros" -> { sleepMicros = Long.parseLong(Objects.requireNonNull(v)); i++; }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            } catch (RuntimeException e) {
                System.err.println("error: " + e.getMessage());
                System.err.println("usage: java -jar dualwrite-demo.jar [--users 100000] [--threads 4] [--dwell-seconds 5]"
                        + " [--batch-size 5000] [--app-sleep-micros 2000]");
                System.exit(2);
            }
        }
        Result r = run(new Options(users, threads, Duration.ofMillis(dwellMillis), batch, sleepMicros));
        System.exit(r.success() ? 0 : 1);
    }

    /** Runs the demo on a fresh embedded PostgreSQL; prints as it goes. */
    public static Result run(Options options) throws Exception {
        return new RunbookDemo(options).runOnEmbedded();
    }

    private Result runOnEmbedded() throws Exception {
        long t0 = System.nanoTime();
        banner("dualwrite runbook demo: users.email -> email_address(user_id, address, is_primary)");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            pgUrl = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
            dwUrl = "jdbc:dualwrite:postgresql://localhost:" + pg.getPort() + "/postgres";
            try (Connection c = plain()) {
                System.out.println("embedded " + scalar(c, "SELECT version()"));
            }
            System.out.println("application JDBC URL: " + dwUrl + "   (the only change the legacy app gets)");
            System.out.println("operator JDBC URL:    " + pgUrl);
            seed();
            LegacyApp app = new LegacyApp(dwUrl, user, password, options.threads(), options.appSleepMicros());
            app.start();
            System.out.println("legacy app started: " + options.threads() + " threads inserting, updating (new address,"
                    + " NULL, lower(email)), deleting and reading users via HikariCP");
            Result result;
            try {
                int[] parity = walkRunbook(app);
                int afterRollback = new AfterTheDrop(this, app).walk();
                long before = app.totalOk();
                sleep(Duration.ofMillis(Math.min(2000, options.dwell().toMillis())));
                check("app still writing after READ_NEW", app.totalOk() > before && app.healthy(),
                        (app.totalOk() - before) + " operations since the switch");
                app.stop();
                banner("legacy app counters");
                System.out.print(app.report());
                long unexpected = app.unexpectedErrors();
                check("no unexpected application errors", unexpected == 0, unexpected + " unexpected");
                banner("final status");
                cli("status", "--url", pgUrl, "--user", user);
                boolean ranThroughout = app.crash() == null && !failures.contains(APP_STALLED);
                result = new Result(parity[0], parity[1], afterRollback, failures.isEmpty(), ranThroughout, app.totalOk(),
                        unexpected, List.copyOf(failures));
            } finally {
                app.stop();
            }
            banner(String.format(Locale.ROOT, "%s in %.1f s: parity gates %d/%d/%d (exit codes), app %,d operations, %d"
                            + " unexpected errors%s",
                    result.success() ? "DEMO PASSED" : "DEMO FAILED", (System.nanoTime() - t0) / 1e9,
                    result.firstParityExit(), result.secondParityExit(), result.afterRollbackParityExit(), result.appOperations(), result.appUnexpectedErrors(),
                    failures.isEmpty() ? "" : "; failed checks: " + failures));
            // The driver's phase follower ends within 500 ms of the pool closing; if the embedded server goes away
            // first, it would log one WARNING line about it.
            DRIVER_LOG.setLevel(Level.SEVERE);
            System.out.println("stopping the embedded PostgreSQL");
            return result;
        }
    }

    /** Steps 1-4. Returns the exit codes of the two parity gates. */
    private int[] walkRunbook(LegacyApp app) throws Exception {
        String[] conn = {"--url", pgUrl, "--user", user};
        int[] parity = {-1, -1};

        // ---------------------------------------------------------------- 1 expand
        step(1, "Create email_address (additive, no lock on users)");
        long ops = app.totalOk();
        int rc = cli(concat(new String[] {"expand"}, conn, new String[] {"--source", "users.email", "--key", "id",
                "--target", "email_address.address", "--target-key", "user_id", "--primary-flag", "is_primary"}));
        expectExit(rc, 0);
        try (Connection c = plain()) {
            boolean exists = "true".equals(scalar(c, "SELECT (to_regclass('public.email_address') IS NOT NULL)::text"));
            Phase phase = ControlSchema.require(c, MIGRATION).phase();
            check("table email_address exists", exists, "to_regclass('public.email_address') "
                    + (exists ? "found" : "missing"));
            check("migration " + MIGRATION + " in EXPANDED", phase == Phase.EXPANDED, "phase " + phase);
        }
        // the runbook's validation before DUAL_WRITE: the application's instance knows the migration (else it would learn
        // of it and of DUAL_WRITE together, and refuse a statement it prepared just before)
        awaitAck(Phase.EXPANDED);
        dwell(app, ops);
        rollback("DROP TABLE email_address;  -- nothing reads or writes it yet");

        // ---------------------------------------------------------------- 2 DUAL_WRITE
        step(2, "Switch the application to writing both (no deploy: the driver follows the control schema)");
        ops = app.totalOk();
        rc = cli(concat(new String[] {"phase"}, conn, new String[] {"--migration", MIGRATION, "DUAL_WRITE"}));
        expectExit(rc, 0);
        awaitAck(Phase.DUAL_WRITE);
        long mark = app.nextId();
        System.out.println("new signups from now on have id >= " + mark);
        awaitInsertsAbove(app, mark);
        dwell(app, ops);
        try (Connection c = plain(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT count(*), count(*) FILTER (WHERE u.email IS DISTINCT FROM e.address), count(e.user_id),"
                        + " min(u.id) FILTER (WHERE e.user_id IS NOT NULL)"
                        + " FROM users u LEFT JOIN email_address e ON e.user_id = u.id AND e.is_primary WHERE u.id >= " + mark)) {
            rs.next();
            long signups = rs.getLong(1);
            long bad = rs.getLong(2);
            long withRow = rs.getLong(3);
            long example = rs.getLong(4);
            check("new signups appear in both tables", signups > 0 && bad == 0 && withRow > 0, String.format(Locale.ROOT,
                    "%d users with id >= %d, %d of them with a primary email_address row, %d mismatching%s", signups, mark,
                    withRow, bad, withRow > 0 ? "; e.g. " + describe(c, example) : ""));
        }
        rollback("dualwrite phase --url " + pgUrl + " --migration " + MIGRATION + " EXPANDED");

        // ---------------------------------------------------------------- 3 backfill
        step(3, "Backfill existing rows in batches of " + options.batchSize() + " while the app keeps writing");
        ops = app.totalOk();
        rc = cli(concat(new String[] {"backfill"}, conn, new String[] {"--migration", MIGRATION, "--batch-size",
                String.valueOf(options.batchSize())}));
        expectExit(rc, 0);
        dwell(app, ops);
        System.out.println("validation: parity must be 0 (exit code 0)");
        parity[0] = cli(concat(new String[] {"parity"}, conn, new String[] {"--migration", MIGRATION}));
        check("parity = 0 after backfill under live writes", parity[0] == 0, "parity exit code " + parity[0]);
        rollback("re-run: dualwrite backfill --url " + pgUrl + " --migration " + MIGRATION
                + " --batch-size " + options.batchSize() + "   (idempotent, resumes from its checkpoint)");

        // ---------------------------------------------------------------- 4 READ_NEW
        step(4, "Flip reads to email_address (gate: backfill complete, every instance on DUAL_WRITE, parity 0)");
        ops = app.totalOk();
        rc = cli(concat(new String[] {"phase"}, conn, new String[] {"--migration", MIGRATION, "READ_NEW"}));
        expectExit(rc, 0);
        awaitAck(Phase.READ_NEW);
        dwell(app, ops);
        System.out.println("validation: parity again must be 0, and a read through the driver must return email_address");
        parity[1] = cli(concat(new String[] {"parity"}, conn, new String[] {"--migration", MIGRATION}));
        check("parity = 0 in READ_NEW", parity[1] == 0, "parity exit code " + parity[1]);
        proveReadNew();
        rollback("dualwrite phase --url " + pgUrl + " --migration " + MIGRATION + " DUAL_WRITE   (reads back to users.email,"
                + " instantly; writes stay dual)");
        return parity;
    }

    /**
     * Makes one probe user (an id the app never touches) whose two copies differ on purpose, reads it
     * through the driver, and checks the value is email_address's; then repairs it through the driver.
     */
    private void proveReadNew() throws SQLException {
        String oldValue = "probe-old@example.com";
        String newValue = "probe-new@example.com";
        try (Connection dw = dualwrite(); Connection pg = plain()) {
            try (PreparedStatement p = dw.prepareStatement("INSERT INTO users (id, name, email) VALUES (?, ?, ?)")) {
                p.setLong(1, PROBE_ID);
                p.setString(2, "read probe");
                p.setString(3, oldValue);
                p.executeUpdate();
            }
            // Only for this proof: change the new copy behind the driver's back, so the two tables disagree.
            try (PreparedStatement p = pg.prepareStatement(
                    "UPDATE email_address SET address = ? WHERE user_id = ? AND is_primary")) {
                p.setString(1, newValue);
                p.setLong(2, PROBE_ID);
                int n = p.executeUpdate();
                System.out.println("probe user " + PROBE_ID + " inserted through the driver (email " + oldValue
                        + "); then, for the proof only, email_address changed directly to " + newValue + " (" + n + " row)");
            }
            String viaDriver;
            try (PreparedStatement p = dw.prepareStatement("SELECT id, name, email FROM users WHERE id = ?")) {
                p.setLong(1, PROBE_ID);
                try (ResultSet rs = p.executeQuery()) {
                    viaDriver = rs.next() ? rs.getString("email") : "(no row)";
                }
            }
            String inUsers = scalarWithId(pg, "SELECT email FROM users WHERE id = ?", PROBE_ID);
            String inTarget = scalarWithId(pg, "SELECT address FROM email_address WHERE user_id = ? AND is_primary", PROBE_ID);
            System.out.println("  SELECT id, name, email FROM users WHERE id = " + PROBE_ID + "  via " + dwUrl + "  -> " + viaDriver);
            System.out.println("  users.email                 (plain PgJDBC)  -> " + inUsers);
            System.out.println("  email_address.address       (plain PgJDBC)  -> " + inTarget);
            check("read through the driver returns email_address's value", newValue.equals(viaDriver)
                    && newValue.equals(inTarget) && oldValue.equals(inUsers), "driver returned " + viaDriver);
            // Repair through the driver: a dual write makes both copies equal again, then remove the probe.
            try (PreparedStatement p = dw.prepareStatement("DELETE FROM users WHERE id = ?")) {
                p.setLong(1, PROBE_ID);
                p.executeUpdate();
            }
            String left = scalarWithId(pg, "SELECT count(*)::text FROM email_address WHERE user_id = ?", PROBE_ID);
            check("probe removed from both tables by one DELETE through the driver", "0".equals(left),
                    left + " email_address rows left");
        }
        System.out.println("parity after removing the probe:");
        int rc = cli("parity", "--url", pgUrl, "--user", user, "--migration", MIGRATION);
        check("parity = 0 after the probe", rc == 0, "parity exit code " + rc);
    }
}
