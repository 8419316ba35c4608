package io.dualwrite.driver.runtime;

import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;

import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Whether this instance knows the phases of one database: it does for a bound (connection property
 * {@value #PROPERTY}, default {@value #DEFAULT_BOUND_MILLIS} ms) after the start of the follower's last
 * complete round, a read of the control schema and the acknowledgement of what it applies. The bound is below {@link Fleet#STALE_AFTER}
 * on purpose: gates stop waiting for an instance that has not acknowledged for that long, so an instance
 * must stop guessing before the fleet may move on without it. A timer of its own ends the knowledge when
 * the bound passes, not the follower, so a follower stuck in a connect or on a hung socket cannot keep the
 * phase "known"; the timer also logs the change on time.
 *
 * <p>{@link #known()} is the statement path's check: one volatile read, no lock, no allocation (reading
 * the clock there costs ~100 ns on some virtual machines, more than the rest of the path). Everything else
 * here runs on the follower, the timer, at connect, or on a refusal.
 */
public final class PhaseFreshness {

    /** Connection property (or URL parameter): how long a round's read stays good, in milliseconds. */
    static final String PROPERTY = "dualwritePhaseStaleMillis";
    static final long DEFAULT_BOUND_MILLIS = 10_000;
    /** object_not_in_prerequisite_state: the driver's state, not the statement, is the problem; retrying may succeed. */
    public static final String REFUSED_SQLSTATE = "55000";

    private static final System.Logger LOG = System.getLogger("io.dualwrite.driver");

    /** What this instance knows of the phases, for JMX and the log. */
    public enum State {
        /** Acknowledged within the bound: every statement runs in the phase it reads. */
        KNOWN,
        /** Not acknowledged within the bound, but gates still wait for this instance: reads of the old column run. */
        STALE,
        /** Not acknowledged for {@link Fleet#STALE_AFTER}: gates may move on without this instance; nothing on a migration runs. */
        LOST,
        /** Never acknowledged since this runtime started: nothing on a migration runs. */
        UNKNOWN
    }

    /** One daemon thread for the JVM: ends each database's knowledge when its bound passes. */
    private static final ScheduledThreadPoolExecutor EXPIRY = expiryTimer();

    private final String database;
    private final long boundNanos;
    /** Whether anyone uses the database now: a database whose connections all closed has nothing to warn about. */
    private final BooleanSupplier inUse;
    /** The statement path's flag: set by a complete round, cleared by the timer at {@link #knownUntil}. */
    private volatile boolean known;
    private volatile long knownUntil = System.nanoTime();
    /** Guarded by {@code this}: the timer task of the latest round. */
    private ScheduledFuture<?> expiry;
    /** nanoTime of the start of the last complete round; meaningful once {@link #acknowledged}. */
    private volatile long acknowledgedAt;
    private volatile boolean acknowledged;
    private volatile String lastFailure;
    /** The state last written to the log: each change is logged once, whoever notices it first. */
    private final AtomicReference<State> announced = new AtomicReference<>(State.KNOWN);
    /** Guarded by {@code this}: a connection waits for a round, so the follower's back-off pause ends early. */
    private boolean wanted;

    PhaseFreshness(String database, long boundMillis, BooleanSupplier inUse) {
        this.database = database;
        this.boundNanos = TimeUnit.MILLISECONDS.toNanos(boundMillis);
        this.inUse = inUse;
    }

    private static ScheduledThreadPoolExecutor expiryTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "dualwrite-phase-expiry");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** The bound of a database from its connection properties or URL; a bad value fails the connection with 08001. */
    static long boundOf(String pgUrl, Properties info) throws SQLException {
        String value = ConnectionSettings.value(pgUrl, info, PROPERTY);
        if (value == null) {
            return DEFAULT_BOUND_MILLIS;
        }
        long max = Fleet.STALE_AFTER.toMillis();
        try {
            long millis = Long.parseLong(value.trim());
            if (millis > 0 && millis < max) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // reported below, with the value
        }
        throw new SQLException(PROPERTY + " must be a number of milliseconds above 0 and below " + max
                + " (the silence after which gates stop waiting for an instance), got '" + value + "'", "08001");
    }

    /** The statement path's check: the phases were acknowledged within the bound. */
    public boolean known() {
        return known;
    }

    public State state() {
        long now = System.nanoTime();
        if (known && now - knownUntil < 0) {
            return State.KNOWN;
        }
        if (!acknowledged) {
            return State.UNKNOWN;
        }
        return now - acknowledgedAt < Fleet.STALE_AFTER.toNanos() ? State.STALE : State.LOST;
    }

    /** The state in words, for JMX and refusals: since when, and the follower's last error. */
    public String describe() {
        State state = state();
        StringBuilder b = new StringBuilder(state.name()).append(": ");
        if (state == State.UNKNOWN) {
            b.append("the control schema of ").append(database).append(" was never read and acknowledged by this instance");
        } else {
            b.append(state == State.KNOWN ? "read and acknowledged " : "not read and acknowledged for ")
                    .append(String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - acknowledgedAt) / 1e9));
            if (state != State.KNOWN) {
                b.append(" (the bound is ").append(TimeUnit.NANOSECONDS.toMillis(boundNanos)).append(" ms)");
            }
        }
        String failure = lastFailure;
        if (state != State.KNOWN && failure != null) {
            b.append("; last error: ").append(failure);
        }
        return b.toString();
    }

    /** A follower round that started at {@code startNanos} read the control schema and acknowledged. */
    void followed(long startNanos) {
        acknowledgedAt = startNanos;
        acknowledged = true;
        lastFailure = null;
        synchronized (this) {
            knownUntil = startNanos + boundNanos;
            known = true;
            if (expiry != null) {
                expiry.cancel(false);
            }
            expiry = EXPIRY.schedule(this::expire, knownUntil - System.nanoTime(), TimeUnit.NANOSECONDS);
            wanted = false;
            notifyAll();
        }
        observe();
    }

    /** The timer: the bound of the latest round passed (a task of an earlier round that ran late finds it has not). */
    private void expire() {
        synchronized (this) {
            if (System.nanoTime() - knownUntil < 0) {
                return;
            }
            known = false;
        }
        if (inUse.getAsBoolean()) {
            observe();
        }
    }

    /** A follower round failed: its error goes into the state's description (the state itself changes with time). */
    void failed(Exception e) {
        lastFailure = e.toString();
    }

    /**
     * Logs the state once per change, whoever notices it first (the follower after each round and each
     * pause, a refused statement, a connection that waited in vain).
     */
    void observe() {
        State now = state();
        State before = announced.get();
        if (now == before || !announced.compareAndSet(before, now)) {
            return;
        }
        switch (now) {
            case KNOWN -> LOG.log(System.Logger.Level.INFO, "dualwrite: the phases of " + database
                    + " are known again; statements on migrated tables run in them");
            case STALE -> LOG.log(System.Logger.Level.WARNING, "dualwrite: the phases of " + database + " are no longer known ("
                    + describe() + "): writes to migrated tables and reads of their new tables are refused until the"
                    + " follower reads the control schema again; it retries on its own");
            case LOST -> LOG.log(System.Logger.Level.WARNING, "dualwrite: the phases of " + database + " are lost (" + describe()
                    + "): gates no longer wait for this instance, so every statement on a migrated column is refused until"
                    + " the follower reads the control schema again");
            case UNKNOWN -> LOG.log(System.Logger.Level.WARNING, "dualwrite: cannot learn the phases of " + database + " ("
                    + describe() + "): statements on migrated columns are refused until the follower reads the control schema");
        }
    }

    /**
     * At connect: waits (at most the bound) until a round acknowledged, so a new connection starts from
     * the phase in the control schema; wakes a follower pausing between attempts. Returns either way:
     * a connection whose phase is not known refuses what it must, statement by statement.
     */
    void awaitKnown() {
        if (known()) {
            return;
        }
        long deadline = System.nanoTime() + boundNanos;
        synchronized (this) {
            wanted = true;
            notifyAll();
            long left;
            while (!known() && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        observe();
    }

    /** The follower's pause between failed attempts; ends early when a new connection waits for the phase. */
    synchronized void pause(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long left;
        while (!wanted && (left = deadline - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        wanted = false;
    }

    /**
     * While the phases are not {@link #known()}: null when the statement may still run in {@code phase}, else
     * the refusal (counted). Reads of the old column run while the fleet still waits for this instance
     * ({@link State#STALE}): every move it can make without this instance's acknowledgement keeps writing the
     * old column (leaving READ_NEW for NEW_ONLY waits for every live instance). Everything else is refused:
     * writes, because they would write one side only if the fleet moved on; reads of the new table, because
     * READ_NEW → DUAL_WRITE → EXPANDED need no acknowledgement and leave the new table unmaintained; and any
     * statement the plan refuses in some phase, since it may write what the driver cannot rewrite.
     */
    public SQLException refusal(RewritePlan plan, MigrationRuntime migration, Phase phase) {
        State state = state();
        // a statement another migration rewrites too is not judged by this plan alone: refused while stale
        if (state == State.KNOWN || (state == State.STALE && !phase.readsNew() && readsOnly(plan)
                && plan.alsoRewrittenBy().isEmpty())) {
            return null;
        }
        observe();
        migration.countUnknownPhaseRefusal();
        return new SQLTransientException("dualwrite refused the statement on migration " + migration.spec().name()
                + ": its phase is not known (" + describe() + "). Until this instance reads the control schema again,"
                + (state == State.STALE ? " writes to the migrated table and reads of its new table are refused"
                : " every statement on the migrated column is refused")
                + ", so that none runs in a phase the fleet may have left. The driver reconnects on its own: retry later;"
                + " if it persists, check that the database is reachable and that the follower's connection"
                + " (application_name " + PhaseFollower.APPLICATION_NAME + ") can read dualwrite.migration and write"
                + " dualwrite.instance.", REFUSED_SQLSTATE);
    }

    /** Whether the statement is a read of the migration in every phase (never a write, never refused). */
    private static boolean readsOnly(RewritePlan plan) {
        for (Phase p : Phase.values()) {
            Rewrite r = plan.forPhase(p);
            if (r instanceof Rewrite.Rejected || r instanceof Rewrite.Rewritten w && w.kind() != Rewrite.Kind.READ_NEW) {
                return false;
            }
        }
        return true;
    }

    long boundMillis() {
        return TimeUnit.NANOSECONDS.toMillis(boundNanos);
    }
}
