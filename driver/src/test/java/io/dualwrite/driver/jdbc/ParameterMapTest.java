package io.dualwrite.driver.jdbc;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.dualwrite.driver.jdbc.Refusals.REFUSED_SQLSTATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A rewrite that moves and repeats the application's parameters ({@code Rewrite.Rewritten#parameterSources}):
 * every setter binds each marker that takes its parameter, in single executions, batches, after a
 * phase change and for streams. The plans are made here by hand, so this holds whatever the
 * translation of the day produces.
 */
@ExtendWith(PostgresExtension.class)
class ParameterMapTest {

    private static final MigrationSpec SPEC = new MigrationSpec("public", "users", "id", "email", "public", "email_address",
            "user_id", "address", "is_primary", ControlSchema.syncViewName("users", "email"));

    /** The application's write: (a, b). */
    private static final String APP_INSERT = "INSERT INTO t (a, b) VALUES (?, ?)";
    /** The same write with its parameters moved and the first one repeated: (b, a, a_again). */
    private static final Rewrite.Rewritten MOVED_INSERT = new Rewrite.Rewritten(
            "INSERT INTO t (b, a, a_again) VALUES (?, ?, ?)", Rewrite.Kind.DUAL_WRITE, 0, new int[]{2, 1, 1});

    private TestDatabase db;

    @BeforeEach
    void schema(TestDatabase db) throws SQLException {
        this.db = db;
        db.execute("""
                CREATE TABLE users (id bigint PRIMARY KEY, email text);
                CREATE TABLE email_address (user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
                CREATE UNIQUE INDEX ON email_address (user_id) WHERE is_primary;
                CREATE TABLE t (a text, b bigint, a_again text);
                """);
        try (Connection admin = db.connect()) {
            ControlSchema.register(admin, SPEC);
        }
    }

    @Test
    void eachSetterBindsEveryMarkerTakingItsParameter() throws Exception {
        try (Connection c = db.connectDualwrite(); PreparedStatement p = prepare(c, APP_INSERT, everyPhase(MOVED_INSERT))) {
            p.setString(1, "x");
            p.setLong(2, 7);
            assertThat(p.executeUpdate()).isEqualTo(1);
            p.setCharacterStream(1, new StringReader("streamed"));
            p.setLong(2, 8);
            assertThat(p.executeUpdate()).isEqualTo(1);
        }
        assertThat(rows()).containsExactly("x|7|x", "streamed|8|streamed");
    }

    @Test
    void batchesKeepOneCountPerEntryAndEachEntrysValues() throws Exception {
        try (Connection c = db.connectDualwrite(); PreparedStatement p = prepare(c, APP_INSERT, everyPhase(MOVED_INSERT))) {
            for (int i = 1; i <= 3; i++) {
                p.setString(1, "v" + i);
                p.setLong(2, i);
                p.addBatch();
            }
            assertThat(p.executeBatch()).containsExactly(1, 1, 1);
        }
        assertThat(rows()).containsExactly("v1|1|v1", "v2|2|v2", "v3|3|v3");
    }

    @Test
    void aPhaseChangeBindsAgainThroughTheNewMap() throws Exception {
        Rewrite[] byPhase = everyPhase(Rewrite.PASS_THROUGH);
        byPhase[Phase.DUAL_WRITE.ordinal()] = MOVED_INSERT;
        try (Connection c = db.connectDualwrite(); PreparedStatement p = prepare(c, APP_INSERT, byPhase)) {
            RewritingPreparedStatement rewriting = p.unwrap(RewritingPreparedStatement.class);
            assertThat(rewriting.parameters).as("without a map, setters bind the delegate itself").isSameAs(rewriting.delegate);
            p.setNull(1, Types.VARCHAR);
            p.setLong(2, 1);
            p.addBatch();
            p.setCharacterStream(1, new StringReader("read once"));
            p.setLong(2, 2);
            p.addBatch();
            p.setString(1, "pending");
            p.setLong(2, 3);
            moveTo(Phase.DUAL_WRITE);
            assertThat(p.executeBatch()).containsExactly(1, 1);
            assertThat(rewriting.parameters).isInstanceOf(ParameterFanOut.class);
            assertThat(p.executeUpdate()).isEqualTo(1);
        }
        assertThat(rows()).containsExactly("null|1|null", "read once|2|read once", "pending|3|pending");
    }

    @Test
    void indexesAndMetadataAreTheApplicationsParameters() throws Exception {
        try (Connection c = db.connectDualwrite(); PreparedStatement p = prepare(c, APP_INSERT, everyPhase(MOVED_INSERT))) {
            assertThatThrownBy(() -> p.setString(3, "beyond")).isInstanceOf(SQLException.class)
                    .hasMessage("The column index is out of range: 3, number of columns: 2.")
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("22023");
            ParameterMetaData md = p.getParameterMetaData();
            assertThat(md.getParameterCount()).isEqualTo(2);
            assertThat(md.getParameterTypeName(1)).isEqualTo("text");
            assertThat(md.getParameterTypeName(2)).isEqualTo("int8");
            assertThatThrownBy(() -> md.getParameterType(3)).isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("22023");
            p.setString(1, "x");
            p.setLong(2, 1);
            p.clearParameters();
            p.setLong(2, 1);
            assertThatThrownBy(p::executeUpdate).as("parameter 1 cleared, as PgJDBC says").isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isNotEqualTo(REFUSED_SQLSTATE).isEqualTo("22023");
        }
        assertThat(rows()).isEmpty();
    }

    /** The setters of a statement without a map bind the delegate directly: only the log's record of the call is allocated. */
    @Test
    void settersWithoutAMapAllocateOnlyTheirRecord() throws Exception {
        try (Connection c = db.connectDualwrite();
             PreparedStatement direct = prepare(c, APP_INSERT, everyPhase(new Rewrite.Rewritten(APP_INSERT, Rewrite.Kind.DUAL_WRITE)));
             PreparedStatement mapped = prepare(c, APP_INSERT, everyPhase(MOVED_INSERT))) {
            long directBytes = bytesPerSetterPair(direct);
            long mappedBytes = bytesPerSetterPair(mapped);
            System.out.println("ParameterMapTest: setString + setLong allocate " + directBytes + " bytes without a map, "
                    + mappedBytes + " bytes through a map of 3 markers");
            assertThat(directBytes).as("the record of two setter calls (arguments and Call)").isLessThanOrEqualTo(160);
            assertThat(directBytes).isLessThan(mappedBytes);
        }
    }

    private static long bytesPerSetterPair(PreparedStatement p) throws SQLException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        String value = "x@example.com";
        for (int i = 0; i < 20_000; i++) {   // warm up: generated classes, JIT
            p.setString(1, value);
            p.setLong(2, 7);
        }
        int n = 100_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) {
            p.setString(1, value);
            p.setLong(2, 7);
        }
        return (threads.getCurrentThreadAllocatedBytes() - before) / n;
    }

    private static PreparedStatement prepare(Connection c, String sql, Rewrite[] byPhase) throws SQLException {
        DualwriteConnection connection = c.unwrap(DualwriteConnection.class);
        return Wrappers.rewritingPreparedStatement(connection, new RewritePlan(SPEC, byPhase, null),
                connection.database.migrations().runtimes()[0], sql, PrepareOptions.DEFAULT);
    }

    private static Rewrite[] everyPhase(Rewrite r) {
        Rewrite[] byPhase = new Rewrite[Phase.values().length];
        Arrays.fill(byPhase, r);
        return byPhase;
    }

    private void moveTo(Phase phase) throws Exception {
        try (Connection admin = db.connect()) {
            PhaseWriter.change(admin, PhaseWriter.Request.of("users.email", phase, "test", null));
        }
        long deadline = System.currentTimeMillis() + 5000;
        while (db.queryLong("SELECT count(*) FROM dualwrite.instance WHERE applied ->> 'users.email' = '" + phase + "'") == 0) {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private List<String> rows() throws SQLException {
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT a, b, a_again FROM t ORDER BY b")) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3));
            }
            return out;
        }
    }
}
