package io.dualwrite.driver;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a driver instance records as statement evidence, as the gates of NEW_ONLY and CONTRACTED read it. */
@ExtendWith(PostgresExtension.class)
class StatementEvidenceTest {

    private static final String ROWS = """
            SELECT string_agg(sample || ' x' || executions, ' | ' ORDER BY sample)
            FROM dualwrite.statement_evidence""";

    @Test
    void eachDistinctStatementOnTheColumnIsCountedUnderOneFingerprintWithItsInstance(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        try (Connection app = db.connectDualwrite()) {
            try (PreparedStatement p = app.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
                for (int i = 1; i <= 3; i++) {
                    p.setString(1, "u" + i + "@x.org");
                    p.setLong(2, i);
                    p.executeUpdate();
                }
            }
            try (Statement s = app.createStatement()) {
                s.executeUpdate("UPDATE users SET email = 'secret@x.org' WHERE id = 4");
                s.executeUpdate("update users  set EMAIL = 'other@x.org' /* orm */ where id = 5");
                s.executeQuery("SELECT email FROM users WHERE id = 1").close();
                s.executeQuery("SELECT name FROM users WHERE id = 1").close(); // does not name the column
                s.executeQuery("SELECT note FROM orders").close(); // no migrated table
                s.addBatch("UPDATE users SET email = 'b1@x.org' WHERE id = 1");
                s.addBatch("UPDATE users SET email = 'b2@x.org' WHERE id = 2");
                s.executeBatch();
            }
            awaitRows(db, 2);
        }
        // literals and markers are the same statement: the prepared UPDATE, the two literal ones and the batch's two
        assertThat(db.queryString(ROWS)).isEqualTo("SELECT email FROM users WHERE id = ? x1"
                + " | UPDATE users SET email = ? WHERE id = ? x7");
        assertThat(db.queryString("SELECT string_agg(DISTINCT instance, ',') FROM dualwrite.statement_evidence"))
                .as("the id its heartbeats use").isEqualTo(db.queryString("SELECT string_agg(id, ',') FROM dualwrite.instance"));
        assertThat(db.queryString("SELECT string_agg(sample, ' ') FROM dualwrite.statement_evidence")).doesNotContain("secret", "@");
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.statement_evidence WHERE translatable = (refusal IS NOT NULL)"))
                .as("a refusal exactly when untranslatable").isZero();
    }

    @Test
    void aStatementRefusedTodayIsRecordedWithItsRefusalAndCountsAddUpAcrossFlushes(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.READ_NEW);
        try (Connection app = db.connectDualwrite(); Statement s = app.createStatement()) {
            assertThatThrownBy(() -> s.execute("COPY users (email) FROM STDIN")).isInstanceOf(SQLException.class);
            awaitExecutions(db, 1);
            assertThatThrownBy(() -> s.execute("copy users (email) from stdin")).isInstanceOf(SQLException.class);
            awaitExecutions(db, 2);
        }
        assertThat(db.queryString("SELECT sample || ' ' || translatable FROM dualwrite.statement_evidence"))
                .isEqualTo("COPY users (email) FROM STDIN false");
        assertThat(db.queryString("SELECT refusal FROM dualwrite.statement_evidence")).isNotBlank();
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.statement_evidence WHERE first_seen <= last_seen")).isEqualTo(1);
    }

    @Test
    void nothingIsRecordedInExpandedNorWhenTurnedOff(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.EXPANDED);
        try (Connection app = db.connectDualwrite(); Statement s = app.createStatement()) {
            s.executeUpdate("UPDATE users SET email = 'e@x.org' WHERE id = 1");
        }
        MigrationFixture.setPhase(db, Phase.DUAL_WRITE);
        Properties off = db.properties();
        off.setProperty("dualwriteEvidence", "false");
        off.setProperty("dualwriteInstance", "evidence-off");
        try (Connection app = DriverManager.getConnection(db.dualwriteUrl(), off); Statement s = app.createStatement()) {
            s.executeUpdate("UPDATE users SET email = 'e@x.org' WHERE id = 1");
            // the follower heartbeats: it would have flushed by now
            long deadline = System.currentTimeMillis() + 5000;
            while (db.queryLong("SELECT count(*) FROM dualwrite.instance WHERE id LIKE 'evidence-off-%'") == 0
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(1200);
        }
        assertThat(db.queryLong("SELECT count(*) FROM dualwrite.statement_evidence")).isZero();
    }

    private static void awaitRows(TestDatabase db, long rows) throws Exception {
        await(db, "SELECT count(*) FROM dualwrite.statement_evidence", rows);
        await(db, "SELECT coalesce(sum(executions), 0) FROM dualwrite.statement_evidence", 8);
    }

    private static void awaitExecutions(TestDatabase db, long executions) throws Exception {
        await(db, "SELECT coalesce(sum(executions), 0) FROM dualwrite.statement_evidence", executions);
    }

    private static void await(TestDatabase db, String sql, long expected) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (db.queryLong(sql) != expected && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(db.queryLong(sql)).as(sql).isEqualTo(expected);
    }
}
