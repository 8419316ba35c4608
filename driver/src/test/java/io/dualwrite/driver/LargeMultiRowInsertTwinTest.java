package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.rewrite.ParameterLimit;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
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
 * twins, with and without ON CONFLICT. A translation that would need more parameters than PostgreSQL takes is refused.
 */
@ExtendWith(PostgresExtension.class)
class LargeMultiRowInsertTwinTest {

    /**
     * Rows per statement: 12,000 (the per-row chain exceeded the stack from about 9,000), where the server takes it.
     * Before PostgreSQL 16 a statement has at most about 65,000 range table entries, which the per-row WITH queries
     * reach near 12,000 rows (54000, "too many range table entries"): a limit of this form there, not lifted.
     */
    private static int rows(TestDatabase db) throws SQLException {
        try (Connection c = db.connect()) {
            return c.getMetaData().getDatabaseMajorVersion() >= 16 ? 12_000 : 6_000;
        }
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void thousandsOfRowsInOneStatement(Phase phase, TestDatabase db) throws Exception {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            MigrationFixture.create(db, Phase.READ_NEW);
            MigrationFixture.enterTranslatingPhase(db, phase);
            try (TwinRun run = TwinRun.usersAndEmails("LargeMultiRowInsertTwinTest " + phase, plainDb, db,
                    "SELECT count(*), sum(id), string_agg(name, ',' ORDER BY id) FILTER (WHERE id % 997 = 0) FROM users")) {
                int rows = rows(db);
                run.compare("insert", values(rows, ""), parameters(rows, 1_000), true);
                run.compare("upsert", values(rows, UPSERT), parameters(rows, 1), true);
                // 65,535 parameters, the most PostgreSQL takes, which ON CONFLICT's translation repeats: refused (0A000),
                // where PgJDBC would refuse the translation with 22023 naming a count the application never sent
                int most = ParameterLimit.MAX_PARAMETERS / 3;
                run.compare("upsert of the most parameters", values(most, UPSERT), parameters(most, 1), true);
                run.report();
                assertThat(run.refused()).isEqualTo(1);
            }
        }
    }

    private static final String UPSERT = " ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name";

    private static String values(int count, String tail) {
        StringJoiner rows = new StringJoiner(", ", "INSERT INTO users (id, name, email) VALUES ", tail);
        for (int i = 0; i < count; i++) {
            rows.add("(?, ?, ?)");
        }
        return rows.toString();
    }

    /** From {@code firstId} on: every third row without an email, the others each their own. */
    private static List<Object> parameters(int count, int firstId) {
        List<Object> params = new ArrayList<>(3 * count);
        for (int i = 0; i < count; i++) {
            long id = firstId + i;
            params.add(id);
            params.add("n" + id);
            params.add(id % 3 == 0 ? null : "u" + id + "@example.com");
        }
        return params;
    }
}
