package io.dualwrite.driver;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Acceptance 1 of issue 11: statements that hide a write to {@code users.email} in lexical corners
 * ({@link LexicalCorners}) run on twin databases, one through plain PgJDBC, one through dualwrite in
 * DUAL_WRITE. Each one is either refused by dualwrite (SQLState 0A000; the plain twin then skips it,
 * so any change the refused statement made shows as a difference between the twins), or it gives
 * the application the same results, update counts and SQLStates as plain PgJDBC and leaves parity
 * at 0. Runs of statements alternate between {@code standard_conforming_strings} on and off.
 *
 * <p>The seed is fixed ({@code -Ddualwrite.seed=…} replays another);
 * {@code -Ddualwrite.fuzz.statements=…} changes the count (10,000 by default).
 */
@ExtendWith(PostgresExtension.class)
class LexicalFuzzTest {

    private static final int RUN = 250;
    /** Parity is checked after every this many statements (a failure prints them all). */
    private static final int WINDOW = 20;

    /** The workload CI runs; {@code -Ddualwrite.seed} replays another, as for the differential harness. */
    private final long seed = System.getProperty("dualwrite.seed") == null ? 20261101L
            : DifferentialHarnessTest.seed(System.getProperty("dualwrite.seed"));
    private final int wanted = Integer.getInteger("dualwrite.fuzz.statements", 10_000);
    private final Map<String, Integer> outcomes = new TreeMap<>();

    @Test
    void everyStatementIsRewrittenAlikeOrRefused(TestDatabase db) throws Exception {
        System.out.println("LexicalFuzzTest seed=" + seed + " (replay with -Ddualwrite.seed=" + seed + ")");
        Random random = new Random(seed);
        LexicalCorners corners = new LexicalCorners(random);
        List<String> window = new ArrayList<>();
        long started = System.nanoTime();
        try (TestDatabase other = PostgresServer.get().createDatabase()) {
            MigrationFixture.create(db, Phase.DUAL_WRITE);
            MigrationFixture.createTables(other);
            try (Connection plain = other.connect(); Connection dual = db.connectDualwrite();
                 Connection check = db.connect(); Statement parity = check.createStatement()) {
                for (int i = 0; i < wanted; i++) {
                    if (i % RUN == 0) {
                        corners.standardConformingStrings = (i / RUN) % 3 != 2;
                        setStandardConformingStrings(plain, dual, corners.standardConformingStrings);
                        assertThat(MigrationFixture.users(db)).as("twins after " + i + " statements, seed " + seed)
                                .isEqualTo(MigrationFixture.users(other));
                    }
                    String sql = corners.next();
                    window.add(i + ": " + sql);
                    step(plain, dual, sql, random.nextInt(3) == 0, i);
                    if (window.size() == WINDOW || i == wanted - 1) {
                        long drift = parityOf(parity);
                        if (drift != 0) {
                            fail("parity " + drift + " after statement " + i + ", seed " + seed + "; the last statements:\n"
                                    + String.join("\n", window));
                        }
                        window.clear();
                    }
                }
                assertThat(MigrationFixture.users(db)).as("users on both twins, seed " + seed)
                        .isEqualTo(MigrationFixture.users(other));
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("LexicalFuzzTest: %d statements in %.1f s; outcomes %s%n", wanted, seconds, outcomes);
        assertThat(outcomes.getOrDefault("rewritten alike", 0)).as("most statements are rewritten").isGreaterThan(wanted / 2);
        assertThat(outcomes.getOrDefault("refused", 0)).as("the uncertain ones are refused").isPositive();
    }

    private void step(Connection plain, Connection dual, String sql, boolean prepared, int i) throws SQLException {
        List<String> actual = observe(dual, sql, prepared);
        if (actual.equals(List.of("threw 0A000"))) {
            outcomes.merge("refused", 1, Integer::sum);
            return;
        }
        List<String> expected = observe(plain, sql, prepared);
        if (!expected.equals(actual)) {
            fail("statement " + i + " differs, seed " + seed + " (replay with -Ddualwrite.seed=" + seed + "):\n" + sql
                    + "\n  plain PgJDBC: " + expected + "\n  dualwrite:    " + actual);
        }
        outcomes.merge(expected.get(0).startsWith("threw") ? "failed alike" : "rewritten alike", 1, Integer::sum);
    }

    private static List<String> observe(Connection c, String sql, boolean prepared) {
        try {
            if (prepared) {
                try (PreparedStatement p = c.prepareStatement(sql)) {
                    return results(p, p.execute());
                }
            }
            try (Statement s = c.createStatement()) {
                return results(s, s.execute(sql));
            }
        } catch (SQLException e) {
            return List.of("threw " + e.getSQLState());
        }
    }

    private static List<String> results(Statement s, boolean isResultSet) throws SQLException {
        List<String> out = new ArrayList<>();
        while (true) {
            if (isResultSet && "QUERY PLAN".equals(s.getResultSet().getMetaData().getColumnLabel(1))) {
                // EXPLAIN ANALYZE of a write runs (and shows) its dual write: the plans differ by design, parity does not
                out.add("plan");
            } else if (isResultSet) {
                out.add("rows " + DifferentialHarnessTest.table(s.getResultSet()));
            } else if (s.getUpdateCount() == -1) {
                return out;
            } else {
                out.add("count " + s.getUpdateCount());
            }
            isResultSet = s.getMoreResults();
        }
    }

    private static void setStandardConformingStrings(Connection plain, Connection dual, boolean on) throws SQLException {
        for (Connection c : List.of(plain, dual)) {
            try (Statement s = c.createStatement()) {
                s.execute("SET standard_conforming_strings = " + (on ? "on" : "off"));
            }
        }
    }

    private static long parityOf(Statement parity) throws SQLException {
        try (var rs = parity.executeQuery(MigrationFixture.PARITY)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
