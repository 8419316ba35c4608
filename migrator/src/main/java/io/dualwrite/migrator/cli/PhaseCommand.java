package io.dualwrite.migrator.cli;

import io.dualwrite.control.ColumnUses;
import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.MigrationState;
import io.dualwrite.control.SourceRelatives;
import io.dualwrite.control.phase.Gate;
import io.dualwrite.control.phase.GateChecks;
import io.dualwrite.control.phase.PhaseRefusedException;
import io.dualwrite.control.phase.PhaseTransitions;
import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.UsageException;
import io.dualwrite.migrator.contract.ConstraintTwins;
import io.dualwrite.migrator.parity.ParityCheck;
import io.dualwrite.migrator.status.StatementEvidenceReport;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.RelationName;
import io.dualwrite.rewriter.SourceView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

@Command(name = "phase", mixinStandardHelpOptions = true,
        description = {"Moves a migration to another phase (recorded in dualwrite.phase_change); every driver instance follows it.",
                "Phases move one step at a time, forward or back: EXPANDED, DUAL_WRITE, READ_NEW, NEW_ONLY, CONTRACTED.",
                "Each move's gates must hold (DUAL_WRITE: every instance connected to the database applies EXPANDED, so it"
                        + " knows the migration; READ_NEW: backfill complete, parity 0, every instance on DUAL_WRITE;"
                        + " NEW_ONLY: parity 0, every instance on READ_NEW, no untranslatable statement seen within --soak,"
                        + " the old column nullable or with a default, a twin on the new table for each unique index and CHECK"
                        + " constraint on the old column, which this command builds first); a move that needs parity runs a fresh"
                        + " check first."
                        + " contract and reverse-sync make their own moves."})
final class PhaseCommand extends BaseCommand {

    @Option(names = "--migration", required = true, paramLabel = "NAME", description = "The migration, e.g. users.email.")
    String migration;

    @Parameters(index = "0", paramLabel = "PHASE", description = "The phase to move to.")
    String phaseName;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (kept in the audit log).")
    String reason;

    @Option(names = "--soak", defaultValue = "24h", paramLabel = "DURATION",
            description = "How far back the statement evidence counts for NEW_ONLY: a statement the fleet sent within it that"
                    + " cannot be translated refuses the move (e.g. 24h, 90m, 0). Default: ${DEFAULT-VALUE}.")
    String soak;

    @Option(names = "--wait", defaultValue = "10s", paramLabel = "DURATION",
            description = "How long to wait for every live application instance to apply the current phase, where the move"
                    + " needs that (DUAL_WRITE, READ_NEW, NEW_ONLY), before refusing: each follows within its poll interval,"
                    + " and a transaction begun in the phase before keeps it until it ends (e.g. 30s, 0). Default: ${DEFAULT-VALUE}.")
    String fleetWait;

    @Option(names = "--force", description = "Skip the move's gates (never its rules, such as one step at a time);"
            + " warned about on stderr and recorded as FORCED in the audit log.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Duration window = ContractCommand.parseDuration(soak, "--soak");
        Duration wait = ContractCommand.parseDuration(fleetWait, "--wait");
        Phase to;
        try {
            to = Phase.parse(phaseName);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        try (Connection c = connection.open("dualwrite-phase")) {
            MigrationState state = require(c);
            PhaseTransitions.Move move = PhaseTransitions.move(state.phase(), to);
            if (!force) {
                PhaseWriter.awaitFleet(c, migration, move, wait, lagging -> err().println("waiting up to "
                        + GateChecks.human(wait.toSeconds()) + " for every live instance to apply " + state.phase() + ": "
                        + String.join("; ", lagging)));
            }
            if (move.allowed() && move.by() == null && move.gates().contains(Gate.PARITY_ZERO) && !force) {
                // the gate reads the recorded result; record a fresh one so the move sees the data as it is now
                ControlSchema.recordParity(c, migration, ParityCheck.run(c, state.spec(), 0).mismatches());
            }
            if (move.allowed() && move.gates().contains(Gate.OLD_COLUMN_CONSTRAINTS_KEPT) && !force) {
                // the gate asks for the constraints' twins; built here, without blocking writes, before the move's transaction
                for (String done : ConstraintTwins.build(c, state.spec(), err()::println)) {
                    err().println(done);
                }
            }
            // not a check but what the phase needs: also with --force, and when the migration is there already (moved by an
            // older version)
            // (not again in CONTRACTED: the installer's old-column trigger reads the column the contract dropped)
            if (move.allowed() && (move.gates().contains(Gate.DELETES_REACH_NEW_TABLE)
                    || move.stays() && to == Phase.NEW_ONLY)) {
                String done = ConstraintTwins.followDeletes(c, state.spec(), err()::println);
                if (done != null) {
                    err().println(done);
                }
            }
            if (force && !move.gates().isEmpty()) {
                err().println("WARNING: --force: " + move.from() + " -> " + to + " without checking its gates ("
                        + String.join("; ", move.gates().stream().map(Gate::meaning).toList()) + ")");
            }
            String by = "cli@" + hostname();
            try {
                move = PhaseWriter.change(c, new PhaseWriter.Request(migration, to, by, reason, force, null, window));
            } catch (PhaseRefusedException e) {
                throw new RefusedException(e.getMessage());
            }
            // what PostgreSQL cannot say reads the column, now stale: the gates read triggers and recorded dependencies only
            List<String> functionsNaming = to == Phase.NEW_ONLY && !move.stays() ? ColumnUses.functionsNaming(c, state.spec())
                    : List.of();
            // what the driver refuses from now on that it let through before
            List<String> refusedWrites = new ArrayList<>();
            if (to == Phase.DUAL_WRITE && !move.stays()) {
                for (RelationName r : SourceRelatives.descendants(c, state.spec())) {
                    refusedWrites.add(r.schema() + "." + r.name() + " (a partition, inheritance child or parent)");
                }
                Set<RelationName> columnRules = SourceRelatives.columnRules(c, state.spec());
                for (RelationName r : columnRules) {
                    refusedWrites.add(r.schema() + "." + r.name()
                            + " (a view over the column, or a rule on it or inserting or deleting its rows)");
                }
                for (SourceView v : SourceRelatives.views(c, state.spec(), columnRules)) {
                    refusedWrites.add(v.view().schema() + "." + v.view().name() + " (a view over the table: a DELETE"
                            + " until NEW_ONLY, an INSERT while the column has a default, an UPDATE of the key, a MERGE doing"
                            + " one of these)");
                }
                Collections.sort(refusedWrites);
            }
            // where this migration starts to rewrite reads: statements that another migration may be rewriting too
            List<String> shared = (to == Phase.READ_NEW || to == Phase.NEW_ONLY) && !move.stays()
                    ? StatementEvidenceReport.sharedWithOtherMigrations(c, migration, SHARED_LISTED) : List.of();
            report(move.from(), to, !move.stays(), by, functionsNaming, refusedWrites, shared);
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

    /** How many of the statements shared with another migration the report lists. */
    private static final int SHARED_LISTED = 5;

    private void report(Phase from, Phase to, boolean changed, String by, List<String> functionsNaming,
                        List<String> refusedWrites, List<String> shared) {
        // from NEW_ONLY the old column is stale: back to READ_NEW only through reverse-sync, which brings it in step first
        String rollback = from == to ? null : to == Phase.NEW_ONLY && from == Phase.READ_NEW
                ? dualwrite("reverse-sync", migration) + " (brings the old column in step), then "
                        + dualwrite("phase", migration, "READ_NEW")
                : dualwrite("phase", migration, from.name());
        if (json()) {
            printJson(Json.obj("ok", true, "migration", migration, "from", from, "to", to, "changed", changed,
                    "changedBy", by, "reason", reason, "rollback", rollback, "functionsNamingColumn", functionsNaming,
                    "writesRefusedTo", refusedWrites, "statementsSharedWithOtherMigrations", shared));
            return;
        }
        if (!changed) {
            out().println(migration + " is already in " + to + "; nothing changed.");
            return;
        }
        out().println(migration + ": " + from + " -> " + to + " (by " + by + (reason == null ? "" : ", reason: " + reason) + ")");
        out().println("rollback: " + rollback);
        for (String statement : shared) {
            out().println("note: the fleet sends statements that name this migration's table and another migration's; one"
                    + " that both rewrite in their phases is refused (0A000, the driver does not combine two rewrites):"
                    + " " + statement);
        }
        if (to == Phase.NEW_ONLY) {
            for (String f : functionsNaming) {
                out().println("note: the code of " + f + " names the table and the column: if it reads the column, a call now"
                        + " returns stale values (the driver translates the application's statements, not code stored in the"
                        + " database); move it to the new table before the contract");
            }
            out().println("next: once every instance applies NEW_ONLY and the soak has passed with no untranslatable statement"
                    + " (dualwrite status --statements), run " + dualwrite("contract", migration, "--dry-run"));
        }
        if (to == Phase.DUAL_WRITE) {
            for (String r : refusedWrites) {
                out().println("note: the driver now refuses writes to " + r + " (0A000, nothing written): they reach "
                        + "the table's rows under another name, where no sync follows; send them to the table itself");
            }
            out().println("next: once every application instance applies DUAL_WRITE, run " + dualwrite("backfill", migration));
        }
    }
}
