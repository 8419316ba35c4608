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
 * Reads of the migrated column in grouped queries on twins ({@link TwinRun}), the key being the primary key or only
 * unique. PostgreSQL lets a column outside GROUP BY through when the primary key is grouped (functional dependency),
 * not when a key that is only unique is; the new table's read, a subquery on the key, passes wherever the key is
 * grouped. So the driver's read also tests ctid, which PostgreSQL lets through exactly where it lets the column.
 */
@ExtendWith(PostgresExtension.class)
class GroupedByKeyTwinTest {

    /** The first {@link #ONLY_BY_PRIMARY_KEY} pass on the original schema only when {@code id} is the primary key. */
    private static final List<String> STATEMENTS = List.of(
            "SELECT id, email FROM users GROUP BY id ORDER BY id",
            "SELECT id, (SELECT users.email) FROM users GROUP BY id ORDER BY id",
            "SELECT id FROM users GROUP BY id HAVING email IS NOT NULL ORDER BY id",
            "SELECT u.id, upper(u.email) FROM users u JOIN orders o ON o.user_id = u.id GROUP BY u.id ORDER BY 1",
            "SELECT email, count(*) FROM users GROUP BY email ORDER BY 1 NULLS FIRST",
            "SELECT lower(email) FROM users GROUP BY email, id ORDER BY 1",
            "SELECT name FROM users WHERE email LIKE '%e%' GROUP BY name ORDER BY 1",
            "SELECT name, max(email) FROM users GROUP BY name HAVING count(email) > 0 ORDER BY 1");
    private static final int ONLY_BY_PRIMARY_KEY = 4;

    @ParameterizedTest
    @CsvSource({"READ_NEW, true", "READ_NEW, false", "CONTRACTED, true", "CONTRACTED, false"})
    void asOnTheOriginalSchema(Phase phase, boolean primaryKey, TestDatabase db) throws Exception {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            MigrationFixture.createTables(db);
            if (!primaryKey) {
                for (TestDatabase twin : List.of(plainDb, db)) {
                    twin.execute("ALTER TABLE users DROP CONSTRAINT users_pkey, ADD CONSTRAINT users_id_key UNIQUE (id),"
                            + " ALTER id SET NOT NULL");
                }
            }
            MigrationFixture.registerIn(db, phase);
            try (TwinRun run = TwinRun.usersAndEmails("GroupedByKeyTwinTest " + phase
                    + (primaryKey ? "" : ", key only unique"), plainDb, db,
                    "SELECT id, name FROM users ORDER BY id")) {
                for (String sql : STATEMENTS) {
                    run.compare(sql, sql, List.of(), true);
                }
                run.report();
                assertThat(run.refused()).isZero();
                // the rest fail alike (42803)
                assertThat(run.translated()).isEqualTo(primaryKey ? STATEMENTS.size() : STATEMENTS.size() - ONLY_BY_PRIMARY_KEY);
            }
        }
    }
}
