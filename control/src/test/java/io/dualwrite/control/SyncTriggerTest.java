package io.dualwrite.control;

import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static io.dualwrite.control.ControlTablesTest.SPEC;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the backfill's barrier reads from the sync trigger's delete branch (migrator README, "The backfill"):
 * until the deleting transaction ends, the migration's sync lock is held and the delete counter has moved; the
 * target row is gone. A new value takes neither.
 */
@ExtendWith(PostgresExtension.class)
class SyncTriggerTest {

    private static final String SYNC = "INSERT INTO dualwrite.sync_users_email (k, v, deleted) VALUES ";

    @Test
    void aDeleteHoldsTheSyncLockUntilCommitAndMovesTheCounter(TestDatabase db) throws Exception {
        ControlTablesTest.createUsers(db);
        db.execute("INSERT INTO email_address VALUES (1, 'a@example.com', true), (2, 'b@example.com', true)");
        try (Connection writer = db.connect(); Connection backfill = db.connect()) {
            ControlSchema.register(writer, SPEC);
            long lock = SyncTrigger.syncLockKey(backfill, SPEC);
            long before = counter(backfill);
            writer.setAutoCommit(false);
            try (Statement s = writer.createStatement()) {
                assertThat(s.executeUpdate(SYNC + "(1, NULL, true), (2, NULL, false)")).isEqualTo(2);
            }
            assertThat(tryLock(backfill, lock)).as("sync lock free while the deletes are uncommitted").isFalse();
            assertThat(counter(backfill)).as("delete counter").isEqualTo(before + 2);
            writer.commit();
            assertThat(tryLock(backfill, lock)).as("sync lock free after commit").isTrue();
        }
        assertThat(db.queryLong("SELECT count(*) FROM email_address")).isZero();
    }

    @Test
    void aNewValueTakesNeitherLockNorCounter(TestDatabase db) throws Exception {
        ControlTablesTest.createUsers(db);
        try (Connection writer = db.connect(); Connection backfill = db.connect()) {
            ControlSchema.register(writer, SPEC);
            long before = counter(backfill);
            writer.setAutoCommit(false);
            try (Statement s = writer.createStatement()) {
                assertThat(s.executeUpdate(SYNC + "(1, 'a@example.com', false)")).isEqualTo(1);
            }
            assertThat(tryLock(backfill, SyncTrigger.syncLockKey(backfill, SPEC))).isTrue();
            assertThat(counter(backfill)).isEqualTo(before);
            writer.commit();
        }
        assertThat(db.queryLong("SELECT count(*) FROM email_address WHERE address = 'a@example.com'")).isEqualTo(1);
    }

    /** The backfill's barrier: try the lock exclusively and release it at once. */
    private static boolean tryLock(Connection c, long key) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT CASE WHEN pg_try_advisory_lock(" + key + ") THEN pg_advisory_unlock(" + key + ") ELSE false END")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static long counter(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM " + SyncTrigger.deleteCounterName(SPEC))) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
