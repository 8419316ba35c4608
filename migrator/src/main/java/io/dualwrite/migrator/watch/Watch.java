package io.dualwrite.migrator.watch;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.MigrationState;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.db.ConnectionFactory;
import io.dualwrite.migrator.db.MigrationNames;
import io.dualwrite.rewriter.MigrationSpec;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static io.dualwrite.control.phase.PhaseTransitions.Operation.PARITY_REPAIR;

/**
 * Continuous parity ({@code dualwrite watch}): every committed change to the source table (and its inheritance
 * children) and to the target table, by any writer — the driver, a SQL function, a trigger, a foreign-key action,
 * another application on the plain URL, an operator in psql — arrives through a logical replication slot, and
 * the keys it touched are checked against the target within moments of the commit ({@link BatchCheck}). The
 * slot's position is confirmed only after a batch was checked, so a watch that dies re-checks, and loses nothing.
 */
public final class Watch {

    /**
     * @param repair        rewrite drifted keys from the old column (DUAL_WRITE / READ_NEW), as {@code parity --repair} does
     * @param grace         how long a suspect key is given before its re-check (an in-flight write of it may heal it)
     * @param runFor        stop after this long; null runs until stopped
     * @param untilCaughtUp stop once every change committed before the start was checked
     * @param maxBatchKeys  check a batch once it holds this many keys, even if more changes are waiting
     */
    public record Options(boolean repair, Duration grace, Duration runFor, boolean untilCaughtUp, int maxBatchKeys) {
        public Options {
            if (grace.isNegative() || maxBatchKeys < 1) {
                throw new IllegalArgumentException("--grace must not be negative and the batch must hold at least one key");
            }
        }
    }

    /**
     * @param drifts        keys found out of sync after the grace period (repaired ones included)
     * @param repaired      of those, the keys --repair brought back in sync
     * @param skipped       keys read while the phase kept nothing to compare (EXPANDED, NEW_ONLY, CONTRACTED)
     * @param lagP50Millis  commit to check, median over the checked transactions
     * @param lagMaxMillis  commit to check, the largest
     */
    public record Result(String slot, long transactions, long changes, long keysChecked, long drifts, long repaired,
                         long truncates, long skipped, double lagP50Millis, double lagMaxMillis, long retainedWalBytes,
                         double seconds) {
        /** No drift left out of sync. */
        public boolean clean() {
            return drifts == repaired;
        }
    }

    private static final long IDLE_SLEEP_MILLIS = 5;
    private static final long STATUS_EVERY_NANOS = 5_000_000_000L;
    /** A batch is checked at the latest this long after its first transaction arrived, even while the stream keeps flowing. */
    private static final long MAX_BATCH_AGE_NANOS = 50_000_000L;

    private Watch() {
    }

    /**
     * Checks the prerequisites and creates the slot, the publication and the watch log if absent (idempotent).
     * Changes committed from here on are kept for the watch even before it runs.
     *
     * @return the slot's name (the publication has the same one)
     */
    public static String prepare(Connection c, String migration) throws SQLException {
        c.setAutoCommit(true);
        MigrationState ms = ControlSchema.require(c, migration);
        FeedSlot.requireLogicalWal(c);
        FeedSlot slot = FeedSlot.of(migration);
        slot.ensure(c, ms.spec());
        WatchLog.install(c);
        return slot.name();
    }

    /** {@code watch --stop}: drops the slot and the publication. False when there was none. */
    public static boolean stop(Connection c, String migration) throws SQLException {
        c.setAutoCommit(true);
        MigrationSpec spec = ControlSchema.require(c, migration).spec();
        return FeedSlot.of(migration).drop(c, spec);
    }

    /**
     * Watches until {@code stopRequested}, {@link Options#runFor()} or, with {@link Options#untilCaughtUp()}, until
     * everything committed before the start was checked.
     *
     * @param db          plain connections (one is used, for the checks)
     * @param replication opens the {@code replication=database} connection for the slot's stream
     * @param watching    called with the slot's name once every prerequisite held and the slot exists, before the
     *                    first change is read (a refusal comes before it)
     * @param onDrift     called for every drift (after it was recorded)
     * @param log         where warnings go
     */
    public static Result run(ConnectionFactory db, ConnectionFactory replication, String migration, Options o,
                             Consumer<String> watching, Consumer<Drift> onDrift, BooleanSupplier stopRequested,
                             PrintWriter log) throws SQLException {
        long t0 = System.nanoTime();
        WatchStats stats = new WatchStats();
        try (Connection c = db.open()) {
            MigrationState ms = ControlSchema.require(c, migration);
            if (!PARITY_REPAIR.runsIn(ms.phase())) {
                throw new RefusedException("the watch compares the old column with the target, which the driver keeps in step"
                        + " only in DUAL_WRITE and READ_NEW; " + migration + " is in " + ms.phase());
            }
            String slotName = prepare(c, migration);
            watching.accept(slotName);
            FeedSlot slot = FeedSlot.of(migration);
            MigrationSpec spec = ms.spec();
            String keyType = ControlSchema.columnType(c, spec.sourceSchema(), spec.sourceTable(), spec.keyColumn());
            BatchCheck check = new BatchCheck(c, migration, MigrationNames.of(spec), keyType, o, stats, onDrift, log);
            stats.register(migration);
            try (ChangeFeed feed = ChangeFeed.open(replication.open(), slotName)) {
                String marker = o.untilCaughtUp() ? emitMarker(c) : null;
                new Loop(spec, feed, check, stats, o, marker, stopRequested, () -> slot.retainedWalBytes(c)).run();
                stats.retainedWalBytes(slot.retainedWalBytes(c));
            } finally {
                stats.unregister();
            }
            return new Result(slotName, stats.transactions.get(), stats.changes.get(), stats.keysChecked.get(),
                    stats.drifts.get(), stats.repaired.get(), stats.truncates.get(), stats.skipped.get(), stats.lagQuantile(0.5),
                    stats.lagQuantile(1.0), stats.getRetainedWalBytes(), (System.nanoTime() - t0) / 1e9);
        }
    }

    /** A logical message the watch will meet in its own stream after every change committed before now. */
    private static String emitMarker(Connection c) throws SQLException {
        String token = UUID.randomUUID().toString();
        try (PreparedStatement p = c.prepareStatement("SELECT pg_logical_emit_message(false, ?, ?)")) {
            p.setString(1, ChangeFeed.MARKER_PREFIX);
            p.setString(2, token);
            p.executeQuery().close();
        }
        return token;
    }

    @FunctionalInterface
    private interface WalProbe {
        long retainedBytes() throws SQLException;
    }

    /** Reads the stream: transactions into batches, a batch checked when the stream pauses or it is full. */
    private static final class Loop {
        private final MigrationSpec spec;
        private final ChangeFeed feed;
        private final BatchCheck check;
        private final WatchStats stats;
        private final Options o;
        private final String marker;
        private final BooleanSupplier stopRequested;
        private final WalProbe wal;
        /** relid -> index of the key column in its tuples (the source key, or the target key), -1 for neither. */
        private final Map<Integer, Integer> keyIndex = new HashMap<>();
        private Batch batch = new Batch();
        private int batchKeys;
        private long batchStarted;
        private Batch.Tx tx;
        private long confirmed;
        /** The end of the last batch whose first look is done. */
        private long checkedEnd;
        /** Batches with suspects waiting for their re-check, oldest first; the slot is confirmed only up to the oldest. */
        private final Deque<BatchCheck.Suspects> waiting = new ArrayDeque<>();

        Loop(MigrationSpec spec, ChangeFeed feed, BatchCheck check, WatchStats stats, Options o, String marker,
             BooleanSupplier stopRequested, WalProbe wal) {
            this.spec = spec;
            this.feed = feed;
            this.check = check;
            this.stats = stats;
            this.o = o;
            this.marker = marker;
            this.stopRequested = stopRequested;
            this.wal = wal;
        }

        void run() throws SQLException {
            long deadline = o.runFor() == null ? Long.MAX_VALUE : System.nanoTime() + o.runFor().toNanos();
            long nextStatus = System.nanoTime() + STATUS_EVERY_NANOS;
            boolean caughtUp = false;
            while (!caughtUp && !stopRequested.getAsBoolean() && System.nanoTime() < deadline) {
                recheckDue(false);
                ByteBuffer buf = feed.poll();
                if (buf == null) {
                    if (!batch.isEmpty()) {
                        checkBatch();
                    } else {
                        idle();
                    }
                    if (System.nanoTime() > nextStatus) {
                        stats.retainedWalBytes(wal.retainedBytes());
                        nextStatus = System.nanoTime() + STATUS_EVERY_NANOS;
                    }
                    continue;
                }
                caughtUp = take(PgOutput.decode(buf));
            }
            if (!batch.isEmpty()) {
                checkBatch();
            }
            recheckDue(true);
        }

        /** Re-checks the waiting suspects whose grace period is over (all of them when finishing), then confirms. */
        private void recheckDue(boolean finishing) throws SQLException {
            while (!waiting.isEmpty() && (finishing || System.nanoTime() >= waiting.peekFirst().dueNanos())) {
                BatchCheck.Suspects s = waiting.peekFirst();
                if (finishing) {
                    sleepUntil(s.dueNanos());
                }
                check.confirm(s);
                waiting.removeFirst();
                confirmUpTo(waiting.isEmpty() ? checkedEnd : waiting.peekFirst().prevEnd());
            }
        }

        private void confirmUpTo(long lsn) {
            if (lsn > confirmed) {
                feed.confirm(lsn);
                confirmed = lsn;
            }
        }

        /** @return true when this was the watch's own catch-up marker */
        private boolean take(PgOutput.Message m) throws SQLException {
            if (m instanceof PgOutput.Relation r) {
                keyIndex.put(r.relid(), keyColumnOf(r));
            } else if (m instanceof PgOutput.Begin b) {
                tx = new Batch.Tx(b.xid(), b.committedAt());
            } else if (m instanceof PgOutput.Change ch) {
                stats.changes.incrementAndGet();
                int i = keyIndex.getOrDefault(ch.relid(), -1);
                for (String[] tuple : ch.tuples()) {
                    // an unchanged TOASTed key stays unchanged: the other tuple of the update names it
                    if (i >= 0 && i < tuple.length && tuple[i] != null && tuple[i] != PgOutput.UNCHANGED && tx.keys.add(tuple[i])) {
                        batchKeys++;
                    }
                }
            } else if (m instanceof PgOutput.Truncate) {
                tx.truncated = true;
            } else if (m instanceof PgOutput.Commit cm) {
                if (batch.isEmpty()) {
                    batchStarted = System.nanoTime();
                }
                batch.add(tx, cm.endLsn());
                stats.transactions.incrementAndGet();
                tx = null;
                if (batchKeys >= o.maxBatchKeys() || System.nanoTime() - batchStarted > MAX_BATCH_AGE_NANOS) {
                    checkBatch();
                }
            } else if (m instanceof PgOutput.Marker mk) {
                return ChangeFeed.MARKER_PREFIX.equals(mk.prefix()) && mk.content().equals(marker);
            }
            // types and origins (Skipped) carry nothing the check needs
            return false;
        }

        /**
         * The stream is drained and every transaction received was checked: the server's position can be confirmed,
         * so WAL of tables outside the publication is released too.
         */
        private void idle() {
            if (tx == null && waiting.isEmpty()) { // inside a transaction its commit is still to come: confirm nothing yet
                confirmUpTo(feed.lastReceived());
            }
            sleepUntil(System.nanoTime() + IDLE_SLEEP_MILLIS * 1_000_000L);
        }

        private void checkBatch() throws SQLException {
            BatchCheck.Suspects s = check.first(batch, checkedEnd);
            checkedEnd = batch.endLsn;
            if (s != null) {
                waiting.addLast(s);
            } else if (waiting.isEmpty()) {
                confirmUpTo(checkedEnd);
            }
            batch = new Batch();
            batchKeys = 0;
        }

        private static void sleepUntil(long nanoTime) {
            long ms = (nanoTime - System.nanoTime()) / 1_000_000L;
            if (ms > 0) {
                try {
                    Thread.sleep(ms);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private int keyColumnOf(PgOutput.Relation r) {
            boolean target = r.schema().equals(spec.targetSchema()) && r.name().equals(spec.targetTable());
            return r.columns().indexOf(target ? spec.targetKeyColumn() : spec.keyColumn());
        }
    }
}
