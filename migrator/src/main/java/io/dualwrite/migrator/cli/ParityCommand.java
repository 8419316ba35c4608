package io.dualwrite.migrator.cli;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.MigrationState;
import io.dualwrite.control.phase.PhaseTransitions;
import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.UsageException;
import io.dualwrite.migrator.backfill.BackfillCheckpoint;
import io.dualwrite.migrator.db.Retry;
import io.dualwrite.migrator.parity.ChunkedParity;
import io.dualwrite.migrator.parity.Mismatch;
import io.dualwrite.migrator.parity.ParityCheck;
import io.dualwrite.migrator.parity.ParityResult;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.dualwrite.control.phase.PhaseTransitions.Operation.BACKFILL;
import static io.dualwrite.control.phase.PhaseTransitions.Operation.PARITY_REPAIR;

@Command(name = "parity", mixinStandardHelpOptions = true,
        description = {"Counts rows whose old column differs from the primary target row, plus orphaned primary rows."
                + " Exit 0 only when the count is 0, else 1. The result is recorded for the READ_NEW gate; drift found in"
                + " READ_NEW sends reads back to the old column unless --no-rollback."})
final class ParityCommand extends BaseCommand {

    @Option(names = "--migration", required = true, paramLabel = "NAME", description = "The migration, e.g. users.email.")
    String migration;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "10", description = "Show up to N offending keys. Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "chunked",
            description = "chunked (default): per-chunk count+hash over key ranges, in parallel, narrowed to offending keys,"
                    + " each re-checked under a row lock; resumable, can --repair. full: one LEFT JOIN in one REPEATABLE READ snapshot.")
    String mode;

    @Option(names = "--workers", paramLabel = "N", description = "Parallel chunk workers (chunked). Default: the number of cores.")
    Integer workers;

    @Option(names = "--chunk-size", paramLabel = "KEYS", defaultValue = "100000",
            description = "Keys per chunk (chunked). Default: ${DEFAULT-VALUE}.")
    long chunkSize;

    @Option(names = "--resume", description = "Continue the latest chunked run: chunks already checked are skipped.")
    boolean resume;

    @Option(names = "--repair", description = "Rewrite offending keys from the authoritative side (the old column in DUAL_WRITE /"
            + " READ_NEW), under FOR NO KEY UPDATE of the source rows; delete orphaned primary rows; then check again.")
    boolean repair;

    @Option(names = "--no-rollback", description = "In READ_NEW, do not send reads back to the old column when drift is found.")
    boolean noRollback;

    @Mixin
    RetryOptions retries;

    /** Set when this run found drift in READ_NEW and sent the fleet's reads back to the old column. */
    private boolean rolledBackReads;

    @Override
    public Integer call() throws Exception {
        if (!mode.equals("chunked") && !mode.equals("full")) {
            throw new UsageException("--mode must be chunked or full, got " + mode);
        }
        try (Connection c = open()) {
            if (ControlSchema.require(c, migration).phase() == Phase.CONTRACTED) {
                throw new RefusedException("parity compares the old column with the new table, and in CONTRACTED the old"
                        + " column is gone: nothing to compare. reverse-sync re-adds it from the new table (and checks parity"
                        + " itself)");
            }
        }
        if (mode.equals("chunked")) {
            return chunked();
        }
        if (repair || resume) {
            throw new UsageException("--repair and --resume need --mode chunked");
        }
        Retry retry = retries.retry(this::progressLine);
        ParityResult r = retry.run(this::open, c -> "from the start (one snapshot)",
                (c, retried) -> ParityCheck.run(c, migration, Math.max(0, limit)));
        Recorded recorded = retry.run(this::open, c -> "recording the result", (c, retried) -> record(c, r.mismatches()));
        MigrationSpec spec = recorded.spec();
        int code = r.clean() ? DualwriteCli.OK : DualwriteCli.CHECK_FAILED;
        if (json()) {
            List<Map<String, Object>> samples = new ArrayList<>();
            for (Mismatch m : r.samples()) {
                samples.add(Json.obj("key", m.key(), "source", m.sourceValue(), "target", m.targetValue(), "kind", m.kind()));
            }
            printJson(Json.obj("ok", r.clean(), "migration", migration, "mismatches", r.mismatches(), "orphans", r.orphans(),
                    "sourceRows", r.sourceRows(), "seconds", r.seconds(), "rolledBackReads", rolledBackReads,
                    "samples", samples));
            return code;
        }
        String src = spec.sourceTable() + "." + spec.sourceColumn();
        String tgt = spec.targetTable() + "." + spec.targetValueColumn();
        out().println(String.format(Locale.ROOT, "parity %s: %d mismatches%s in %,d source rows (%.2f s)", migration,
                r.mismatches(), r.orphans() > 0 ? " (" + r.orphans() + " orphaned target rows)" : "", r.sourceRows(), r.seconds()));
        for (Mismatch m : r.samples()) {
            out().println("  " + spec.keyColumn() + "=" + m.key() + "  " + src + "=" + show(m.sourceValue(), m.kind() == Mismatch.Kind.ORPHAN)
                    + "  " + tgt + "=" + show(m.targetValue(), false));
        }
        if (r.mismatches() > r.samples().size() && limit > 0) {
            out().println("  … " + (r.mismatches() - r.samples().size()) + " more (--limit)");
        }
        if (!r.clean()) {
            out().println(recorded.nextStep());
        }
        return code;
    }

    private Integer chunked() throws Exception {
        ChunkedParity.Options o;
        try {
            o = new ChunkedParity.Options(workers != null ? workers : Runtime.getRuntime().availableProcessors(), chunkSize,
                    resume, repair, Math.max(0, limit));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Retry retry = retries.retry(this::progressLine);
        ChunkedParity.Result r = ChunkedParity.run(this::open, migration, o, retry);
        Recorded recorded = retry.run(this::open, c -> "recording the result", (c, retried) -> record(c, r.mismatches()));
        MigrationSpec spec = recorded.spec();
        int code = r.clean() ? DualwriteCli.OK : DualwriteCli.CHECK_FAILED;
        if (json()) {
            List<Map<String, Object>> samples = new ArrayList<>();
            for (Mismatch m : r.samples()) {
                samples.add(Json.obj("key", m.key(), "source", m.sourceValue(), "target", m.targetValue(), "kind", m.kind()));
            }
            printJson(Json.obj("ok", r.clean(), "migration", migration, "mode", "chunked", "mismatches", r.mismatches(),
                    "orphans", r.orphans(), "sourceRows", r.sourceRows(), "chunks", r.chunks(),
                    "chunksDiffering", r.chunksDiffering(), "falseAlarms", r.falseAlarms(), "repaired", r.repaired(),
                    "runId", r.runId(), "seconds", r.seconds(), "rolledBackReads", rolledBackReads, "samples", samples));
            return code;
        }
        String src = spec.sourceTable() + "." + spec.sourceColumn();
        String tgt = spec.targetTable() + "." + spec.targetValueColumn();
        out().println(String.format(Locale.ROOT, "parity %s: %d mismatches%s in %,d source rows, %d chunks (%d differed, %d racing"
                        + " writes re-checked clean)%s (%.2f s, %,.0f rows/s; run %d)", migration, r.mismatches(),
                r.orphans() > 0 ? " (" + r.orphans() + " orphaned target rows)" : "", r.sourceRows(), r.chunks(),
                r.chunksDiffering(), r.falseAlarms(), repair ? ", " + r.repaired() + " rows repaired" : "", r.seconds(),
                r.rowsPerSecond(), r.runId()));
        for (Mismatch m : r.samples()) {
            out().println("  " + spec.keyColumn() + "=" + m.key() + "  " + src + "=" + show(m.sourceValue(), m.kind() == Mismatch.Kind.ORPHAN)
                    + "  " + tgt + "=" + show(m.targetValue(), false));
        }
        if (r.mismatches() > r.samples().size() && limit > 0) {
            out().println("  … " + (r.mismatches() - r.samples().size()) + " more (--limit)");
        }
        if (!r.clean() && !repair) {
            out().println(recorded.nextStep());
        }
        return code;
    }

    private Connection open() {
        return connection.open("dualwrite-parity");
    }

    /**
     * The result goes to dualwrite.migration.last_parity_* (ControlSchema.recordParity): the driver's
     * gates read it. Drift found in READ_NEW sends the fleet's reads back to the old column at once
     * (DESIGN: automatic rollback of the read flag on parity drift), unless --no-rollback.
     */
    private Recorded record(Connection c, long mismatches) throws SQLException {
        try {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            ControlSchema.recordParity(c, migration, mismatches);
        } catch (SQLException e) {
            if (!"42703".equals(e.getSQLState())) { // a control schema from before last_parity_* existed
                throw e;
            }
        }
        Phase phase = ControlSchema.require(c, migration).phase();
        Phase back = PhaseTransitions.readRollbackOf(phase);
        if (mismatches > 0 && !noRollback && back != null) {
            PhaseWriter.change(c, PhaseWriter.Request.of(migration, back, "parity@" + hostname(),
                    "automatic rollback: parity found " + mismatches + " mismatching rows in " + phase));
            rolledBackReads = true;
            err().println("reads of " + migration + " rolled back to the old column (" + phase + " -> " + back + "): parity found "
                    + mismatches + " mismatching rows; repair with --repair, check again, then flip reads again");
        }
        MigrationState now = ControlSchema.require(c, migration);
        boolean backfilled = BackfillCheckpoint.load(c, migration).map(BackfillCheckpoint::complete).orElse(false);
        return new Recorded(now.spec(), nextStep(now.phase(), backfilled));
    }

    /** The migration as the result left it, and what to run about drift there. */
    private record Recorded(MigrationSpec spec, String nextStep) {
    }

    /**
     * What removes drift in {@code phase}: a --repair only where the old column is the truth and the backfill has
     * copied it; before that the differences are rows nothing has copied yet, and from NEW_ONLY on the old column
     * is stale by design.
     */
    private String nextStep(Phase phase, boolean backfilled) {
        if (PARITY_REPAIR.runsIn(phase) && backfilled) {
            return "repair: " + dualwrite("parity", migration, "--repair");
        }
        if (BACKFILL.runsIn(phase)) {
            return "next: the backfill has not completed, so the rows it has not copied yet differ: "
                    + dualwrite("backfill", migration) + ", then check again";
        }
        if (phase == Phase.EXPANDED) {
            return "next: in EXPANDED the application writes only the old column and nothing fills the new table yet;"
                    + " the backfill does, once every instance dual-writes: " + dualwrite("phase", migration, "DUAL_WRITE")
                    + ", then " + dualwrite("backfill", migration) + ", then check again";
        }
        return "next: in " + phase + " the application no longer writes the old column, so it differs by design; the way"
                + " back to READ_NEW brings it in step first: " + dualwrite("reverse-sync", migration);
    }

    private static String show(String v, boolean missingRow) {
        if (missingRow) {
            return "(no row)";
        }
        return v == null ? "NULL" : "'" + v.replace("'", "''") + "'";
    }
}
