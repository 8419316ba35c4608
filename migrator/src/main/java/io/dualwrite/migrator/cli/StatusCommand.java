package io.dualwrite.migrator.cli;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.migrator.backfill.BackfillCheckpoint;
import io.dualwrite.migrator.status.MigrationStatus;
import io.dualwrite.migrator.status.StatusReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Lists migrations (phase and since when, backfill progress, latest phase changes) and the application"
                + " instances that follow them, with the phase each one acknowledges.")
final class StatusCommand extends BaseCommand {

    @Option(names = "--changes", paramLabel = "N", defaultValue = "5", description = "Phase changes to show per migration. Default: ${DEFAULT-VALUE}.")
    int changes;

    @Option(names = "--history", description = "Show every phase change (the whole audit log: from, to, who, when, why)"
            + " and every instance that ever reported (without it, instances gone for over an hour are left out).")
    boolean history;

    @Override
    public Integer call() throws Exception {
        try (Connection c = connection.open("dualwrite-status")) {
            List<MigrationStatus> all = StatusReport.load(c, history ? Integer.MAX_VALUE : Math.max(0, changes));
            List<StatusReport.Instance> instances = StatusReport.instances(c, history);
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
                            "recentChanges", ch));
                }
                List<Map<String, Object>> fleet = new ArrayList<>();
                for (StatusReport.Instance i : instances) {
                    fleet.add(Json.obj("id", i.id(), "host", i.host(), "pid", i.pid(), "startedAt", i.startedAt(),
                            "heartbeatAgeSeconds", i.heartbeatAgeSeconds(), "live", i.live(), "applies", i.applied()));
                }
                printJson(Json.obj("ok", true, "migrations", list, "instances", fleet));
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
                for (MigrationStatus.PhaseChange pc : m.recentChanges()) {
                    out().println("  " + pc.changedAt() + "  " + (pc.from() == null ? "-" : pc.from()) + " -> " + pc.to()
                            + "  by " + pc.changedBy() + (pc.reason() == null ? "" : "  (" + pc.reason() + ")"));
                }
            }
            out().println(instances.isEmpty() ? "instances: none has reported (no application uses the jdbc:dualwrite: URL yet)"
                    : "instances (" + instances.stream().filter(StatusReport.Instance::live).count() + " live):");
            for (StatusReport.Instance i : instances) {
                out().println("  " + (i.live() ? "live " : "gone ") + i.id() + "  " + i.host() + " pid " + i.pid()
                        + "  heartbeat " + i.heartbeatAgeSeconds() + " s ago  applies " + i.applied());
            }
            return DualwriteCli.OK;
        }
    }
}
