package io.dualwrite.migrator.cli;

import io.dualwrite.migrator.UsageException;
import io.dualwrite.migrator.watch.Drift;
import io.dualwrite.migrator.watch.Watch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Continuous parity: reads every committed change to the source and target tables from a logical"
                + " replication slot (pgoutput; needs wal_level = logical) and checks each changed key against the target"
                + " within moments of the commit, whoever wrote it (functions, triggers, foreign-key actions, other"
                + " applications, psql). Drift is printed, counted (JMX io.dualwrite:type=Watch), recorded in"
                + " dualwrite.watch_log and, with --repair, rewritten from the old column.",
                "Runs until stopped (Ctrl-C), --for, or --until-caught-up. Exit 0 when no drift stayed out of sync, 1 when"
                        + " some did (or the watch was refused), 2 on usage or connection errors.",
                "The slot keeps WAL while no watch reads it: drop it with --stop when the migration is done."})
final class WatchCommand extends BaseCommand {

    @Option(names = "--migration", required = true, paramLabel = "NAME", description = "The migration, e.g. users.email.")
    String migration;

    @Option(names = "--repair", description = "Rewrite drifted keys from the old column (DUAL_WRITE / READ_NEW), the repair of"
            + " parity --repair.")
    boolean repair;

    @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "200ms",
            description = "How long a suspect key is given before its re-check under a row lock. Default: ${DEFAULT-VALUE}.")
    String grace;

    @Option(names = "--for", paramLabel = "DURATION", description = "Stop after this long (e.g. 10m).")
    String runFor;

    @Option(names = "--until-caught-up", description = "Stop once every change committed before the start was checked"
            + " (for a cron job or a CI step).")
    boolean untilCaughtUp;

    @Option(names = "--batch-keys", paramLabel = "N", defaultValue = "5000",
            description = "Check a batch once it holds this many keys. Default: ${DEFAULT-VALUE}.")
    int batchKeys;

    @Option(names = "--stop", description = "Drop the watch's slot and publication (the end of the migration, or to stop"
            + " keeping WAL for a watch that will not run again).")
    boolean stop;

    @Override
    public Integer call() throws Exception {
        if (stop) {
            return stopWatch();
        }
        Watch.Options o;
        try {
            o = new Watch.Options(repair, ContractCommand.parseDuration(grace, "--grace"),
                    runFor == null ? null : ContractCommand.parseDuration(runFor, "--for"), untilCaughtUp, batchKeys);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        List<Drift> drifts = new ArrayList<>();
        AtomicBoolean stopRequested = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopRequested.set(true);
            try {
                finished.await(10, TimeUnit.SECONDS); // let the last batch be checked and its position confirmed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "dualwrite-watch-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        Watch.Result r;
        try {
            r = Watch.run(() -> connection.open("dualwrite-watch"), () -> connection.openReplication("dualwrite-watch"),
                    migration, o, this::watching, d -> {
                        drifts.add(d);
                        if (!json()) {
                            out().println(describe(d));
                            out().flush();
                        }
                    }, stopRequested::get, err());
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for the latch above
            }
        }
        int code = r.clean() ? DualwriteCli.OK : DualwriteCli.CHECK_FAILED;
        if (json()) {
            List<Map<String, Object>> shown = new ArrayList<>();
            for (Drift d : drifts.subList(0, Math.min(100, drifts.size()))) {
                shown.add(Json.obj("key", d.key(), "source", d.sourceValue(), "target", d.targetValue(), "kind", d.kind(),
                        "committedAt", String.valueOf(d.committedAt()), "delayMs", d.delayMillis(), "lsn", d.commitLsn(),
                        "repaired", d.repaired()));
            }
            printJson(Json.obj("ok", r.clean(), "migration", migration, "slot", r.slot(), "transactions", r.transactions(),
                    "changes", r.changes(), "keysChecked", r.keysChecked(), "drifts", r.drifts(), "repaired", r.repaired(),
                    "truncates", r.truncates(), "skipped", r.skipped(), "lagP50Ms", r.lagP50Millis(), "lagMaxMs", r.lagMaxMillis(),
                    "retainedWalBytes", r.retainedWalBytes(), "seconds", r.seconds(), "samples", shown));
            return code;
        }
        out().println(String.format(Locale.ROOT, "watch %s: %,d transactions, %,d keys checked, %d drifted (%d repaired)%s;"
                        + " commit to check p50 %.0f ms, max %.0f ms; slot %s keeps %,d bytes of WAL (%.1f s)", migration,
                r.transactions(), r.keysChecked(), r.drifts(), r.repaired(),
                r.skipped() > 0 ? ", " + r.skipped() + " keys not checked outside DUAL_WRITE/READ_NEW" : "",
                r.lagP50Millis(), r.lagMaxMillis(), r.slot(), r.retainedWalBytes(), r.seconds()));
        if (!r.clean() && !repair) {
            out().println("repair: " + dualwrite("watch", migration, "--repair") + ", or "
                    + dualwrite("parity", migration, "--repair"));
        }
        return code;
    }

    /** Said only once the slot exists: a watch refused (phase, wal_level, replica identity) has no slot to speak of. */
    private void watching(String slot) {
        if (!json()) {
            err().println("watching " + migration + (repair ? " (repairing)" : "") + " from slot " + slot + "; the slot keeps"
                    + " changes while no watch runs: drop it with " + dualwrite("watch", migration, "--stop"));
            err().flush();
        }
    }

    private Integer stopWatch() throws Exception {
        try (Connection c = connection.open("dualwrite-watch")) {
            boolean existed = Watch.stop(c, migration);
            if (json()) {
                printJson(Json.obj("ok", true, "migration", migration, "dropped", existed));
            } else {
                out().println(existed ? "watch " + migration + ": slot and publication dropped; the target's replica identity is DEFAULT again"
                        : "watch " + migration + ": no slot or publication to drop");
            }
            return DualwriteCli.OK;
        }
    }

    private static String describe(Drift d) {
        String values = "*".equals(d.key()) ? d.sourceValue()
                : "old=" + show(d.sourceValue()) + " new=" + show(d.targetValue());
        return String.format(Locale.ROOT, "drift %s %s: %s (%s, %.0f ms after the commit at %s)%s", d.kind(), d.key(), values,
                d.kind().equals("ORPHAN") ? "target row without a source row" : "lsn " + d.commitLsn(), d.delayMillis(),
                d.committedAt(), d.repaired() ? " — repaired" : "");
    }

    private static String show(String v) {
        return v == null ? "NULL" : "'" + v.replace("'", "''") + "'";
    }
}
