package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A multi-row {@code INSERT … VALUES} of the size an ORM's bulk insert sends (MyBatis' {@code <foreach>}, jOOQ's
 * {@code values(…).values(…)}): the translation writes each row in a WITH query of its own and gives the rows to the
 * sync in one UNION ALL, which past some thousand rows exceeded PostgreSQL's stack (54001) where the original ran; on
 * twins, with and without ON CONFLICT.
 */
@ExtendWith(PostgresExtension.class)
class LargeMultiRowInsertTwinTest {

    private static final int ROWS = 12_000;

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void thousandsOfRowsInOneStatement(Phase phase, TestDatabase db) throws Exception {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            MigrationFixture.create(db, Phase.READ_NEW);
            MigrationFixture.enterTranslatingPhase(db, phase);
            try (TwinRun run = TwinRun.usersAndEmails("LargeMultiRowInsertTwinTest " + phase, plainDb, db,
                    "SELECT count(*), sum(id), string_agg(name, ',' ORDER BY id) FILTER (WHERE id % 997 = 0) FROM users")) {
                run.compare("insert", values("INSERT INTO users (id, name, email) VALUES ", 1_000, ""), parameters(1_000), true);
                run.compare("upsert", values("INSERT INTO users (id, name, email) VALUES ", 1, " ON CONFLICT (id) DO UPDATE"
                        + " SET email = EXCLUDED.email, name = EXCLUDED.name"), parameters(1), true);
                run.report();
                assertThat(run.refused()).isZero();
            }
        }
    }

    private static String values(String head, int firstId, String tail) {
        StringJoiner rows = new StringJoiner(", ", head, tail);
        for (int i = 0; i < ROWS; i++) {
            rows.add("(?, ?, ?)");
        }
        return rows.toString();
    }

    /** From {@code firstId} on: every third row without an email, the others each their own. */
    private static List<Object> parameters(int firstId) {
        List<Object> params = new ArrayList<>(3 * ROWS);
        for (int i = 0; i < ROWS; i++) {
            long id = firstId + i;
            params.add(id);
            params.add("n" + id);
            params.add(id % 3 == 0 ? null : "u" + id + "@example.com");
        }
        return params;
    }
}
