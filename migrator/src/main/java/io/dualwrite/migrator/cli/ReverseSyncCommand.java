package io.dualwrite.migrator.cli;

import io.dualwrite.migrator.contract.ReverseSync;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.util.Locale;

@Command(name = "reverse-sync", mixinStandardHelpOptions = true,
        description = {"Rolls back from NEW_ONLY: copies the primary target values into the old column (keyset batches,"
                + " source rows FOR NO KEY UPDATE, target rows FOR SHARE), then checks parity. Refused unless the phase is"
                + " NEW_ONLY; this driver version cannot apply NEW_ONLY yet, so today it always refuses."})
final class ReverseSyncCommand extends BaseCommand {

    @Option(names = "--migration", required = true, paramLabel = "NAME", description = "The migration, e.g. users.email.")
    String migration;

    @Option(names = "--batch-size", defaultValue = "5000", paramLabel = "ROWS", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        try (Connection c = connection.open("dualwrite-reverse-sync")) {
            ReverseSync.Result r = ReverseSync.run(c, () -> connection.open("dualwrite-reverse-sync"), migration, Math.max(1, batchSize));
            int code = r.parity().clean() ? DualwriteCli.OK : DualwriteCli.CHECK_FAILED;
            if (json()) {
                printJson(Json.obj("ok", r.parity().clean(), "migration", migration, "batches", r.batches(), "rowsScanned",
                        r.rowsScanned(), "rowsUpdated", r.rowsUpdated(), "parityMismatches", r.parity().mismatches(),
                        "seconds", r.seconds()));
                return code;
            }
            out().println(String.format(Locale.ROOT, "reverse-sync of %s: %,d rows scanned, %,d old values rewritten in %d batches"
                    + " (%.1f s); parity %d mismatches", migration, r.rowsScanned(), r.rowsUpdated(), r.batches(), r.seconds(),
                    r.parity().mismatches()));
            return code;
        }
    }
}
