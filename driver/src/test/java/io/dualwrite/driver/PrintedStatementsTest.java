package io.dualwrite.driver;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;

import java.math.BigDecimal;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code toString()} prints, which loggers and ORMs show: against plain PgJDBC on a twin that has the old column,
 * in every phase. A PreparedStatement or CallableStatement prints the application's SQL with its bound values inlined,
 * as PgJDBC prints it, whether dualwrite passes it through or rewrites it; the connection, statements, result sets and
 * metadata print PgJDBC's object (the class of plain PgJDBC's, not a wrapper's).
 */
@ExtendWith(PostgresExtension.class)
class PrintedStatementsTest {

    @ParameterizedTest
    @EnumSource(Phase.class)
    void toStringPrintsWhatPlainPgJdbcPrints(Phase phase, TestDatabase db) throws SQLException {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            MigrationFixture.createTables(db);
            MigrationFixture.registerIn(db, phase);
            try (Connection plain = plainDb.connect(); Connection dual = db.connectDualwrite()) {
                assertThat(printed(dual)).isEqualTo(printed(plain));
            }
        }
    }

    /** What each object prints; PgJDBC's own {@code Object.toString} reduced to its class (the hash differs by twin). */
    private static List<String> printed(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        out.add(classOf(c));
        out.add("connection prints PgJDBC's: " + c.toString().equals(c.unwrap(PGConnection.class).toString()));
        out.add(classOf(c.getMetaData()));
        try (PreparedStatement p = c.prepareStatement("SELECT id, amount FROM orders WHERE amount > ? AND note = ?")) {
            p.setBigDecimal(1, new BigDecimal("5.5"));
            p.setString(2, "first");
            out.add(p.toString());
            try (ResultSet rs = p.executeQuery()) {
                out.add(classOf(rs) + " " + classOf(rs.getMetaData()) + " " + p);
            }
        }
        PreparedStatement closed;
        try (PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
            out.add(p.toString());
            p.setString(1, "a'b@x");
            p.setLong(2, 1);
            out.add(p.toString());
            p.addBatch();
            p.setNull(1, Types.VARCHAR);
            out.add(p.toString());
            p.clearParameters();
            p.setObject(2, 7, Types.INTEGER);
            out.add(p.toString());
            out.add(classOf(p.getParameterMetaData()));
            closed = p;
        }
        out.add("closed: " + closed);
        try (PreparedStatement p = c.prepareStatement("SELECT name, email FROM users WHERE email = ? OR id > ? ORDER BY id")) {
            p.setString(1, "ann@example.com");
            p.setObject(2, 3L);
            try (ResultSet rs = p.executeQuery()) {
                out.add(classOf(rs) + " " + classOf(rs.getMetaData()) + " " + p);
            }
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO users (id, name, email) VALUES (?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            p.setLong(1, 40);
            p.setString(2, "Forty");
            p.setString(3, "forty@example.com");
            out.add(p.toString());
        }
        try (PreparedStatement p = c.prepareStatement("UPDATE users SET email = lower(?), name = ? WHERE id = ? AND email <> ?",
                new String[] {"id"})) {
            p.setString(1, "X@Y");
            p.setObject(2, LocalDate.of(2024, 1, 2).toString());
            p.setLong(3, 2);
            p.setString(4, "X@Y");
            out.add(p.toString());
        }
        try (CallableStatement call = c.prepareCall("SELECT email FROM users WHERE id = ?")) {
            call.setLong(1, 2);
            out.add(call.toString());
        }
        try (CallableStatement call = c.prepareCall("{call lower(?)}")) {
            call.setString(1, "ABC");
            out.add(call.toString());
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT email FROM users")) {
            out.add(classOf(s) + " " + classOf(rs) + " " + classOf(rs.getMetaData()));
            out.add("statement prints PgJDBC's: " + s.toString().equals(s.unwrap(PGStatement.class).toString()));
        }
        return out;
    }

    private static String classOf(Object o) {
        String s = o.toString();
        return s.replaceFirst("@[0-9a-f]+$", "");
    }
}
