package io.dualwrite.migrator.cli;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.migrator.UsageException;
import io.dualwrite.migrator.contract.ColumnDependents;
import io.dualwrite.migrator.contract.Contract;
import io.dualwrite.rewriter.Phase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;

@Command(name = "contract", mixinStandardHelpOptions = true,
        description = {"Drops the old column and sets phase CONTRACTED. Refused unless the phase is NEW_ONLY and the move's"
                + " gates hold: --soak has passed since the phase changed, every live instance"
                + " applies NEW_ONLY, no statement seen within the soak window is untranslatable, each unique index and CHECK"
                + " on the column still has its twin on the new table (phase NEW_ONLY built them). Records the table's columns"
                + " (the driver keeps SELECT * in that order; reverse-sync re-adds the column from them). Takes the table lock"
                + " with a short lock_timeout and retries with backoff. Refused while other objects depend on the column"
                + " (views, triggers, policies, foreign keys): it never drops them. --dry-run prints every gate's verdict,"
                + " those objects, the ones dropped with the column, and the DDL (exit 1 when a gate does not hold)."})
final class ContractCommand extends BaseCommand {

    @Option(names = "--migration", required = true, paramLabel = "NAME", description = "The migration, e.g. users.email.")
    String migration;

    @Option(names = "--soak", defaultValue = "24h", paramLabel = "DURATION",
            description = "Minimum time in NEW_ONLY, and how far back the statement evidence counts (e.g. 24h, 90m, 30s, 0)."
                    + " Default: ${DEFAULT-VALUE}.")
    String soak;

    @Option(names = "--dry-run", description = "Check the gates and print the DDL without running it.")
    boolean dryRun;

    @Option(names = "--lock-timeout", defaultValue = "2s", paramLabel = "DURATION",
            description = "How long each attempt waits for the table lock (more than 0). Default: ${DEFAULT-VALUE}.")
    String lockTimeout;

    @Option(names = "--attempts", defaultValue = "10", paramLabel = "N", description = "Lock attempts. Default: ${DEFAULT-VALUE}.")
    int attempts;

    @Mixin
    RetryOptions retries;

    @Override
    public Integer call() throws Exception {
        Contract.Options o = new Contract.Options(parseDuration(soak, "--soak"), dryRun, lockTimeout(lockTimeout),
                atLeastOne(attempts, "--attempts"));
        if (!dryRun && alreadyContracted()) {
            // a second run (after one whose acknowledgement was lost, or in a script) finds the work done, as expand does
            if (json()) {
                printJson(Json.obj("ok", true, "migration", migration, "executed", false, "alreadyContracted", true));
            } else {
                out().println("already contracted: " + migration + " is in CONTRACTED, its old column dropped; nothing to do"
                        + " (reverse-sync re-adds the column)");
            }
            return DualwriteCli.OK;
        }
        Contract.Result r = Contract.run(() -> connection.open("dualwrite-contract"), migration, o, m -> err().println(m),
                retries.retry(this::progressLine));
        boolean ok = r.executed() || r.gatesHold();
        if (json()) {
            printJson(Json.obj("ok", ok, "migration", migration, "executed", r.executed(), "ddl", r.ddl(),
                    "attempts", r.attempts(), "dependents", r.dependents().blocking(),
                    "droppedWithColumn", r.dependents().droppedWithColumn(),
                    "triggersNamingColumn", r.dependents().triggersNaming(),
                    "functionsNamingColumn", r.dependents().functionsNaming(), "gates", r.gates().stream().map(g -> Json.obj("gate", g.gate().name(),
                            "holds", g.holds(), "detail", g.detail())).toList()));
            return ok ? DualwriteCli.OK : DualwriteCli.CHECK_FAILED;
        }
        if (!r.executed()) {
            out().println("dry run: contract checks these gates (now):");
            for (Contract.Verdict g : r.gates()) {
                out().println("  [" + (g.holds() ? "ok" : "NOT MET") + "] " + g.gate().meaning()
                        + (g.detail() == null ? "" : (g.holds() ? " (" + g.detail() + ")" : ": " + g.detail())));
            }
            ColumnDependents d = r.dependents();
            out().println("  [" + (d.blocking().isEmpty() ? "ok" : "NOT MET") + "] nothing else in the database depends on the"
                    + " column" + (d.blocking().isEmpty() ? "" : ": " + String.join("; ", d.blocking()) + " (recreate them on the"
                    + " new table, or drop them: contract never drops objects of yours)"));
            if (!d.triggersNaming().isEmpty()) {
                out().println("  [check] the code of " + String.join("; ", d.triggersNaming()) + " names the column: if it"
                        + " reads it, it fails once the column is gone");
            }
            if (!d.functionsNaming().isEmpty()) {
                out().println("  [check] the code of " + String.join("; ", d.functionsNaming()) + " names the table and the"
                        + " column: if it reads the column, a call fails once the column is gone (the driver translates the"
                        + " application's statements, not code stored in the database)");
            }
            if (!d.droppedWithColumn().isEmpty()) {
                out().println("  dropped with the column: " + String.join("; ", d.droppedWithColumn()));
            }
            out().println((r.gatesHold() ? "gates pass; contract would run" : "contract would refuse; when the gates pass it"
                    + " runs") + ", in one transaction:");
        } else {
            out().println("contracted " + migration + " (" + r.attempts() + " attempt(s)):");
        }
        for (String s : r.ddl()) {
            out().println("  " + s + (s.startsWith("--") ? "" : ";"));
        }
        return ok ? DualwriteCli.OK : DualwriteCli.CHECK_FAILED;
    }

    private boolean alreadyContracted() throws SQLException {
        try (Connection c = connection.open("dualwrite-contract")) {
            return ControlSchema.require(c, migration).phase() == Phase.CONTRACTED;
        }
    }

    /** {@code --lock-timeout}: more than 0, since PostgreSQL's {@code lock_timeout = 0} waits without end. */
    static Duration lockTimeout(String s) {
        Duration d = parseDuration(s, "--lock-timeout");
        if (d.isZero()) {
            throw new UsageException("--lock-timeout must be more than 0 (PostgreSQL's lock_timeout 0 would wait for the"
                    + " table lock without end, holding up the application's statements queued behind it); give e.g. 2s");
        }
        return d;
    }

    /** A count option that must be 1 or more. */
    static int atLeastOne(int n, String option) {
        if (n < 1) {
            throw new UsageException(option + " must be 1 or more; got " + n);
        }
        return n;
    }

    static Duration parseDuration(String s, String option) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("0")) {
                return Duration.ZERO;
            }
            long n = Long.parseLong(t.substring(0, t.length() - (t.endsWith("ms") ? 2 : 1)));
            if (n < 0) {
                throw new NumberFormatException();
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(n);
            }
            return switch (t.charAt(t.length() - 1)) {
                case 'd' -> Duration.ofDays(n);
                case 'h' -> Duration.ofHours(n);
                case 'm' -> Duration.ofMinutes(n);
                case 's' -> Duration.ofSeconds(n);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw new UsageException(option + " must be a duration like 24h, 90m, 30s, 500ms or 0 (not negative); got '" + s + "'");
        }
    }
}
