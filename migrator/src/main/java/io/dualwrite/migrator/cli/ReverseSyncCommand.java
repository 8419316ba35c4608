package io.dualwrite.migrator.cli;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.migrator.contract.ReverseSync;
import io.dualwrite.migrator.db.Retry;
import io.dualwrite.rewriter.MigrationSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.util.List;
import java.util.Locale;

@Command(name = "reverse-sync", mixinStandardHelpOptions = true,
        description = {"Rolls back from NEW_ONLY (old <- new): installs the mirror trigger on the target table (from then on"
                + " every write of a primary target row also sets the old column, in the writer's transaction), copies the"
                + " rows written before in keyset batches (source rows locked FOR NO KEY UPDATE, then read), checkpointed in"
                + " dualwrite.reverse_sync, then checks parity (exit 0 only at 0); then dualwrite phase READ_NEW.",
                "In CONTRACTED it first re-adds the dropped column (type and collation as recorded by contract, nullable;"
                        + " it is now the table's last column) and moves the phase to NEW_ONLY in the same transaction.",
                "A killed run resumes after its last committed batch; a completed one is not repeated (--restart)."})
final class ReverseSyncCommand extends BaseCommand {

    @Option(names = "--migration", required = true, paramLabel = "NAME", description = "The migration, e.g. users.email.")
    String migration;

    @Option(names = "--batch-size", defaultValue = "5000", paramLabel = "ROWS", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--restart", description = "Forget the checkpoint and copy from the first key (copies are idempotent).")
    boolean restart;

    @Option(names = "--lock-timeout", defaultValue = "2s", paramLabel = "DURATION",
            description = "How long each attempt at the DDL (mirror, re-added column) waits for the table lock (more than 0)."
                    + " Default: ${DEFAULT-VALUE}.")
    String lockTimeout;

    @Option(names = "--attempts", defaultValue = "10", paramLabel = "N", description = "Lock attempts. Default: ${DEFAULT-VALUE}.")
    int attempts;

    @Mixin
    RetryOptions retries;

    @Override
    public Integer call() throws Exception {
        ReverseSync.Options o = new ReverseSync.Options(ContractCommand.atLeastOne(batchSize, "--batch-size"), restart,
                ContractCommand.lockTimeout(lockTimeout), ContractCommand.atLeastOne(attempts, "--attempts"));
        Retry retry = retries.retry(this::progressLine);
        ReverseSync.Result r = ReverseSync.run(this::open, migration, o, m -> err().println(m), retry);
        MigrationSpec spec = retry.run(this::open, c -> "reading the migration",
                (c, retried) -> ControlSchema.require(c, migration).spec());
        int code = r.parity().clean() ? DualwriteCli.OK : DualwriteCli.CHECK_FAILED;
        if (json()) {
            printJson(Json.obj("ok", r.parity().clean(), "migration", migration, "columnReadded", r.readd() != null,
                    "changes", r.readd() == null ? null : r.readd().changes(spec),
                    "afterReadNew", r.readd() == null ? List.of() : r.readd().afterReadNew(), "resumedAfter", r.resumedAfter(),
                    "alreadyComplete", r.alreadyComplete(), "batches", r.batches(), "rowsScanned", r.rowsScanned(),
                    "rowsUpdated", r.rowsUpdated(), "parityMismatches", r.parity().mismatches(), "seconds", r.seconds()));
            return code;
        }
        if (r.readd() != null) {
            out().println("re-added the column: " + r.readd().ddl() + "; phase CONTRACTED -> NEW_ONLY");
            out().println("what changed: " + r.readd().changes(spec));
        }
        out().println(String.format(Locale.ROOT, "reverse-sync of %s: %s%,d rows scanned, %,d old values rewritten in %d batches"
                + " (%.1f s); parity %d mismatches%s", migration,
                r.alreadyComplete() ? "already complete (the mirror keeps it in step), " : r.resumedAfter() != null
                        ? "resumed after key " + r.resumedAfter() + ", " : "",
                r.rowsScanned(), r.rowsUpdated(), r.batches(), r.seconds(), r.parity().mismatches(),
                r.parity().clean() ? "; next: " + dualwrite("phase", migration, "READ_NEW") : ""));
        return code;
    }

    private Connection open() {
        return connection.open("dualwrite-reverse-sync");
    }
}
