package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Batches of INSERTs on a connection with PgJDBC's {@code reWriteBatchedInserts=true} (a common production setting):
 * PgJDBC sends the application's INSERT as multi-row blocks and reports {@code SUCCESS_NO_INFO} for the entries of a
 * block, where dualwrite's rewritten INSERT runs entry by entry. The application must see PgJDBC's counts, in batches
 * that succeed and in the {@link BatchUpdateException} of one that fails, in the phases that rewrite inserts, and the
 * same rows afterwards (in EXPANDED, where the statement passes through, PgJDBC forms the blocks itself).
 */
@ExtendWith(PostgresExtension.class)
class ReWriteBatchedInsertsTest {

    private static final String OPTION = "reWriteBatchedInserts=true";

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"EXPANDED", "DUAL_WRITE", "READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void batchCountsAreWhatPgJdbcReportsForTheApplicationsInsert(Phase phase, TestDatabase db) throws Exception {
        compare(phase, db, OPTION);
    }

    /**
     * With {@code preferQueryMode=simple} PgJDBC sends each block as a query of its own: in autocommit each block commits
     * alone, and the blocks after a failed one still run (their rows stay, their counts are reported).
     */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "CONTRACTED"})
    void inSimpleQueryModeEachBlockOfAnAutocommitBatchCommitsAlone(Phase phase, TestDatabase db) throws Exception {
        compare(phase, db, OPTION + "&preferQueryMode=simple");
    }

    /**
     * {@code readOnly=true} in PgJDBC's default {@code readOnlyMode=transaction} leaves autocommit statements writable,
     * and so the blocks the driver runs in a transaction of its own; with {@code readOnlyMode=always} the session itself
     * refuses the write ({@code 25006}), on both.
     */
    @ParameterizedTest
    @ValueSource(strings = {"transaction", "always"})
    void aReadOnlyConnectionInAutocommitWritesOrNotAsPgJdbc(String mode, TestDatabase db) throws Exception {
        try (TestDatabase other = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(other);
            MigrationFixture.create(db, Phase.DUAL_WRITE);
            String options = OPTION + "&readOnly=true&readOnlyMode=" + mode;
            List<String> seen = new ArrayList<>();
            for (String url : List.of(withOptions(other.jdbcUrl(), options), withOptions(db.dualwriteUrl(), options))) {
                try (Connection c = DriverManager.getConnection(url, db.properties())) {
                    List<String> out = new ArrayList<>();
                    batch(c, out, "read-only", "insert into users (id, email, name) values (?, ?, ?)", 3, (p, i) -> {
                        p.setLong(1, 700 + i);
                        p.setString(2, "r" + i + "@example.com");
                        p.setString(3, "n");
                    }, false);
                    out.add("users " + MigrationFixture.users(c));
                    seen.add(String.join(" / ", out));
                }
            }
            assertThat(seen.get(0)).contains(mode.equals("always") ? "failed 25006" : "[-2, -2, 1]");
            assertThat(seen.get(1)).isEqualTo(seen.get(0));
            assertThat(MigrationFixture.primaries(db)).isEqualTo(MigrationFixture.mirrorOf(MigrationFixture.users(other)));
        }
    }

    private static void compare(Phase phase, TestDatabase db, String options) throws Exception {
        try (TestDatabase other = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(other);
            if (phase.writesOld()) {
                MigrationFixture.create(db, phase);
            } else {
                MigrationFixture.create(db, Phase.DUAL_WRITE);
                MigrationFixture.enterTranslatingPhase(db, phase);
            }
            List<String> plain;
            List<String> dual;
            try (Connection c = DriverManager.getConnection(withOptions(other.jdbcUrl(), options), other.properties())) {
                plain = batches(c);
            }
            try (Connection c = DriverManager.getConnection(withOptions(db.dualwriteUrl(), options), db.properties())) {
                dual = batches(c);
            }
            assertThat(plain).as("PgJDBC rewrote the batches (else this test shows nothing)")
                    .anyMatch(line -> line.contains("-2, -2"));
            assertThat(dual).isEqualTo(plain);
            if (phase == Phase.EXPANDED) {   // the statements pass through: PgJDBC forms its blocks itself
                assertThat(MigrationFixture.users(db)).isEqualTo(MigrationFixture.users(other));
            } else {
                assertThat(MigrationFixture.primaries(db)).isEqualTo(MigrationFixture.mirrorOf(MigrationFixture.users(other)));
            }
        }
    }

    private static String withOptions(String url, String options) {
        return url + (url.contains("?") ? "&" : "?") + options;
    }

    interface Entry {
        void bind(PreparedStatement p, int i) throws SQLException;
    }

    /** The batches and what the application sees of each: counts, or the exception's; in autocommit, then in a transaction. */
    private static List<String> batches(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        String insert = "insert into users (id, email, name) values (?, ?, ?)";
        for (boolean autoCommit : new boolean[] {true, false}) {
            c.setAutoCommit(autoCommit);
            int base = autoCommit ? 100 : 400;
            // 1 entry: PgJDBC sends it as written; 3 and 5: blocks of 2 + 1 and 4 + 1; 130: 128 + 2
            for (int n : new int[] {1, 3, 5, 130}) {
                int from = base;
                batch(c, out, n + " entries", insert, n, (p, i) -> {
                    p.setLong(1, from + i);
                    p.setString(2, i % 3 == 2 ? null : "b" + (from + i) + "@example.com");
                    p.setString(3, "n");
                }, false);
                base += 200;
            }
            int large = base;
            batch(c, out, "large", insert, 3, (p, i) -> {
                p.setLong(1, large + i);
                p.setString(2, "l" + (large + i) + "@example.com");
                p.setString(3, "n");
            }, true);
            // a block whose entries all conflict changed no row: PgJDBC reports its 0, not SUCCESS_NO_INFO
            batch(c, out, "conflicts", "insert into users (id, email) values (?, ?) on conflict (id) do nothing", 3,
                    (p, i) -> {
                        p.setLong(1, i < 2 ? 1 + i : large + 10);
                        p.setString(2, "c" + i + "@example.com");
                    }, false);
            batch(c, out, "multi-row entries", "insert into users (id, email) values (?, ?), (?, ?)", 3, (p, i) -> {
                p.setLong(1, large + 20 + 2 * i);
                p.setString(2, "m" + i + "@example.com");
                p.setLong(3, large + 21 + 2 * i);
                p.setString(4, null);
            }, false);
            batch(c, out, "positional upsert", "insert into users values (?, ?, ?) on conflict (id) do update set email = excluded.email",
                    3, (p, i) -> {
                        p.setLong(1, i == 1 ? 2 : large + 40 + i);
                        p.setString(2, "p");
                        p.setString(3, "p" + i + "@example.com");
                    }, false);
            batch(c, out, "duplicate in the second block", insert, 5, (p, i) -> {
                p.setLong(1, i == 4 ? 1 : large + 50 + i);
                p.setString(2, "d" + i + "@example.com");
                p.setString(3, "n");
            }, false);
            // generated keys: PgJDBC appends RETURNING and sends entry by entry, exact counts
            try (PreparedStatement p = c.prepareStatement(insert, Statement.RETURN_GENERATED_KEYS)) {
                for (int i = 0; i < 3; i++) {
                    p.setLong(1, large + 60 + i);
                    p.setString(2, "k" + i + "@example.com");
                    p.setString(3, "n");
                    p.addBatch();
                }
                out.add("with keys " + Arrays.toString(p.executeBatch()) + " " + DifferentialHarnessTest.table(p.getGeneratedKeys()));
            }
            out.add("users " + MigrationFixture.users(c));
            if (!autoCommit) {
                c.commit();
            }
        }
        c.setAutoCommit(true);
        return out;
    }

    private static void batch(Connection c, List<String> out, String label, String sql, int n, Entry entry, boolean large)
            throws SQLException {
        Savepoint savepoint = c.getAutoCommit() ? null : c.setSavepoint();
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < n; i++) {
                entry.bind(p, i);
                p.addBatch();
            }
            out.add(label + " " + (large ? Arrays.toString(p.executeLargeBatch()) : Arrays.toString(p.executeBatch())));
        } catch (BatchUpdateException e) {
            out.add(label + " failed " + e.getSQLState() + " " + Arrays.toString(e.getUpdateCounts()) + " "
                    + Arrays.toString(e.getLargeUpdateCounts()) + " then " + e.getNextException().getSQLState());
            if (savepoint != null) {
                c.rollback(savepoint);
            }
        }
    }
}
