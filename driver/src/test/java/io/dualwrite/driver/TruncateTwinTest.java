package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TRUNCATE of the migrated table on twins ({@link TwinRun}), with and without a foreign key from the new table to it:
 * the rows of the new table nothing of {@code users} wrote (not primary) stay, as on the original schema; with the
 * key, TRUNCATE without CASCADE fails alike (0A000) and with CASCADE empties both.
 */
@ExtendWith(PostgresExtension.class)
class TruncateTwinTest {

    private static final String NOT_PRIMARY = "SELECT user_id, address FROM email_address WHERE NOT is_primary ORDER BY 1, 2";

    private static final List<String> STATEMENTS = List.of(
            "TRUNCATE users",
            "TRUNCATE users CASCADE",
            "TRUNCATE TABLE ONLY users, orders RESTART IDENTITY",
            "TRUNCATE orders, public.users *",
            "TRUNCATE users; SELECT count(*) FROM email_address WHERE NOT is_primary");

    @ParameterizedTest
    @CsvSource({"DUAL_WRITE, false", "DUAL_WRITE, true", "CONTRACTED, false", "CONTRACTED, true"})
    void asOnTheOriginalSchema(Phase phase, boolean foreignKey, TestDatabase db) throws Exception {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            MigrationFixture.create(db, phase.writesOld() ? phase : Phase.DUAL_WRITE);
            if (foreignKey) {
                for (TestDatabase twin : List.of(plainDb, db)) {
                    twin.execute("ALTER TABLE email_address ADD FOREIGN KEY (user_id) REFERENCES users (id)");
                }
            }
            if (!phase.writesOld()) {
                MigrationFixture.enterTranslatingPhase(db, phase);
            }
            try (TwinRun run = TwinRun.usersAndEmails("TruncateTwinTest " + phase
                    + (foreignKey ? " with a foreign key" : ""), plainDb, db,
                    "SELECT id, name FROM users ORDER BY id", NOT_PRIMARY, "SELECT id FROM orders ORDER BY id")) {
                for (String sql : STATEMENTS) {
                    run.compare(sql, sql, List.of(), true);
                }
                run.report();
                assertThat(run.refused()).isZero();
                // with the key only CASCADE truncates; the rest fail alike
                assertThat(run.translated()).isEqualTo(foreignKey ? 1 : STATEMENTS.size());
            }
        }
    }
}
