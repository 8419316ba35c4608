package io.dualwrite.migrator.cli;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.MigrationState;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.UsageException;
import io.dualwrite.migrator.backfill.BackfillCheckpoint;
import io.dualwrite.migrator.parity.ParityCheck;
import io.dualwrite.migrator.parity.ParityResult;
import io.dualwrite.rewriter.Phase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

@Command(name = "phase", mixinStandardHelpOptions = true,
        description = {"Moves a migration to another phase (recorded in dualwrite.phase_change); every driver instance follows it.",
                "Supported: EXPANDED, DUAL_WRITE, READ_NEW. Forward one step at a time; back to any earlier phase.",
                "READ_NEW requires a complete backfill and parity 0 (override with --force)."})
final class PhaseCommand extends BaseCommand {

    @Option(names = "--migration", required = true, paramLabel = "NAME", description = "The migration, e.g. users.email.")
    String migration;

    @Parameters(index = "0", paramLabel = "PHASE", description = "EXPANDED, DUAL_WRITE or READ_NEW.")
    String phaseName;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (kept in the audit log).")
    String reason;

    @Option(names = "--force", description = "Skip the READ_NEW gate (backfill complete, parity 0).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Phase to;
        try {
            to = Phase.parse(phaseName);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (to == Phase.NEW_ONLY || to == Phase.CONTRACTED) {
            throw new RefusedException("phase " + to + " is not supported by this version of dualwrite (it needs reverse sync"
                    + " and contract, which are not built yet); the supported phases are EXPANDED, DUAL_WRITE and READ_NEW");
        }
        try (Connection c = connection.open("dualwrite-phase")) {
            MigrationState state = require(c);
            Phase from = state.phase();
            if (from == to) {
                report(from, to, false, null);
                return DualwriteCli.OK;
            }
            if (to.ordinal() > from.ordinal() + 1) {
                throw new RefusedException(migration + " is in " + from + "; phases move forward one at a time: go to "
                        + Phase.values()[from.ordinal() + 1] + " first");
            }
            if (to == Phase.READ_NEW && !force) {
                gateReadNew(c, state);
            }
            String by = "cli@" + hostname();
            String why = reason;
            if (force && to == Phase.READ_NEW) {
                // --force is allowed, never quiet: a warning on stderr and the word FORCED in the audit log
                err().println("WARNING: --force: READ_NEW without checking its gates (backfill complete, parity 0, every"
                        + " instance on DUAL_WRITE); applications may read rows the target table does not have yet");
                why = "FORCED (gates not checked)" + (reason == null ? "" : ": " + reason);
            }
            Phase before = ControlSchema.setPhase(c, migration, to, by, why);
            report(before, to, before != to, by);
            return DualwriteCli.OK;
        }
    }

    private MigrationState require(Connection c) throws SQLException {
        try {
            return ControlSchema.require(c, migration);
        } catch (SQLException e) {
            if ("42704".equals(e.getSQLState())) {
                throw new UsageException(e.getMessage());
            }
            throw e;
        }
    }

    private void gateReadNew(Connection c, MigrationState state) throws SQLException {
        Optional<BackfillCheckpoint> cp = BackfillCheckpoint.load(c, migration);
        if (cp.isEmpty() || !cp.get().complete()) {
            throw new RefusedException("READ_NEW needs a complete backfill of " + migration + " (" + (cp.isEmpty()
                    ? "it never ran" : "it has not finished; its checkpoints are in dualwrite.backfill_range") + "): run dualwrite backfill first");
        }
        java.util.List<String> lagging = io.dualwrite.control.fleet.Acknowledgements.lagging(c, migration,
                java.util.Set.of(Phase.DUAL_WRITE.name(), Phase.READ_NEW.name()));
        if (!lagging.isEmpty()) {
            throw new RefusedException("READ_NEW needs every live application instance on DUAL_WRITE; not yet: "
                    + String.join("; ", lagging));
        }
        ParityResult parity = ParityCheck.run(c, state.spec(), 0);
        if (!parity.clean()) {
            throw new RefusedException("READ_NEW needs parity 0, but " + migration + " has " + parity.mismatches()
                    + " mismatching rows: run dualwrite parity to see them");
        }
    }

    private void report(Phase from, Phase to, boolean changed, String by) {
        String rollback = from == to ? null : "dualwrite phase --url " + shellQuote(connection.displayUrl()) + " --migration "
                + migration + " " + from;
        if (json()) {
            printJson(Json.obj("ok", true, "migration", migration, "from", from, "to", to, "changed", changed,
                    "changedBy", by, "reason", reason, "rollback", rollback));
            return;
        }
        if (!changed) {
            out().println(migration + " is already in " + to + "; nothing changed.");
            return;
        }
        out().println(migration + ": " + from + " -> " + to + " (by " + by + (reason == null ? "" : ", reason: " + reason) + ")");
        out().println("rollback: " + rollback);
        if (to == Phase.DUAL_WRITE) {
            out().println("next: once every application instance applies DUAL_WRITE, run dualwrite backfill --url "
                    + shellQuote(connection.displayUrl()) + " --migration " + migration);
        }
    }
}
