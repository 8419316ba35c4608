package io.dualwrite.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One single-row write, five ways, each on its own copy of users / email_address:
 * {@code plain} (the old column only, no second write), {@code cte} (hand-written one-statement
 * CTE), {@code trigger} (AFTER trigger, the pgroll / pt-osc way), {@code twoStatements} (write +
 * upsert in one transaction), {@code dualwrite} (the application's plain statement through
 * {@code jdbc:dualwrite:} with the migration in DUAL_WRITE), {@code syncViewSql} (the SQL the
 * driver would send, sent by raw PgJDBC to another copy: the SQL's cost without the driver).
 * Statements are prepared once per trial.
 */
@State(Scope.Thread)
public class SingleRowWriteBenchmark {

    @Param({"plain", "cte", "trigger", "twoStatements", "dualwrite", "syncViewSql"})
    public String variant;

    private Connection conn;
    /** Raw connection for the per-invocation setup of DELETE (outside the measurement). */
    private Connection setupConn;
    private PreparedStatement update;
    private PreparedStatement insert;
    private PreparedStatement delete;
    /** twoStatements only: the second write. */
    private PreparedStatement upsert;
    private PreparedStatement deleteTarget;
    private PreparedStatement setupInsertUser;
    private PreparedStatement setupInsertTarget;
    private final Bench.Keys keys = new Bench.Keys(7);
    private long nextId;
    private long counter;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        String users = Bench.usersTable(variant);
        String target = Bench.targetTable(variant);
        conn = "dualwrite".equals(variant) ? Bench.dualwrite() : Bench.raw();
        setupConn = Bench.raw();
        try (Statement s = setupConn.createStatement(); ResultSet rs = s.executeQuery("SELECT max(id) FROM " + users)) {
            rs.next();
            nextId = Math.max(rs.getLong(1), 10_000_000L) + 1;
        }
        if ("cte".equals(variant)) {
            update = conn.prepareStatement(Bench.cteUpdate());
            insert = conn.prepareStatement(Bench.cteInsert());
            delete = conn.prepareStatement(Bench.cteDelete());
        } else if ("syncViewSql".equals(variant)) {
            update = conn.prepareStatement(Bench.rewritten("UPDATE " + users + " SET email = ? WHERE id = ?"));
            insert = conn.prepareStatement(Bench.rewritten("INSERT INTO " + users + " (id, name, email) VALUES (?, ?, ?)"));
            delete = conn.prepareStatement(Bench.rewritten("DELETE FROM " + users + " WHERE id = ?"));
        } else {
            // the application's plain statements: for dualwrite, the driver rewrites them
            update = conn.prepareStatement("UPDATE " + users + " SET email = ? WHERE id = ?");
            insert = conn.prepareStatement("INSERT INTO " + users + " (id, name, email) VALUES (?, ?, ?)");
            delete = conn.prepareStatement("DELETE FROM " + users + " WHERE id = ?");
        }
        if ("twoStatements".equals(variant)) {
            conn.setAutoCommit(false);
            upsert = conn.prepareStatement(Bench.upsert(target));
            deleteTarget = conn.prepareStatement("DELETE FROM " + target + " WHERE user_id = ? AND is_primary");
        }
        setupInsertUser = setupConn.prepareStatement("INSERT INTO " + users + " (id, name, email) VALUES (?, ?, ?)");
        // trigger: its trigger fills the target; dualwrite/cte/two: fill it by hand as a backfill would
        if (target != null && !"trigger".equals(variant)) {
            setupInsertTarget = setupConn.prepareStatement(
                    "INSERT INTO " + target + " (user_id, address, is_primary) VALUES (?, ?, true)");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        conn.close();
        setupConn.close();
    }

    /** DELETE needs a row to delete: inserted (with its email_address row) before each call, unmeasured. */
    @State(Scope.Thread)
    public static class RowToDelete {
        long id;

        @Setup(Level.Invocation)
        public void insert(SingleRowWriteBenchmark b) throws SQLException {
            id = b.nextId++;
            String email = "gone" + id + "@example.com";
            b.setupInsertUser.setLong(1, id);
            b.setupInsertUser.setString(2, "to delete");
            b.setupInsertUser.setString(3, email);
            b.setupInsertUser.executeUpdate();
            if (b.setupInsertTarget != null) {
                b.setupInsertTarget.setLong(1, id);
                b.setupInsertTarget.setString(2, email);
                b.setupInsertTarget.executeUpdate();
            }
        }
    }

    @Benchmark
    public int update() throws SQLException {
        long id = keys.next();
        String email = "n" + (counter++) + "@example.com";
        update.setString(1, email);
        update.setLong(2, id);
        int n = update.executeUpdate();
        if (upsert != null) {
            upsert.setLong(1, id);
            upsert.setString(2, email);
            upsert.executeUpdate();
            conn.commit();
        }
        return n;
    }

    @Benchmark
    public int insert() throws SQLException {
        long id = nextId++;
        String email = "new" + id + "@example.com";
        insert.setLong(1, id);
        insert.setString(2, "new user");
        insert.setString(3, email);
        int n = insert.executeUpdate();
        if (upsert != null) {
            upsert.setLong(1, id);
            upsert.setString(2, email);
            upsert.executeUpdate();
            conn.commit();
        }
        return n;
    }

    @Benchmark
    public int delete(RowToDelete row) throws SQLException {
        long deleteId = row.id;
        delete.setLong(1, deleteId);
        int n = delete.executeUpdate();
        if (deleteTarget != null) {
            deleteTarget.setLong(1, deleteId);
            deleteTarget.executeUpdate();
            conn.commit();
        }
        return n;
    }
}
