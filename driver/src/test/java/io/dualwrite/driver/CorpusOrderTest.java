package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The adversarial corpus compares the rows of a statement with an ORDER BY in order ({@link TwinRun}): that is only a
 * test of the translation where the ORDER BY orders every row. Rows it leaves tied come in whatever order the plan
 * reads them, which differs between the plain and the translated statement, so the twin test would fail at random.
 * Each such statement runs with plain PgJDBC on two copies of the fixture whose rows lie in opposite physical order,
 * and on the first again with other plans (no hash aggregation or join, which sort instead): a total order gives the
 * same rows in the same order each time.
 */
@ExtendWith(PostgresExtension.class)
class CorpusOrderTest {

    @Test
    void everyOrderedStatementOfTheCorpusOrdersAllItsRows(TestDatabase forward) throws Exception {
        try (TestDatabase reversed = PostgresServer.get().createDatabase()) {
            for (TestDatabase db : List.of(forward, reversed)) {
                MigrationFixture.createTables(db);
                db.execute("CREATE TABLE user_archive (id bigint, name text, email text)");
            }
            // TRUNCATE gives each table a new file: the rows go back in the order inserted
            reversed.execute("""
                    CREATE TEMP TABLE u AS SELECT * FROM users; CREATE TEMP TABLE e AS SELECT * FROM email_address;
                    CREATE TEMP TABLE o AS SELECT * FROM orders; TRUNCATE users, email_address, orders;
                    INSERT INTO users SELECT * FROM u ORDER BY id DESC;
                    INSERT INTO email_address SELECT * FROM e ORDER BY user_id DESC, is_primary;
                    INSERT INTO orders SELECT * FROM o ORDER BY id DESC;
                    """);
            List<String> tied = new ArrayList<>();
            int ordered = 0;
            try (Connection a = forward.connect(); Connection b = reversed.connect(); Connection c = forward.connect()) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET enable_hashagg = off; SET enable_hashjoin = off");
                }
                for (AdversarialTwinTest.Probe p : AdversarialTwinTest.statements()) {
                    if (!p.params().isEmpty() || !TwinRun.ordered(p.sql())) {
                        continue;
                    }
                    ordered++;
                    String first = outcome(a, p.sql());
                    String opposite = outcome(b, p.sql());
                    String otherPlan = outcome(c, p.sql());
                    if (!first.equals(opposite) || !first.equals(otherPlan)) {
                        tied.add(p.sql() + "\n  rows:                      " + first + "\n  stored in the opposite order: "
                                + opposite + "\n  with other plans:            " + otherPlan);
                    }
                }
            }
            System.out.println("CorpusOrderTest: " + ordered + " statements with an ORDER BY, " + tied.size() + " leaving rows tied");
            assertThat(ordered).as("statements with an ORDER BY").isGreaterThan(100);
            assertThat(tied).as("statements whose ORDER BY leaves rows tied: order them by a unique key too").isEmpty();
        }
    }

    /** The statement's results (or its error), rolled back. */
    private static String outcome(Connection c, String sql) throws SQLException {
        c.setAutoCommit(false);
        StringBuilder out = new StringBuilder();
        try (Statement s = c.createStatement()) {
            boolean isResultSet = s.execute(sql);
            for (int i = 0; i < 20; i++) {
                if (isResultSet) {
                    out.append(Observed.table(s.getResultSet())).append(' ');
                } else if (s.getUpdateCount() == -1) {
                    break;
                }
                isResultSet = s.getMoreResults();
            }
        } catch (SQLException e) {
            out.append("error ").append(e.getSQLState());
        } finally {
            c.rollback();
        }
        return out.toString();
    }
}
