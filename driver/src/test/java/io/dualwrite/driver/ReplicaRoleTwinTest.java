package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Writes through the driver in a session with {@code session_replication_role = replica} (a bulk loader's, a restore
 * script's; the test's user is a superuser, who may set it), on twins. PostgreSQL fires no trigger left at its default
 * there: the sync views' INSTEAD OF triggers would count the rows and apply none, the new table silently left behind.
 * Each write either syncs (from NEW_ONLY on a DELETE, through the delete triggers, which fire ALWAYS) or is refused
 * (0A000, nothing changed); a write the driver made is made on the plain twin too, and the new table ends exactly as
 * the plain twin's column.
 */
@ExtendWith(PostgresExtension.class)
class ReplicaRoleTwinTest {

    private static final List<String> WRITES = List.of(
            "UPDATE users SET email = NULL WHERE id = 1",
            "DELETE FROM users WHERE id = 2",
            "UPDATE users SET email = upper(email) WHERE id = 4");

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void theNewTableFollowsOrTheWriteIsRefused(Phase phase, TestDatabase db) throws Exception {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            MigrationFixture.createTables(db);
            MigrationFixture.registerIn(db, phase);
            List<String> refused = new ArrayList<>();
            try (Connection plain = plainDb.connect(); Connection dual = db.connectDualwrite();
                 Statement p = plain.createStatement(); Statement d = dual.createStatement()) {
                p.execute("SET session_replication_role = replica");
                d.execute("SET session_replication_role = replica");
                for (String sql : WRITES) {
                    int count;
                    try {
                        count = d.executeUpdate(sql);
                    } catch (SQLException e) {
                        assertThat(e.getSQLState()).as(sql).isEqualTo("0A000");
                        assertThat(e.getMessage()).as(sql).contains("session_replication_role is replica");
                        refused.add(sql);
                        continue;
                    }
                    assertThat(count).as(sql).isEqualTo(p.executeUpdate(sql));
                }
            }
            Map<Long, String> plainColumn = MigrationFixture.users(plainDb);
            assertThat(MigrationFixture.primaries(db)).as("email_address primary rows in " + phase + " (refused: " + refused + ")")
                    .isEqualTo(MigrationFixture.mirrorOf(plainColumn));
            if (phase.writesOld()) {
                MigrationFixture.assertInSync(db);
            } else {
                assertThat(refused).as("a DELETE is followed by the delete triggers").doesNotContain(WRITES.get(1));
            }
            assertThat(MigrationFixture.nonPrimaryRows(db)).containsExactly("1|ann.old@example.com");
        }
    }
}
