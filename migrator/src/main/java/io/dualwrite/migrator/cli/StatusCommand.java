package io.dualwrite.migrator.cli;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.migrator.backfill.BackfillCheckpoint;
import io.dualwrite.migrator.status.MigrationStatus;
import io.dualwrite.migrator.status.StatementEvidenceReport;
import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.migrator.status.StatusReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Lists migrations (phase and since when, backfill progress, latest phase changes) and the application"
                + " instances that follow them, with the phase each one acknowledges.",
                "--statements lists instead the statements the fleet sent that name a migrated column, and whether"
                        + " NEW_ONLY and CONTRACTED can translate them (untranslatable first)."})
final class StatusCommand extends BaseCommand {

    @Option(names = "--changes", paramLabel = "N", defaultValue = "5", description = "Phase changes to show per migration. Default: ${DEFAULT-VALUE}.")
    int changes;

    @Option(names = "--history", description = "Show every phase change (the whole audit log: from, to, who, when, why)"
            + " and every instance that ever reported (without it, instances gone for over an hour are left out).")
    boolean history;

    @Option(names = "--statements", description = "List the statement evidence per migration: fingerprint, instances,"
            + " executions, first and last seen, translatable or why not; untranslatable first.")
    boolean statements;

    @Override
    public Integer call() throws Exception {
        try (Connection c = connection.open("dualwrite-status")) {
            if (statements) {
                printStatements(StatementEvidenceReport.load(c));
                return DualwriteCli.OK;
            }
            List<MigrationStatus> all = StatusReport.load(c, history ? Integer.MAX_VALUE : Math.max(0, changes));
            List<StatusReport.Instance> instances = StatusReport.instances(c, history);
            long unreported = Fleet.unreported(c, null);
            if (json()) {
                List<Map<String, Object>> list = new ArrayList<>();
                for (MigrationStatus m : all) {
                    BackfillCheckpoint cp = m.backfill();
                    List<Map<String, Object>> ch = new ArrayList<>();
                    for (MigrationStatus.PhaseChange pc : m.recentChanges()) {
                        ch.add(Json.obj("from", pc.from(), "to", pc.to(), "changedBy", pc.changedBy(), "reason", pc.reason(),
                                "changedAt", pc.changedAt()));
                    }
                    list.add(Json.obj("migration", m.spec().name(),
                            "source", m.spec().sourceSchema() + "." + m.spec().sourceTable() + "." + m.spec().sourceColumn(),
                            "key", m.spec().keyColumn(),
                            "target", m.spec().targetSchema() + "." + m.spec().targetTable() + "." + m.spec().targetValueColumn(),
                            "targetKey", m.spec().targetKeyColumn(), "primaryFlag", m.spec().primaryFlagColumn(),
                            "phase", m.phase(), "phaseSince", m.phaseChangedAt(),
                            "backfill", cp == null ? null : Json.obj("rowsScanned", cp.rowsScanned(), "rowsCopied", cp.rowsCopied(),
                                    "pagesDone", cp.pagesDone(), "pagesTotal", cp.pagesTotal(),
                                    "batches", cp.batches(), "totalRows", cp.totalRows(), "startedAt", cp.startedAt(),
                                    "updatedAt", cp.updatedAt(), "completedAt", cp.completedAt(), "complete", cp.complete()),
                            "recentChanges", ch, "reverseSync", m.reverseSync() == null ? null : m.reverseSync().describe(m.spec())));
                }
                List<Map<String, Object>> fleet = new ArrayList<>();
                for (StatusReport.Instance i : instances) {
                    fleet.add(Json.obj("id", i.id(), "host", i.host(), "pid", i.pid(), "startedAt", i.startedAt(),
                            "heartbeatAgeSeconds", i.heartbeatAgeSeconds(), "live", i.live(), "applies", i.applied()));
                }
                printJson(Json.obj("ok", true, "migrations", list, "instances", fleet, "unreportedInstances", unreported));
                return DualwriteCli.OK;
            }
            if (all.isEmpty()) {
                out().println("no migrations (the control schema is " + (ControlSchema.isInstalled(c)
                        ? "installed but empty" : "not installed") + "); start with dualwrite expand");
                return DualwriteCli.OK;
            }
            for (MigrationStatus m : all) {
                out().println(m.spec().name() + " -> " + m.spec().targetTable() + "." + m.spec().targetValueColumn()
                        + "  phase " + m.phase() + " since " + m.phaseChangedAt());
                BackfillCheckpoint cp = m.backfill();
                if (cp == null) {
                    out().println("  backfill: not started");
                } else {
                    out().println("  backfill: " + (cp.complete() ? "complete at " + cp.completedAt() : "in progress / paused, updated "
                            + cp.updatedAt()) + "; pages " + cp.pagesDone() + "/" + cp.pagesTotal() + ", " + cp.rowsScanned()
                            + " rows scanned, " + cp.rowsCopied() + " copied in " + cp.batches() + " batches"
                            + (cp.totalRows() == null ? "" : ", ~" + cp.totalRows() + " source rows"));
                }
                if (m.reverseSync() != null) {
                    out().println("  " + m.reverseSync().describe(m.spec()));
                }
                for (MigrationStatus.PhaseChange pc : m.recentChanges()) {
                    out().println("  " + pc.changedAt() + "  " + (pc.from() == null ? "-" : pc.from()) + " -> " + pc.to()
                            + "  by " + pc.changedBy() + (pc.reason() == null ? "" : "  (" + pc.reason() + ")"));
                }
            }
            out().println(instances.isEmpty() ? "instances: none has reported"
                    + (unreported == 0 ? " (no application uses the jdbc:dualwrite: URL yet)" : "")
                    : "instances (" + instances.stream().filter(StatusReport.Instance::live).count() + " live):");
            for (StatusReport.Instance i : instances) {
                out().println("  " + (i.live() ? "live " : "gone ") + i.id() + "  " + i.host() + " pid " + i.pid()
                        + "  heartbeat " + i.heartbeatAgeSeconds() + " s ago  applies " + i.applied());
            }
            if (unreported > 0) {
                out().println("  and " + unreported + " connected that do not report (" + Fleet.FOLLOWER_APPLICATION_NAME
                        + " sessions without a live heartbeat): an instance reports once it has read a migration; one that"
                        + " cannot read the control schema says why in its log (dualwrite grant gives its role access)");
            }
            return DualwriteCli.OK;
        }
    }

    private void printStatements(List<StatementEvidenceReport.Statement> all) {
        if (json()) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (StatementEvidenceReport.Statement s : all) {
                list.add(Json.obj("migration", s.migration(), "fingerprint", s.fingerprint(), "sample", s.sample(),
                        "instances", s.instances(), "executions", s.executions(), "firstSeen", s.firstSeen(),
                        "lastSeen", s.lastSeen(), "translatable", s.translatable(), "refusal", s.refusal()));
            }
            printJson(Json.obj("ok", true, "statements", list));
            return;
        }
        if (all.isEmpty()) {
            out().println("no statement evidence: no instance has sent a statement naming a migrated column since"
                    + " DUAL_WRITE (or recording is off: dualwriteEvidence=false)");
            return;
        }
        String migration = null;
        for (StatementEvidenceReport.Statement s : all) {
            if (!s.migration().equals(migration)) {
                migration = s.migration();
                String name = migration;
                long untranslatable = all.stream().filter(x -> x.migration().equals(name) && !x.translatable()).count();
                out().println(migration + ": " + all.stream().filter(x -> x.migration().equals(name)).count()
                        + " statement(s), " + untranslatable + " untranslatable");
            }
            out().println("  " + (s.translatable() ? "translatable   " : "UNTRANSLATABLE ") + s.fingerprint() + "  " + s.sample());
            out().println("      " + s.executions() + " execution(s), first seen " + s.firstSeen() + ", last seen " + s.lastSeen()
                    + ", instances " + String.join(", ", s.instances()));
            if (!s.translatable()) {
                out().println("      why: " + s.refusal());
            }
        }
    }
}
