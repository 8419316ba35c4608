package io.dualwrite.migrator.cli;

import io.dualwrite.migrator.UsageException;
import io.dualwrite.migrator.contract.Contract;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.time.Duration;
import java.util.Locale;

@Command(name = "contract", mixinStandardHelpOptions = true,
        description = {"Drops the old column and sets phase CONTRACTED. Refused unless the phase is NEW_ONLY, every live"
                + " instance applies NEW_ONLY, --soak has passed since the phase changed, no statement the fleet sent within"
                + " --soak is untranslatable (dualwrite status --statements), and parity is 0. Takes the table lock with a"
                + " short lock_timeout and retries with backoff."})
final class ContractCommand extends BaseCommand {

    @Option(names = "--migration", required = true, paramLabel = "NAME", description = "The migration, e.g. users.email.")
    String migration;

    @Option(names = "--soak", defaultValue = "24h", paramLabel = "DURATION",
            description = "Minimum time in NEW_ONLY, and how far back the statement evidence counts (e.g. 24h, 90m, 30s, 0)."
                    + " Default: ${DEFAULT-VALUE}.")
    String soak;

    @Option(names = "--dry-run", description = "Check the gates and print the DDL without running it.")
    boolean dryRun;

    @Option(names = "--lock-timeout", defaultValue = "2s", paramLabel = "DURATION", description = "Default: ${DEFAULT-VALUE}.")
    String lockTimeout;

    @Option(names = "--attempts", defaultValue = "10", paramLabel = "N", description = "Lock attempts. Default: ${DEFAULT-VALUE}.")
    int attempts;

    @Override
    public Integer call() throws Exception {
        Contract.Options o = new Contract.Options(parseDuration(soak, "--soak"), dryRun, parseDuration(lockTimeout, "--lock-timeout"),
                Math.max(1, attempts), Runtime.getRuntime().availableProcessors());
        try (Connection c = connection.open("dualwrite-contract")) {
            Contract.Result r = Contract.run(c, () -> connection.open("dualwrite-contract"), migration, o,
                    m -> err().println(m));
            if (json()) {
                printJson(Json.obj("ok", true, "migration", migration, "executed", r.executed(), "ddl", r.ddl(),
                        "attempts", r.attempts()));
                return DualwriteCli.OK;
            }
            out().println(r.executed() ? "contracted " + migration + " (" + r.attempts() + " attempt(s)):" : "dry run: gates passed;"
                    + " contract would run, in one transaction:");
            for (String s : r.ddl()) {
                out().println("  " + s + ";");
            }
            return DualwriteCli.OK;
        }
    }

    static Duration parseDuration(String s, String option) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("0")) {
                return Duration.ZERO;
            }
            long n = Long.parseLong(t.substring(0, t.length() - (t.endsWith("ms") ? 2 : 1)));
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
            throw new UsageException(option + " must be a duration like 24h, 90m, 30s, 500ms or 0; got '" + s + "'");
        }
    }
}
