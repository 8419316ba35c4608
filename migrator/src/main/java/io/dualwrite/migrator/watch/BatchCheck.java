package io.dualwrite.migrator.watch;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.migrator.db.MigrationNames;
import io.dualwrite.migrator.parity.ChunkedParity;
import io.dualwrite.migrator.parity.KeyParity;
import io.dualwrite.migrator.parity.Mismatch;
import io.dualwrite.rewriter.Phase;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static io.dualwrite.control.phase.PhaseTransitions.Operation.PARITY_REPAIR;

/**
 * Checks one batch of committed transactions: every key they changed, first together in a snapshot that sees
 * them all ({@link FreshCheck}), then each suspect again after the grace period (the watch reads on meanwhile)
 * under a row lock (the chunked
 * parity's re-check: an in-flight dual write of the key finishes first). What still differs is drift: logged,
 * counted, recorded in {@code dualwrite.watch_log}, and with {@code --repair} rewritten from the old column (the
 * same repair as {@code parity --repair}). A truncate of either table gets a whole chunked parity run.
 */
final class BatchCheck {

    private final Connection c;
    private final String migration;
    private final Watch.Options o;
    private final WatchStats stats;
    private final FreshCheck fresh;
    private final KeyParity keys;
    private final Consumer<Drift> onDrift;
    private final PrintWriter log;
    private Phase warnedPhase;

    BatchCheck(Connection c, String migration, MigrationNames names, String keyType, Watch.Options o, WatchStats stats,
               Consumer<Drift> onDrift, PrintWriter log) {
        this.c = c;
        this.migration = migration;
        this.o = o;
        this.stats = stats;
        this.fresh = new FreshCheck(names, keyType);
        this.keys = new KeyParity(names, keyType);
        this.onDrift = onDrift;
        this.log = log;
    }

    /**
     * Keys of a batch that differ in a snapshot seeing all its transactions and wait for their re-check.
     *
     * @param prevEnd the end of the batches checked before this one: confirmable while this one waits
     */
    record Suspects(Batch batch, List<String> keys, long dueNanos, long prevEnd) {
    }

    /**
     * The first look at a batch. Returns its suspects (to re-check once the grace period is over), or null when every
     * key is in sync. A truncate is answered here, at once, by a whole chunked parity run.
     */
    Suspects first(Batch b, long prevEnd) throws SQLException {
        Phase phase = ControlSchema.require(c, migration).phase();
        if (!PARITY_REPAIR.runsIn(phase)) {
            // the target is not kept in step from the old column in this phase: nothing to compare against
            stats.skipped.addAndGet(b.keys.size());
            if (phase != warnedPhase) {
                log.println("watch " + migration + ": phase is " + phase + ", changes are read but not checked until DUAL_WRITE or READ_NEW");
                log.flush();
                warnedPhase = phase;
            }
            return null;
        }
        warnedPhase = null;
        if (b.firstTruncate != null) {
            report(afterTruncate(b));
        }
        List<String> suspects = List.of();
        if (!b.keys.isEmpty()) {
            suspects = fresh.suspects(c, b.keys.keySet(), b.xids);
            stats.keysChecked.addAndGet(b.keys.size());
        }
        Instant now = Instant.now();
        for (Instant committed : b.commits) {
            stats.lag(millis(committed, now));
        }
        return suspects.isEmpty() ? null : new Suspects(b, suspects, System.nanoTime() + o.grace().toNanos(), prevEnd);
    }

    /** Suspects again after the grace period, each under its row lock; with --repair, rewritten and checked once more. */
    void confirm(Suspects s) throws SQLException {
        Batch b = s.batch();
        List<Mismatch> confirmed = new ArrayList<>();
        for (String k : s.keys()) {
            Mismatch m = keys.recheck(c, k);
            if (m != null) {
                confirmed.add(m);
            }
        }
        List<String> fixed = new ArrayList<>();
        if (o.repair() && !confirmed.isEmpty()) {
            keys.repair(c, confirmed.stream().map(Mismatch::key).toList());
            for (Mismatch m : confirmed) {
                if (keys.recheck(c, m.key()) == null) {
                    fixed.add(m.key());
                }
            }
        }
        Instant now = Instant.now();
        List<Drift> out = new ArrayList<>();
        for (Mismatch m : confirmed) {
            Batch.FirstChange first = b.keys.get(m.key());
            Instant at = first != null ? first.committedAt() : null;
            out.add(new Drift(m.key(), m.sourceValue(), m.targetValue(), m.kind().name(), at, at == null ? 0 : millis(at, now),
                    first != null ? ChangeFeed.format(first.endLsn()) : null, fixed.contains(m.key())));
        }
        report(out);
    }

    private void report(List<Drift> drifts) throws SQLException {
        for (Drift d : drifts) {
            stats.drifts.incrementAndGet();
            if (d.repaired()) {
                stats.repaired.incrementAndGet();
            }
            WatchLog.record(c, migration, d);
            onDrift.accept(d);
        }
    }

    /** A truncate carries no keys: the whole table is compared (and with --repair repaired) by the chunked parity. */
    private List<Drift> afterTruncate(Batch b) throws SQLException {
        stats.truncates.incrementAndGet();
        ChunkedParity.Result r = ChunkedParity.run(c, null, migration,
                new ChunkedParity.Options(1, ChunkedParity.DEFAULT_CHUNK_KEYS, false, o.repair(), 0));
        long found = o.repair() ? r.repaired() + r.mismatches() : r.mismatches();
        if (found == 0) {
            return List.of();
        }
        return List.of(new Drift("*", found + " keys differed after a TRUNCATE", null, "TRUNCATE", b.firstTruncate,
                millis(b.firstTruncate, Instant.now()), ChangeFeed.format(b.endLsn), o.repair() && r.clean()));
    }

    private static double millis(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }
}
