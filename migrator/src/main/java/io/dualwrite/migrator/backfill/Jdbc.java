package io.dualwrite.migrator.backfill;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Small JDBC helpers the backfill's parts share. */
final class Jdbc {

    private Jdbc() {
    }

    /** Runs one statement with bind parameters. */
    static void exec(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                p.setObject(i + 1, params[i]);
            }
            p.execute();
        }
    }

    /** Sleeps; an interrupt ends the sleep early and stays set on the thread. */
    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
