package io.dualwrite.migrator.watch;

import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.db.Connections;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A migration in DUAL_WRITE, backfilled, on the logical-decoding test server, with a watch running in a
 * background thread; the drifts it reports are collected for the test to wait on.
 */
final class WatchHarness implements AutoCloseable {

    static final String MIGRATION = "users.email";

    final TestDatabase db = PostgresServer.logical().createDatabase();
    final List<Drift> drifts = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicReference<Watch.Result> result = new AtomicReference<>();
    private final StringWriter log = new StringWriter();
    private Thread thread;

    /** users with {@code users} rows, expanded, DUAL_WRITE, backfilled; {@code setup} runs (plain SQL) before expand. */
    WatchHarness(int users, String... setup) throws SQLException {
        Fixtures.createUsers(db, users);
        for (String sql : setup) {
            db.execute(sql);
        }
        Fixtures.expandAndDualWrite(db);
        Fixtures.Run b = Fixtures.cli("backfill", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", MIGRATION);
        if (b.code() != 0) {
            throw new AssertionError("backfill failed: " + b);
        }
    }

    /** Creates the slot (changes from here on are kept) and starts watching. */
    WatchHarness start(boolean repair) throws SQLException {
        try (Connection c = db.connect()) {
            Watch.prepare(c, MIGRATION);
        }
        Watch.Options o = new Watch.Options(repair, Duration.ofMillis(200), null, false, 5000);
        stop.set(false);
        thread = new Thread(() -> {
            try {
                result.set(Watch.run(db::connect, this::replication, MIGRATION, o, slot -> { }, drifts::add, stop::get, new PrintWriter(log)));
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "watch");
        thread.start();
        return this;
    }

    Connection replication() {
        return Connections.openReplication(db.jdbcUrl(), db.user(), db.password(), "dualwrite-watch-test");
    }

    /** The first drift matching, waiting up to 30 s. */
    Drift await(Predicate<Drift> which) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (Drift d : drifts) {
                if (which.test(d)) {
                    return d;
                }
            }
            if (failure.get() != null) {
                throw new AssertionError("the watch failed", failure.get());
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no matching drift within 30 s; drifts: " + drifts + "; log: " + log);
    }

    Drift awaitKey(long key) throws InterruptedException {
        return await(d -> d.key().equals(Long.toString(key)));
    }

    /** Rows out of sync now (old column vs primary target row, plus orphaned primary rows), as dualwrite parity counts them. */
    long parity() throws SQLException {
        return db.queryLong(Fixtures.PARITY);
    }

    /** CPU seconds the watch's thread has used (the JVM side of the watch). */
    double watchThreadCpuSeconds() {
        return ManagementFactory.getThreadMXBean().getThreadCpuTime(thread.getId()) / 1e9;
    }

    /** Drops the slot and the publication (watch --stop). */
    void dropSlot() throws SQLException {
        try (Connection c = db.connect()) {
            Watch.stop(c, MIGRATION);
        }
    }

    /** Stops the watch and returns its result. */
    Watch.Result stopWatch() throws InterruptedException {
        stop.set(true);
        thread.join(30_000);
        if (failure.get() != null) {
            throw new AssertionError("the watch failed", failure.get());
        }
        return result.get();
    }

    @Override
    public void close() throws Exception {
        if (thread != null && thread.isAlive()) {
            stop.set(true);
            thread.join(30_000);
        }
        db.close();
    }
}
