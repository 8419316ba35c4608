package io.dualwrite.migrator.cli;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.migrator.backfill.Backfill;
import io.dualwrite.migrator.backfill.BackfillCheckpoint;
import io.dualwrite.migrator.backfill.BackfillControl;
import io.dualwrite.migrator.backfill.BackfillOptions;
import io.dualwrite.migrator.backfill.BackfillProgress;
import io.dualwrite.migrator.backfill.BackfillResult;
import io.dualwrite.migrator.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

@Command(name = "backfill", mixinStandardHelpOptions = true,
        description = {"Copies the old column into the target table's primary rows while the application dual-writes.",
                "The table's heap pages are split into one range per worker (--workers); each worker copies its range in"
                        + " batches of pages sized to --target-batch-ms. A batch is one READ COMMITTED transaction that"
                        + " copies its rows with COPY, without row locks: application writes never wait for the source rows,"
                        + " and a write to a key the batch copied waits at most for that batch. A batch that meets a key a"
                        + " dual write already wrote is redone with INSERT ... ON CONFLICT DO NOTHING; one that a delete may"
                        + " have raced rechecks its own copies. When every range is done, a catch-up pass copies the rows an"
                        + " UPDATE moved behind the scan. When the sync trigger has no delete probe (a value type without a"
                        + " placeholder, or a target column with its own unique index, check or trigger), batches lock their"
                        + " source rows (FOR NO KEY UPDATE) instead.",
                "Each batch advances its range's row in dualwrite.backfill_range in the same transaction: a killed run"
                        + " resumes at the next page. Requires phase DUAL_WRITE (or READ_NEW), acknowledged by every live"
                        + " application instance (--ack-timeout)."})
final class BackfillCommand extends BaseCommand {

    @Option(names = "--migration", required = true, paramLabel = "NAME", description = "The migration, e.g. users.email.")
    String migration;

    @Option(names = "--batch-size", paramLabel = "ROWS",
            description = "A fixed batch size (source rows per transaction). Default: adaptive, starting at 1000 and sized"
                    + " to --target-batch-ms.")
    Integer batchSize;

    @Option(names = "--workers", paramLabel = "N",
            description = "Parallel workers, each over its own page range with its own connection and checkpoint row."
                    + " Default: the number of cores.")
    Integer workers;

    @Option(names = "--target-batch-ms", paramLabel = "MS", defaultValue = "200",
            description = "Adaptive batch size aims at this batch time (a dual write of a key the batch copied waits up to one"
                    + " batch). Default: ${DEFAULT-VALUE}.")
    long targetBatchMs;

    @Option(names = "--min-batch", paramLabel = "ROWS", defaultValue = "100", description = "Default: ${DEFAULT-VALUE}.")
    int minBatch;

    @Option(names = "--max-batch", paramLabel = "ROWS", defaultValue = "200000", description = "Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(names = "--max-replica-lag", paramLabel = "SECONDS",
            description = "Pause between batches while a replica's pg_stat_replication.replay_lag exceeds this.")
    Double maxReplicaLagSeconds;

    @Option(names = "--throttle-query", paramLabel = "SQL",
            description = "Pause between batches while this query returns true, e.g. 'SELECT count(*) > 50 FROM pg_stat_activity'.")
    String throttleQuery;

    @Option(names = "--max-batches", paramLabel = "N", defaultValue = "0",
            description = "Stop after N batches over all workers (0 = until done); run again to resume.")
    long maxBatches;

    @Option(names = "--restart", description = "Forget the checkpoints and start from the first page (copies are idempotent).")
    boolean restart;

    @Option(names = "--ack-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Wait this long for every live application instance to acknowledge DUAL_WRITE before the"
                    + " first batch, then refuse. Default: ${DEFAULT-VALUE}.")
    long ackTimeoutSeconds;

    @Mixin
    RetryOptions retries;

    @Option(names = "--pause", description = "Live control: pause the running backfill of --migration after its current batch.")
    boolean pause;

    @Option(names = "--resume", description = "Live control: resume a paused backfill. When no backfill process is running"
            + " (it was killed, or stopped by --max-batches), runs one here, from the checkpoint.")
    boolean resume;

    @Option(names = "--set-batch-size", paramLabel = "ROWS",
            description = "Live control: the running backfill uses this fixed batch size from its next batch (0 = adaptive again).")
    Integer setBatchSize;

    @Override
    public Integer call() throws Exception {
        if ((pause || resume || setBatchSize != null) && !control()) {
            return DualwriteCli.OK;
        }
        if (maxReplicaLagSeconds != null && !(maxReplicaLagSeconds >= 0)) {
            // a negative lag would hold every batch: replay_lag is never below it
            throw new UsageException("--max-replica-lag must be 0 or more seconds; got " + maxReplicaLagSeconds);
        }
        if (ackTimeoutSeconds < 0 || ackTimeoutSeconds > Duration.ofDays(1).toSeconds()) {
            throw new UsageException("--ack-timeout must be between 0 and 86400 seconds; got " + ackTimeoutSeconds);
        }
        BackfillOptions options;
        try {
            int w = workers != null ? workers : Runtime.getRuntime().availableProcessors();
            options = new BackfillOptions(batchSize != null ? batchSize : 1000, maxBatches, restart,
                    Duration.ofSeconds(ackTimeoutSeconds), w, batchSize == null, targetBatchMs, minBatch, maxBatch,
                    maxReplicaLagSeconds == null ? null : Duration.ofMillis((long) (maxReplicaLagSeconds * 1000)),
                    throttleQuery);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        boolean bar = System.console() != null && !json();
        long[] lastPrint = {System.nanoTime()};
        BackfillResult r = Backfill.run(() -> connection.open("dualwrite-backfill"), migration, options, p -> {
            long interval = bar ? 200_000_000L : 1_000_000_000L;
            if (!json() && System.nanoTime() - lastPrint[0] >= interval) {
                lastPrint[0] = System.nanoTime();
                print(p, bar);
            }
        }, retries.retry(line -> {
            if (bar) {
                out().println(); // off the progress bar's line
            }
            progressLine(line);
        }));
        if (bar) {
            out().println();
        }
        BackfillCheckpoint cp = r.checkpoint();
        if (json()) {
            printJson(Json.obj("ok", true, "migration", migration, "outcome", r.outcome(),
                    "batchesThisRun", r.batchesThisRun(), "rowsScannedThisRun", r.rowsScannedThisRun(),
                    "rowsCopiedThisRun", r.rowsCopiedThisRun(), "rowsCaughtUpThisRun", r.rowsCaughtUpThisRun(), "rowsCorrectedThisRun", r.rowsCorrectedThisRun(),
                    "batchesRedone", r.batchesRedone(), "batchesRechecked", r.batchesRechecked(),
                    "rowsPerSecond", r.rowsPerSecond(), "seconds", r.seconds(),
                    "checkpoint", Json.obj("rowsCopied", cp.rowsCopied(), "batches", cp.batches(),
                            "totalRows", cp.totalRows(), "startedAt", cp.startedAt(), "updatedAt", cp.updatedAt(),
                            "completedAt", cp.completedAt())));
            return DualwriteCli.OK;
        }
        String at = "checkpoints per page range in dualwrite.backfill_range";
        switch (r.outcome()) {
            case ALREADY_COMPLETE -> out().println("backfill of " + migration + " is already complete (since "
                    + cp.completedAt() + ": " + cp.rowsCopied() + " rows copied in " + cp.batches()
                    + " batches); nothing to do. --restart runs it again.");
            case PAUSED -> out().println(String.format(Locale.ROOT,
                    "backfill of %s paused after %d batches (--max-batches): %d rows scanned, %d copied this run,"
                            + " %.0f rows/s; %s. Run the same command again to resume.",
                    migration, r.batchesThisRun(), r.rowsScannedThisRun(), r.rowsCopiedThisRun(), r.rowsPerSecond(), at));
            case COMPLETED -> out().println(String.format(Locale.ROOT,
                    "backfill of %s complete: %d rows scanned, %d copied (%d by the catch-up pass), %d copies corrected after racing a delete,"
                            + " in %d batches this run (%d redone after meeting a dual write, %d rechecked; %.1f s,"
                            + " %.0f rows/s); %d rows copied in %d batches in all.%nnext: %s",
                    migration, r.rowsScannedThisRun(), r.rowsCopiedThisRun(), r.rowsCaughtUpThisRun(), r.rowsCorrectedThisRun(),
                    r.batchesThisRun(),
                    r.batchesRedone(), r.batchesRechecked(), r.seconds(), r.rowsPerSecond(), cp.rowsCopied(), cp.batches(),
                    dualwrite("parity", migration)));
        }
        return DualwriteCli.OK;
    }

    /**
     * Applies --pause, --resume, --set-batch-size. True when this command is to run the backfill itself: --resume found
     * work left at the checkpoint and no backfill process to do it (a pause only holds a live one; a killed one is gone,
     * and its checkpoint waits for a run).
     */
    private boolean control() throws Exception {
        if (pause && resume) {
            throw new UsageException("--pause and --resume exclude each other");
        }
        try (Connection c = connection.open("dualwrite-backfill-control")) {
            ControlSchema.require(c, migration);
            String by = "cli@" + hostname();
            if (pause || resume) {
                BackfillControl.setPaused(c, migration, pause, by);
            }
            if (setBatchSize != null) {
                if (setBatchSize < 0) {
                    throw new UsageException("--set-batch-size must be 0 (adaptive) or more");
                }
                BackfillControl.setBatchSize(c, migration, setBatchSize, by);
            }
            Optional<BackfillCheckpoint> left = resume && !BackfillControl.running(c, migration)
                    ? BackfillCheckpoint.load(c, migration) : Optional.empty();
            if (left.isPresent() && !left.get().complete()) {
                if (!json()) {
                    out().println("no backfill of " + migration + " is running (the last one stopped before the end):"
                            + " resuming it here from its checkpoint");
                }
                return true;
            }
            BackfillControl.State s = BackfillControl.read(c, migration);
            if (json()) {
                printJson(Json.obj("ok", true, "migration", migration, "paused", s.paused(), "batchSize", s.batchSize()));
            } else if (left.isPresent()) {
                out().println("backfill of " + migration + " is already complete (since " + left.get().completedAt()
                        + "); nothing to resume. --restart runs it again.");
            } else {
                out().println("backfill control of " + migration + ": " + (s.paused() ? "paused" : "running")
                        + ", batch size " + (s.batchSize() == null ? "adaptive" : s.batchSize())
                        + " (a running backfill applies it before its next batch)");
            }
            return false;
        }
    }

    private void print(BackfillProgress p, boolean bar) {
        double pct = p.totalEstimate() == 0 ? 100.0 : 100.0 * p.rowsDone() / p.totalEstimate();
        String eta = p.etaSeconds() < 0 ? "?" : formatSeconds(p.etaSeconds());
        if (bar) {
            int w = 30, filled = (int) Math.min(w, Math.round(pct / 100 * w));
            out().print(String.format(Locale.ROOT, "\r[%s%s] %5.1f%% %,d/~%,d rows, %,.0f rows/s, ETA %s, batch %,d %s   ",
                    "#".repeat(filled), " ".repeat(w - filled), pct, p.rowsDone(), p.totalEstimate(), p.rowsPerSecond(), eta,
                    p.batchSize(), p.state() + why(p.state())));
        } else {
            out().println(String.format(Locale.ROOT, "  %,d / ~%,d rows (%.0f%%), %,d copied, batch %d (size %d), %s,"
                            + " %.0f rows/s, ETA %s, %s%s",
                    p.rowsDone(), p.totalEstimate(), pct, p.rowsCopied(), p.batches(), p.batchSize(), p.position(),
                    p.rowsPerSecond(), eta, p.state(), why(p.state())));
        }
        out().flush();
    }

    /** What a waiting state waits for: a pause set by --pause (possibly before this run started) or a throttle. */
    private String why(String state) {
        return switch (state) {
            case "PAUSED" -> " (backfill --pause is in effect: " + dualwrite("backfill", migration, "--resume") + " goes on)";
            case "THROTTLED" -> " (--max-replica-lag or --throttle-query holds the next batch)";
            default -> "";
        };
    }

    static String formatSeconds(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, t % 3600 / 60)
                : t >= 60 ? String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60) : t + "s";
    }
}
