package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A PreparedStatement prepared before the contract and described after it ({@code getParameterMetaData}, as Spring's
 * {@code setNull} does, or {@code getMetaData}): it describes the form of the phase it is described in, not the one it
 * was prepared with, which names a column that is gone; the application's transaction goes on unharmed.
 */
@ExtendWith(PostgresExtension.class)
class DescribeAfterPhaseChangeTest {

    /** The statement is prepared anew in the new phase's form; what the application asked of the old one carries over. */
    @Test
    void closeOnCompletionSurvivesThePhaseChange(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        try (Connection dual = db.connectDualwrite();
             PreparedStatement read = dual.prepareStatement("SELECT id, email FROM users WHERE id = ?")) {
            read.closeOnCompletion();
            MigrationFixture.setPhase(db, Phase.READ_NEW);
            MigrationFixture.awaitApplied(db, Phase.READ_NEW);
            read.setLong(1, 2);
            try (ResultSet rs = read.executeQuery()) {
                assertThat(rs.next()).isTrue();
            }
            assertThat(read.isCloseOnCompletion()).isTrue();
            assertThat(read.isClosed()).isTrue();
        }
    }

    /** Describing in the new phase's form leaves the statement's own results alone, as PgJDBC's describe does. */
    @Test
    void aDescribeAfterThePhaseChangeKeepsTheOpenResultAndTheUpdateCount(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        try (Connection dual = db.connectDualwrite();
             PreparedStatement read = dual.prepareStatement("SELECT id, email FROM users WHERE id >= ? ORDER BY id");
             PreparedStatement write = dual.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
            read.setLong(1, 1);
            ResultSet rs = read.executeQuery();
            assertThat(rs.next()).isTrue();
            write.setString(1, "counted@example.com");
            write.setLong(2, 3);
            assertThat(write.execute()).isFalse();
            MigrationFixture.setPhase(db, Phase.READ_NEW);
            MigrationFixture.awaitApplied(db, Phase.READ_NEW);
            assertThat(read.getMetaData().getColumnLabel(2)).isEqualTo("email");
            assertThat(write.getParameterMetaData().getParameterCount()).isEqualTo(2);
            assertThat(rs.isClosed()).isFalse();
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(2);
            assertThat(write.getUpdateCount()).isOne();
        }
    }

    @Test
    void statementsPreparedBeforeTheContractDescribeAsAfterIt(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.READ_NEW);
        try (Connection dual = db.connectDualwrite();
             PreparedStatement write = dual.prepareStatement("UPDATE users SET email = ? WHERE id = ?");
             PreparedStatement read = dual.prepareStatement("SELECT id, email FROM users WHERE id = ?")) {
            MigrationFixture.enterTranslatingPhase(db, Phase.CONTRACTED);
            MigrationFixture.awaitApplied(db, Phase.CONTRACTED);
            dual.setAutoCommit(false);
            try (Statement s = dual.createStatement()) {
                s.executeUpdate("UPDATE orders SET note = 'kept' WHERE id = 100");
            }
            assertThat(write.getParameterMetaData().getParameterCount()).isEqualTo(2);
            assertThat(read.getMetaData().getColumnLabel(2)).isEqualTo("email");
            assertThat(read.getParameterMetaData().getParameterCount()).isOne();
            write.setString(1, "after@example.com");
            write.setLong(2, 2);
            assertThat(write.executeUpdate()).isOne();
            dual.commit();
        }
        assertThat(db.queryString("SELECT note FROM orders WHERE id = 100")).isEqualTo("kept");
        assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 2 AND is_primary"))
                .isEqualTo("after@example.com");
    }
}
