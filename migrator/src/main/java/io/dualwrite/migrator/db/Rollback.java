package io.dualwrite.migrator.db;

import java.sql.Connection;
import java.sql.SQLException;

/** Rolling back after a failure without hiding it: on a lost connection the rollback fails too, and says less. */
public final class Rollback {

    private Rollback() {
    }

    /** Rolls {@code c} back after {@code failure}; a rollback that fails is added to {@code failure} as suppressed. */
    public static void after(Connection c, Exception failure) {
        try {
            if (!c.isClosed()) {
                c.rollback();
            }
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }
}
