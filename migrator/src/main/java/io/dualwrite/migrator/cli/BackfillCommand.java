package io.dualwrite.migrator.cli;

import io.dualwrite.migrator.backfill.Backfill;
import io.dualwrite.migrator.backfill.BackfillCheckpoint;
import io.dualwrite.migrator.backfill.BackfillOptions;
import io.dualwrite.migrator.backfill.BackfillProgress;
import io.dualwrite.migrator.backfill.BackfillResult;
import io.dualwrite.migrator.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.util.Locale;

@Command(name = "backfill", mixinStandardHelpOptions = true,
        description = {"Copies the old column into the target table's primary rows, in keyset batches of --batch-size.",
                "Each batch is one READ COMMITTED transaction that locks its source rows (FOR NO KEY UPDATE), so no"
                        + " concurrent dual write interleaves, and advances dualwrite.backfill_checkpoint: a killed run"
                        + " resumes after the last committed batch. Requires phase DUAL_WRITE (or READ_NEW)."})
final class BackfillCommand extends BaseCommand {

    @Option(names = "--migration", required = true, paramLabel = "NAME", description = "The migration, e.g. users.email.")
    String migration;

    @Option(names = "--batch-size", paramLabel = "ROWS", defaultValue = "5000",
            description = "Source rows per batch (one transaction). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--max-batches", paramLabel = "N", defaultValue = "0",
            description = "Stop after N batches (0 = until done); run again to resume.")
    long maxBatches;

    @Option(names = "--restart", description = "Forget the checkpoint and start from the first key.")
    boolean restart;

    @Option(names = "--ack-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Wait this long for every live application instance to acknowledge DUAL_WRITE before the"
                    + " first batch, then refuse. Default: ${DEFAULT-VALUE}.")
    long ackTimeoutSeconds;

    @Override
    public Integer call() throws Exception {
        BackfillOptions options;
        try {
            options = new BackfillOptions(batchSize, maxBatches, restart, java.time.Duration.ofSeconds(ackTimeoutSeconds));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        try (Connection c = connection.open("dualwrite-backfill")) {
            long[] lastPrint = {System.nanoTime()};
            BackfillResult r = Backfill.run(c, migration, options, p -> {
                if (!json() && System.nanoTime() - lastPrint[0] >= 1_000_000_000L) {
                    lastPrint[0] = System.nanoTime();
                    print(p);
                }
            });
            BackfillCheckpoint cp = r.checkpoint();
            if (json()) {
                printJson(Json.obj("ok", true, "migration", migration, "outcome", r.outcome(),
                        "batchesThisRun", r.batchesThisRun(), "rowsScannedThisRun", r.rowsScannedThisRun(),
                        "rowsCopiedThisRun", r.rowsCopiedThisRun(), "rowsDeletedThisRun", r.rowsDeletedThisRun(),
                        "rowsPerSecond", r.rowsPerSecond(), "seconds", r.seconds(),
                        "checkpoint", Json.obj("lastKey", cp.lastKey(), "rowsCopied", cp.rowsCopied(), "batches", cp.batches(),
                                "totalRows", cp.totalRows(), "startedAt", cp.startedAt(), "updatedAt", cp.updatedAt(),
                                "completedAt", cp.completedAt())));
                return DualwriteCli.OK;
            }
            switch (r.outcome()) {
                case ALREADY_COMPLETE -> out().println("backfill of " + migration + " is already complete (since "
                        + cp.completedAt() + ": " + cp.rowsCopied() + " rows copied in " + cp.batches()
                        + " batches); nothing to do. --restart runs it again.");
                case PAUSED -> out().println(String.format(Locale.ROOT,
                        "backfill of %s paused after %d batches (--max-batches): %d rows scanned, %d copied this run,"
                                + " %.0f rows/s; checkpoint at key %s. Run the same command again to resume.",
                        migration, r.batchesThisRun(), r.rowsScannedThisRun(), r.rowsCopiedThisRun(), r.rowsPerSecond(),
                        cp.lastKey()));
                case COMPLETED -> out().println(String.format(Locale.ROOT,
                        "backfill of %s complete: %d rows scanned, %d copied, %d stale rows removed in %d batches this run"
                                + " (%.1f s, %.0f rows/s); %d rows copied in %d batches in all.%nnext: dualwrite parity --url %s"
                                + " --migration %s",
                        migration, r.rowsScannedThisRun(), r.rowsCopiedThisRun(), r.rowsDeletedThisRun(), r.batchesThisRun(),
                        r.seconds(), r.rowsPerSecond(), cp.rowsCopied(), cp.batches(), shellQuote(connection.displayUrl()),
                        migration));
            }
            return DualwriteCli.OK;
        }
    }

    private void print(BackfillProgress p) {
        out().println(String.format(Locale.ROOT, "  %,d / ~%,d rows (%.0f%%), %,d copied, batch %d, key %s, %.0f rows/s",
                p.rowsDone(), p.totalEstimate(), p.totalEstimate() == 0 ? 100.0 : 100.0 * p.rowsDone() / p.totalEstimate(),
                p.rowsCopied(), p.batches(), p.lastKey(), p.rowsPerSecond()));
        out().flush();
    }
}
