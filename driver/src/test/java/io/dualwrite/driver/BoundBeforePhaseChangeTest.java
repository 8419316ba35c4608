package io.dualwrite.driver;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11, class 1: parameters bound before a phase change. The same JDBC steps run on twin
 * databases, one through plain PgJDBC, one through dualwrite whose phase changes between the
 * {@code set…} calls and the execution (so the driver prepares the new SQL and binds again what
 * the application bound). Streams and readers can be read only once, and the application mutates
 * its {@code byte[]} and {@code Timestamp} after binding them, as code that reuses a buffer does:
 * PgJDBC sends what was bound at set time, so dualwrite must too. Results and final tables must
 * be identical, single executions and batches, writes and reads.
 */
@ExtendWith(PostgresExtension.class)
class BoundBeforePhaseChangeTest {

    private static final String COLUMNS = "ALTER TABLE users ADD COLUMN avatar bytea, ADD COLUMN bio text, ADD COLUMN seen timestamp";
    private static final String TABLE = "SELECT id, name, email, encode(avatar, 'hex'), bio, seen FROM users ORDER BY id";

    private TestDatabase db;
    private TestDatabase plainDb;
    private Connection plain;
    private Connection dual;

    /** The application's steps: bind (mutating what it bound afterwards), then execute. */
    interface Steps {
        void bind(PreparedStatement p) throws SQLException;
    }

    @BeforeEach
    void twins(TestDatabase db) throws SQLException {
        this.db = db;
        plainDb = PostgresServer.get().createDatabase();
        MigrationFixture.create(db, Phase.EXPANDED);
        MigrationFixture.createTables(plainDb);
        db.execute(COLUMNS);
        plainDb.execute(COLUMNS);
        plain = plainDb.connect();
        dual = db.connectDualwrite();
    }

    @AfterEach
    void close() throws SQLException {
        dual.close();
        plain.close();
        plainDb.close();
    }

    @Test
    void singleWritesSendWhatWasBound() throws Exception {
        write("UPDATE users SET email = ?, bio = ? WHERE id = ?", p -> {
            p.setCharacterStream(1, new StringReader("reader@example.com and more the length cuts off"), 18);
            p.setAsciiStream(2, ascii("ascii bio, the tail is not sent"), 9);
            p.setLong(3, 1);
        });
        write("UPDATE users SET email = ?, avatar = ?, seen = ? WHERE id = ?", p -> {
            byte[] buffer = {1, 2, 3, 4};
            Timestamp seen = Timestamp.valueOf("2024-01-02 03:04:05.123456");
            p.setString(1, "bytes@example.com");
            p.setBytes(2, buffer);
            p.setTimestamp(3, seen);
            p.setLong(4, 2);
            buffer[0] = 99;
            seen.setTime(0);
        });
        write("UPDATE users SET email = ?, avatar = ?, bio = ? WHERE id = ?", p -> {
            p.setCharacterStream(1, new StringReader("whole-reader@example.com"));
            p.setBinaryStream(2, new ByteArrayInputStream(new byte[]{7, 8, 9, 10, 11}), 3);
            p.setNull(3, Types.VARCHAR);
            p.setLong(4, 4);
        });
        write("INSERT INTO users (id, name, email, avatar, seen) VALUES (?, ?, ?, ?, ?)", p -> {
            byte[] buffer = {5, 6};
            Timestamp seen = Timestamp.valueOf("2023-05-06 07:08:09");
            p.setLong(1, 10);
            p.setObject(2, "Obj");
            p.setUnicodeStream(3, utf8("ünïcode@example.com trailing"), 19);
            p.setObject(4, buffer);
            p.setObject(5, seen);
            buffer[1] = 0;
            seen.setNanos(999);
        });
        assertSameTables();
    }

    @Test
    void batchesSendWhatEachEntryBound() throws Exception {
        writeBatch("UPDATE users SET email = ?, avatar = ?, seen = ?, bio = ? WHERE id = ?", p -> {
            byte[] buffer = new byte[3];
            Timestamp seen = new Timestamp(0);
            for (long id = 1; id <= 4; id++) {
                buffer[0] = (byte) id; // one buffer and one Timestamp reused for every entry
                seen.setTime(id * 86_400_000L);
                p.setCharacterStream(1, new StringReader("batch" + id + "@example.com"));
                p.setBytes(2, buffer);
                p.setTimestamp(3, seen);
                p.setAsciiStream(4, ascii("bio " + id), 5);
                p.setLong(5, id);
                p.addBatch();
            }
            buffer[0] = 42;
            seen.setTime(1);
        });
        writeBatch("INSERT INTO users (id, name, email) VALUES (?, ?, ?)", p -> {
            for (long id = 20; id < 23; id++) {
                p.setLong(1, id);
                p.setString(2, "n" + id);
                p.setCharacterStream(3, new StringReader("in" + id + "@example.com-cut"), 15);
                p.addBatch();
            }
        });
        assertSameTables();
    }

    @Test
    void readsSendWhatWasBound() throws Exception {
        db.execute("UPDATE users SET avatar = '\\x0102', seen = '2024-01-01 00:00:00' WHERE id = 2");
        plainDb.execute("UPDATE users SET avatar = '\\x0102', seen = '2024-01-01 00:00:00' WHERE id = 2");
        phase(Phase.DUAL_WRITE);
        String sql = "SELECT id, email FROM users WHERE email = ? OR avatar = ? OR seen = ? OR email = ? ORDER BY id";
        Steps steps = p -> {
            byte[] avatar = {1, 2};
            Timestamp seen = Timestamp.valueOf("2024-01-01 00:00:00");
            p.setCharacterStream(1, new StringReader("ann@example.com"));
            p.setBytes(2, avatar);
            p.setTimestamp(3, seen);
            p.setAsciiStream(4, ascii("dee@example.com"), 15);
            avatar[1] = 0;
            seen.setTime(0);
        };
        List<String> expected = query(plain, sql, steps, null);
        assertThat(expected).containsExactly("1|ann@example.com", "2|bob@example.com", "4|dee@example.com");
        assertThat(query(dual, sql, steps, Phase.READ_NEW)).isEqualTo(expected);
        // and back: prepared in READ_NEW, executed in DUAL_WRITE
        assertThat(query(dual, sql, steps, Phase.DUAL_WRITE)).isEqualTo(expected);
    }

    /** Prepares and binds in the current phase, moves from EXPANDED to DUAL_WRITE, executes; the same without phase change on the plain twin. */
    private void write(String sql, Steps steps) throws Exception {
        try (PreparedStatement p = plain.prepareStatement(sql)) {
            steps.bind(p);
            assertThat(p.executeUpdate()).isEqualTo(1);
        }
        phase(Phase.EXPANDED);
        try (PreparedStatement p = dual.prepareStatement(sql)) {
            steps.bind(p);
            phase(Phase.DUAL_WRITE);
            assertThat(p.executeUpdate()).as(sql).isEqualTo(1);
        }
    }

    private void writeBatch(String sql, Steps steps) throws Exception {
        int[] expected;
        try (PreparedStatement p = plain.prepareStatement(sql)) {
            steps.bind(p);
            expected = p.executeBatch();
        }
        phase(Phase.EXPANDED);
        try (PreparedStatement p = dual.prepareStatement(sql)) {
            steps.bind(p);
            phase(Phase.DUAL_WRITE);
            assertThat(p.executeBatch()).as(sql).containsExactly(expected);
        }
    }

    private List<String> query(Connection c, String sql, Steps steps, Phase changeTo) throws Exception {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            steps.bind(p);
            if (changeTo != null) {
                phase(changeTo);
            }
            try (ResultSet rs = p.executeQuery()) {
                return MigrationFixture.rows(rs);
            }
        }
    }

    private void assertSameTables() throws SQLException {
        assertThat(MigrationFixture.rows(dual, TABLE)).isEqualTo(MigrationFixture.rows(plain, TABLE));
        MigrationFixture.assertInSync(db);
    }

    /** Sets the phase in the control schema and waits until this driver instance applies it. */
    private void phase(Phase phase) throws Exception {
        MigrationFixture.setPhase(db, phase);
        MigrationFixture.awaitApplied(db, phase);
    }

    private static ByteArrayInputStream ascii(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static ByteArrayInputStream utf8(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
