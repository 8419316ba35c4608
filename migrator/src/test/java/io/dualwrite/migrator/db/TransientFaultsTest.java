package io.dualwrite.migrator.db;

import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.UsageException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import java.net.SocketException;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

class TransientFaultsTest {

    @Test
    void lostConnectionsRestartsAndSerializationFailuresAreTransient() {
        assertThat(TransientFaults.describe(new SQLException("terminating connection due to administrator command", "57P01")))
                .isEqualTo("57P01 terminating connection due to administrator command");
        for (String state : new String[] {"57P02", "57P03", "40001", "40P01", "08006", "08003", "08001"}) {
            assertThat(TransientFaults.isTransient(new SQLException("x", state))).as(state).isTrue();
        }
        assertThat(TransientFaults.isTransient(new PSQLException("I/O error", PSQLState.CONNECTION_FAILURE))).isTrue();
        assertThat(TransientFaults.describe(new SQLException("copy failed", null, new SocketException("Broken pipe"))))
                .isEqualTo("I/O error Broken pipe");
        assertThat(TransientFaults.isTransient(new TransientFaults.StillHeld("the lost session's lock"))).isTrue();
        assertThat(TransientFaults.isTransient(new SQLException("lock_timeout in an application's own DDL", "55P03")))
                .as("only the lock a lost session left behind is waited out").isFalse();
    }

    @Test
    void aFailedReconnectIsSeenThroughItsUsageMessage() {
        UsageException refused = new UsageException("could not connect to jdbc:postgresql://db/app: Connection refused",
                new SQLException("Connection refused", "08001"));
        assertThat(TransientFaults.describe(refused)).startsWith("08001");
        UsageException badPassword = new UsageException("could not connect",
                new SQLException("password authentication failed for user \"app\"", "28P01"));
        assertThat(TransientFaults.isTransient(badPassword)).as("a wrong password fails the same way every time").isFalse();
    }

    @Test
    void everythingElseIsFatal() {
        assertThat(TransientFaults.isTransient(new SQLException("duplicate key", "23505"))).isFalse();
        assertThat(TransientFaults.isTransient(new SQLException("relation does not exist", "42P01"))).isFalse();
        assertThat(TransientFaults.isTransient(new SQLException("no state"))).isFalse();
        assertThat(TransientFaults.isTransient(new RefusedException("gate not met"))).isFalse();
        assertThat(TransientFaults.isTransient(new IllegalStateException("bug"))).isFalse();
    }
}
