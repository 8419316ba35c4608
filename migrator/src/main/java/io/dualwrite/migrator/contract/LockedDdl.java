package io.dualwrite.migrator.contract;

import io.dualwrite.control.phase.PhaseRefusedException;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.db.Rollback;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One transaction of DDL on a table the application is using, under a short {@code lock_timeout}, retried with
 * exponential backoff. A DDL lock request queues every later query of the table behind it: waiting long behind
 * an old transaction would stall the application, so it gives up quickly and tries again. A deadlock with an
 * application statement (40P01) is retried the same way.
 */
public final class LockedDdl {

    /** The work inside the transaction. */
    @FunctionalInterface
    public interface Work {
        void run(Connection c) throws SQLException;
    }

    private LockedDdl() {
    }

    /**
     * Runs {@code work} in one transaction on {@code c} (auto-commit on before and after).
     *
     * @param what the lock wanted, for the messages ("the lock on users")
     * @return the attempts it took
     */
    public static int run(Connection c, Duration lockTimeout, int attempts, String what, Consumer<String> log, Work work)
            throws SQLException {
        for (int attempt = 1; ; attempt++) {
            c.setAutoCommit(false);
            try {
                try (Statement s = c.createStatement()) {
                    s.execute("SET LOCAL lock_timeout = '" + lockTimeout.toMillis() + "ms'");
                }
                work.run(c);
                c.commit();
                c.setAutoCommit(true);
                return attempt;
            } catch (PhaseRefusedException e) {
                rollback(c, e);
                throw new RefusedException(e.getMessage());
            } catch (SQLException e) {
                rollback(c, e);
                boolean lockWait = "55P03".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
                if (!lockWait) {
                    throw e;
                }
                if (attempt >= attempts) {
                    throw new RefusedException("could not get " + what + " within " + lockTimeout.toMillis() + " ms in "
                            + attempt + " attempts (a long transaction holds it); nothing was changed. Try again later.");
                }
                long backoff = Math.min(30_000, 250L << Math.min(attempt, 7));
                log.accept((e.getSQLState().equals("40P01") ? "deadlock with an application statement" : "lock_timeout")
                        + " waiting for " + what + " (attempt " + attempt + "), retrying in " + backoff + " ms");
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            } catch (RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        }
    }

    private static void rollback(Connection c, Exception failure) throws SQLException {
        Rollback.after(c, failure);
        if (!c.isClosed()) { // else the failure is the one to report
            c.setAutoCommit(true);
        }
    }
}
