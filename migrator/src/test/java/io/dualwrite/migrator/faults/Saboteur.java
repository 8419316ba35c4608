package io.dualwrite.migrator.faults;

import io.dualwrite.testing.ServerFaults;
import io.dualwrite.testing.TestDatabase;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A watcher thread that injects faults into a running command as its progress (a query on the command's own
 * checkpoint tables, 0 to 1) passes each planned mark: it terminates the command's backends (found by
 * application_name) or restarts the server. A terminate that finds no backend (the command is between connections)
 * is tried again on the next poll, so every planned fault hits the command. What it did is in {@link #done()}.
 */
final class Saboteur implements AutoCloseable {

    enum Kind { TERMINATE_ALL, TERMINATE_ONE_BUSY, RESTART }

    record Fault(double atProgress, Kind kind) {
        /** Terminates every backend of the command. */
        static Fault terminate(double at) {
            return new Fault(at, Kind.TERMINATE_ALL);
        }

        /** Terminates one backend of the command that is running a statement: one worker, mid-batch. */
        static Fault terminateOneBusy(double at) {
            return new Fault(at, Kind.TERMINATE_ONE_BUSY);
        }

        static Fault restart(double at) {
            return new Fault(at, Kind.RESTART);
        }
    }

    private final TestDatabase db;
    private final String applicationNamePattern;
    private final String progressSql;
    private final List<Fault> plan;
    private final List<String> done = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean stop;
    private volatile Throwable failure;

    Saboteur(TestDatabase db, String applicationNamePattern, String progressSql, List<Fault> plan) {
        this.db = db;
        this.applicationNamePattern = applicationNamePattern;
        this.progressSql = progressSql;
        this.plan = new ArrayList<>(plan);
        this.thread = new Thread(this::watch, "saboteur");
        thread.setDaemon(true);
        thread.start();
    }

    private void watch() {
        ServerFaults faults = ServerFaults.of(db);
        int next = 0;
        try {
            while (!stop && next < plan.size()) {
                Fault f = plan.get(next);
                double progress = progress();
                if (progress >= f.atProgress()) {
                    if (f.kind() == Kind.RESTART) {
                        faults.restart();
                        done.add(String.format("restart at %.2f", progress));
                        next++;
                    } else {
                        int n = f.kind() == Kind.TERMINATE_ALL ? faults.terminateBackends(applicationNamePattern) : terminateOneBusy();
                        if (n > 0) {
                            done.add(String.format("terminated %d at %.2f", n, progress));
                            next++;
                        }
                    }
                }
                Thread.sleep(10);
            }
        } catch (Throwable e) {
            failure = e;
        }
    }

    private int terminateOneBusy() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM (SELECT pid FROM pg_stat_activity"
                        + " WHERE datname = current_database() AND application_name LIKE '" + applicationNamePattern + "'"
                        + " AND state = 'active' LIMIT 1) busy")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The command's progress, 0 before its checkpoint exists, also while the server restarts. */
    private double progress() {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(progressSql)) {
            return rs.next() ? rs.getDouble(1) : 0;
        } catch (SQLException e) {
            return 0; // no checkpoint table yet
        }
    }

    /**
     * The faults injected, in order ("terminated 2 at 0.31", "restart at 0.52"); only once closed: the command under
     * test may end while a fault's call is still returning (a restart ends the command's blocker before the server is
     * up again), and the fault counts all the same.
     */
    List<String> done() {
        if (thread.isAlive()) {
            throw new IllegalStateException("read the faults after close(): a fault may still be in progress");
        }
        return List.copyOf(done);
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join();
        if (failure != null) {
            throw new AssertionError("the saboteur failed", failure);
        }
    }
}
