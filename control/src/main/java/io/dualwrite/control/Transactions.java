package io.dualwrite.control;

import java.sql.Connection;
import java.sql.SQLException;

/** Control-schema work that must commit as one: inside the caller's transaction, or in one of its own. */
public final class Transactions {

    /** Work on a connection that may throw {@link SQLException}. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run() throws SQLException;
    }

    private Transactions() {
    }

    /**
     * Runs {@code work} in the transaction already open on {@code c} (auto-commit off: the caller commits),
     * or in a new one that commits or rolls back here, restoring auto-commit afterwards.
     */
    public static <T> T inTransaction(Connection c, SqlWork<T> work) throws SQLException {
        if (!c.getAutoCommit()) {
            return work.run();
        }
        c.setAutoCommit(false);
        try {
            T result = work.run();
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }
}
