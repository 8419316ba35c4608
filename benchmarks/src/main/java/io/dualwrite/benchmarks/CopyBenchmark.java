package io.dualwrite.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A bulk import: 1,000 new {@code users} rows in one {@code COPY … FROM STDIN} of PgJDBC's COPY API, auto-commit.
 * {@code dualwrite}: through the driver in DUAL_WRITE, which stages the rows in a temporary table and writes them with
 * one {@code INSERT … SELECT} dual write ({@code StagedCopyIn}); {@code trigger}: COPY into the table whose AFTER
 * trigger keeps its copy of {@code email_address}; {@code plain}: COPY of the old column only. Score is per COPY;
 * the copied rows are deleted after each iteration (raw, from both tables), so the tables keep their size.
 */
@State(Scope.Thread)
public class CopyBenchmark {

    public static final int ROWS_PER_COPY = 1000;

    @Param({"plain", "trigger", "dualwrite"})
    public String variant;

    private Connection conn;
    private Connection cleanup;
    private CopyManager copies;
    private String copy;
    private long first;
    private long nextId;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        conn = "dualwrite".equals(variant) ? Bench.dualwrite() : Bench.raw();
        copies = conn.unwrap(PGConnection.class).getCopyAPI();
        copy = "COPY " + Bench.usersTable(variant) + " (id, name, email) FROM STDIN";
        cleanup = Bench.raw();
        try (Statement s = cleanup.createStatement();
             ResultSet rs = s.executeQuery("SELECT max(id) FROM " + Bench.usersTable(variant))) {
            rs.next();
            first = Math.max(rs.getLong(1), 20_000_000L) + 1;
        }
        nextId = first;
    }

    @TearDown(Level.Iteration)
    public void deleteCopied() throws SQLException {
        try (Statement s = cleanup.createStatement()) {
            s.executeUpdate("DELETE FROM " + Bench.usersTable(variant) + " WHERE id >= " + first);
            String target = Bench.targetTable(variant);
            if (target != null) {
                s.executeUpdate("DELETE FROM " + target + " WHERE user_id >= " + first);
            }
        }
        nextId = first;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        conn.close();
        cleanup.close();
    }

    @Benchmark
    public long copy1000() throws SQLException, IOException {
        StringBuilder rows = new StringBuilder(ROWS_PER_COPY * 40);
        for (int i = 0; i < ROWS_PER_COPY; i++) {
            long id = nextId++;
            rows.append(id).append("\tcopied\tc").append(id).append("@example.com\n");
        }
        return copies.copyIn(copy, new StringReader(rows.toString()));
    }
}
