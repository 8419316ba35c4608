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
 * After the contract: {@code members.email} is dropped (migration {@code members.email} in CONTRACTED) and the
 * legacy application keeps sending the SQL it always sent. {@code dualwrite}: that SQL through the driver, which
 * translates it into the new schema; {@code handWritten}: what a developer would write for the new schema
 * ({@code members_hw} without the column, {@code member_email_hw}), raw PgJDBC. Same statements, same keys,
 * prepared once per trial.
 */
@State(Scope.Thread)
public class ContractedBenchmark {

    static final String LEGACY_READ = "SELECT id, name, email FROM members WHERE id = ?";
    static final String LEGACY_UPDATE = "UPDATE members SET email = ? WHERE id = ?";
    static final String LEGACY_INSERT = "INSERT INTO members (id, name, email) VALUES (?, ?, ?)";
    static final String LEGACY_DELETE = "DELETE FROM members WHERE id = ?";

    static final String HAND_READ = "SELECT m.id, m.name, e.address AS email FROM members_hw m"
            + " LEFT JOIN member_email_hw e ON e.user_id = m.id AND e.is_primary WHERE m.id = ?";
    /** Parameters in the legacy order (email, id), so both variants bind alike. */
    static final String HAND_UPDATE = "WITH v(address, id) AS (VALUES (?::text, ?::bigint))"
            + " INSERT INTO member_email_hw (user_id, address, is_primary) SELECT m.id, v.address, true"
            + " FROM members_hw m JOIN v ON m.id = v.id"
            + " ON CONFLICT (user_id) WHERE is_primary DO UPDATE SET address = EXCLUDED.address";
    static final String HAND_INSERT = "WITH m AS (INSERT INTO members_hw (id, name) VALUES (?, ?) RETURNING id)"
            + " INSERT INTO member_email_hw (user_id, address, is_primary) SELECT id, ?, true FROM m";
    static final String HAND_DELETE = "WITH d AS (DELETE FROM members_hw WHERE id = ? RETURNING id)"
            + " DELETE FROM member_email_hw e USING d WHERE e.user_id = d.id AND e.is_primary";

    @Param({"handWritten", "dualwrite"})
    public String variant;

    private Connection conn;
    private Connection setupConn;
    private PreparedStatement read;
    private PreparedStatement update;
    private PreparedStatement insert;
    private PreparedStatement delete;
    private PreparedStatement setupMember;
    private PreparedStatement setupEmail;
    private final Bench.Keys keys = new Bench.Keys(11);
    private long nextId;
    private long counter;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        boolean hand = "handWritten".equals(variant);
        String members = hand ? "members_hw" : "members";
        conn = hand ? Bench.raw() : Bench.dualwrite();
        setupConn = Bench.raw();
        try (Statement s = setupConn.createStatement(); ResultSet rs = s.executeQuery("SELECT max(id) FROM " + members)) {
            rs.next();
            nextId = Math.max(rs.getLong(1), 10_000_000L) + 1;
        }
        read = conn.prepareStatement(hand ? HAND_READ : LEGACY_READ);
        update = conn.prepareStatement(hand ? HAND_UPDATE : LEGACY_UPDATE);
        insert = conn.prepareStatement(hand ? HAND_INSERT : LEGACY_INSERT);
        delete = conn.prepareStatement(hand ? HAND_DELETE : LEGACY_DELETE);
        setupMember = setupConn.prepareStatement("INSERT INTO " + members + " (id, name) VALUES (?, 'to delete')");
        setupEmail = setupConn.prepareStatement("INSERT INTO " + (hand ? "member_email_hw" : "member_email")
                + " (user_id, address, is_primary) VALUES (?, ?, true)");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        conn.close();
        setupConn.close();
    }

    /** DELETE needs a row to delete: inserted with its email before each call, unmeasured. */
    @State(Scope.Thread)
    public static class RowToDelete {
        long id;

        @Setup(Level.Invocation)
        public void insert(ContractedBenchmark b) throws SQLException {
            id = b.nextId++;
            b.setupMember.setLong(1, id);
            b.setupMember.executeUpdate();
            b.setupEmail.setLong(1, id);
            b.setupEmail.setString(2, "gone" + id + "@example.com");
            b.setupEmail.executeUpdate();
        }
    }

    @Benchmark
    public String readByKey() throws SQLException {
        read.setLong(1, keys.next());
        try (ResultSet rs = read.executeQuery()) {
            rs.next();
            return rs.getString(3);
        }
    }

    @Benchmark
    public int update() throws SQLException {
        update.setString(1, "n" + (counter++) + "@example.com");
        update.setLong(2, keys.next());
        return update.executeUpdate();
    }

    @Benchmark
    public int insert() throws SQLException {
        long id = nextId++;
        insert.setLong(1, id);
        insert.setString(2, "new member");
        insert.setString(3, "new" + id + "@example.com");
        return insert.executeUpdate();
    }

    @Benchmark
    public int delete(RowToDelete row) throws SQLException {
        delete.setLong(1, row.id);
        return delete.executeUpdate();
    }
}
