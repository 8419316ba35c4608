package io.dualwrite.migrator;

import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.testing.TestDatabase;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * What the database sees of a driver instance that is connected but cannot read the control schema (its role has no
 * grant, say): a follower session that keeps polling and never heartbeats. Real sessions, no driver: the gates count
 * them against the heartbeats.
 */
public final class SilentInstance implements AutoCloseable {

    private final Connection session;
    private final Thread poller;

    public SilentInstance(TestDatabase db) throws SQLException {
        Properties p = db.properties();
        p.setProperty("ApplicationName", Fleet.FOLLOWER_APPLICATION_NAME);
        session = DriverManager.getConnection(db.jdbcUrl(), p);
        poller = new Thread(this::poll, "silent instance " + db.name());
        poller.setDaemon(true);
        poller.start();
    }

    /** A round every 500 ms, as a follower's: its session stays active (state_change), so it is not taken as gone. */
    private void poll() {
        try (Statement s = session.createStatement()) {
            while (!Thread.currentThread().isInterrupted()) {
                s.execute("SELECT 1");
                Thread.sleep(500);
            }
        } catch (SQLException | InterruptedException e) {
            // closed
        }
    }

    @Override
    public void close() throws SQLException {
        poller.interrupt();
        try {
            poller.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        session.close();
    }
}
