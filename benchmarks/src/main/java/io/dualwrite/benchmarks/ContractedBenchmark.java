package io.dualwrite.benchmarks;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.rewrite.StatementRewriter;

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
import java.util.Arrays;
import java.util.List;

/**
 * After the contract: {@code members.email} is dropped (migration {@code members.email} in CONTRACTED) and the
 * legacy application keeps sending the SQL it always sent. {@code dualwrite}: that SQL through the driver, which
 * translates it into the new schema; {@code handWritten}: what a developer would write for the new schema
 * ({@code members_hw} without the column, {@code member_email_hw}), raw PgJDBC; {@code translatedSql}: the SQL the
 * driver sends for the legacy SQL (its form for non-NULL values), sent by raw PgJDBC to {@code members}, which separates
 * what the translated form costs in PostgreSQL from what the driver costs in the JVM. Same statements, same keys,
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

    @Param({"handWritten", "translatedSql", "dualwrite"})
    public String variant;

    private Connection conn;
    private Connection setupConn;
    /** Per statement, the marker each application parameter binds (1-based; moved only in translatedSql's SQL). */
    private int[] readMarkers = {1}, updateMarkers = {1, 2}, insertMarkers = {1, 2, 3}, deleteMarkers = {1};
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
        conn = "dualwrite".equals(variant) ? Bench.dualwrite() : Bench.raw();
        setupConn = Bench.raw();
        try (Statement s = setupConn.createStatement(); ResultSet rs = s.executeQuery("SELECT max(id) FROM " + members)) {
            rs.next();
            nextId = Math.max(rs.getLong(1), 10_000_000L) + 1;
        }
        if ("translatedSql".equals(variant)) {
            // shares members with dualwrite: its inserted keys start elsewhere
            nextId += 500_000_000L;
            Rewrite.Rewritten r = translated(LEGACY_READ);
            read = conn.prepareStatement(r.sql());
            readMarkers = markers(r, 1);
            r = translated(LEGACY_UPDATE);
            update = conn.prepareStatement(r.sql());
            updateMarkers = markers(r, 2);
            r = translated(LEGACY_INSERT);
            insert = conn.prepareStatement(r.sql());
            insertMarkers = markers(r, 3);
            r = translated(LEGACY_DELETE);
            delete = conn.prepareStatement(r.sql());
            deleteMarkers = markers(r, 1);
        } else {
            read = conn.prepareStatement(hand ? HAND_READ : LEGACY_READ);
            update = conn.prepareStatement(hand ? HAND_UPDATE : LEGACY_UPDATE);
            insert = conn.prepareStatement(hand ? HAND_INSERT : LEGACY_INSERT);
            delete = conn.prepareStatement(hand ? HAND_DELETE : LEGACY_DELETE);
        }
        setupMember = setupConn.prepareStatement("INSERT INTO " + members + " (id, name) VALUES (?, 'to delete')");
        setupEmail = setupConn.prepareStatement("INSERT INTO " + (hand ? "member_email_hw" : "member_email")
                + " (user_id, address, is_primary) VALUES (?, ?, true)");
    }

    /** What the driver sends for {@code legacySql} in CONTRACTED when its values are not NULL. */
    static Rewrite.Rewritten translated(String legacySql) {
        // as the driver reads members after the contract: the target has the column's type, the delete triggers are there
        SourceTable members = new SourceTable(Bench.membersSpec(), List.of("id", "name", "email"), "text", null, false, true, false,
                null, List.of(), null, null, null, true);
        Rewrite r = new StatementRewriter(List.of(members)).plan(legacySql).forPhase(Phase.CONTRACTED);
        if (r == Rewrite.PASS_THROUGH) {
            return new Rewrite.Rewritten(legacySql, Rewrite.Kind.DUAL_WRITE);   // a DELETE: the triggers keep the target
        }
        if (!(r instanceof Rewrite.Rewritten w)) {
            throw new IllegalStateException("not translated: " + legacySql + " -> " + r);
        }
        return w.ifNotNull() == null ? w : w.ifNotNull().form();
    }

    /** For each application parameter (1-based), the one marker of {@code w}'s SQL that binds it. */
    private static int[] markers(Rewrite.Rewritten w, int applicationParameters) {
        int[] markers = new int[applicationParameters];
        int[] sources = w.parameterSources();
        if (sources == null) {
            Arrays.setAll(markers, i -> i + 1);
            return markers;
        }
        if (sources.length != applicationParameters) {
            throw new IllegalStateException("a parameter is repeated or dropped in " + w.sql());
        }
        for (int marker = 1; marker <= sources.length; marker++) {
            markers[sources[marker - 1] - 1] = marker;
        }
        return markers;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        // also after a failed setUp, whose exception this must not hide
        if (conn != null) {
            conn.close();
        }
        if (setupConn != null) {
            setupConn.close();
        }
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
        read.setLong(readMarkers[0], keys.next());
        try (ResultSet rs = read.executeQuery()) {
            rs.next();
            return rs.getString(3);
        }
    }

    @Benchmark
    public int update() throws SQLException {
        update.setString(updateMarkers[0], "n" + (counter++) + "@example.com");
        update.setLong(updateMarkers[1], keys.next());
        return update.executeUpdate();
    }

    @Benchmark
    public int insert() throws SQLException {
        long id = nextId++;
        insert.setLong(insertMarkers[0], id);
        insert.setString(insertMarkers[1], "new member");
        insert.setString(insertMarkers[2], "new" + id + "@example.com");
        return insert.executeUpdate();
    }

    @Benchmark
    public int delete(RowToDelete row) throws SQLException {
        delete.setLong(deleteMarkers[0], row.id);
        return delete.executeUpdate();
    }
}
