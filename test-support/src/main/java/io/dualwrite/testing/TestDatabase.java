package io.dualwrite.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** A fresh, empty database on the test server; dropped when the test ends. */
public final class TestDatabase implements AutoCloseable {

    private final PostgresServer server;
    private final String name;

    TestDatabase(PostgresServer server, String name) {
        this.server = server;
        this.name = name;
    }

    PostgresServer server() {
        return server;
    }

    public String name() {
        return name;
    }

    /** The plain PgJDBC URL of this database. */
    public String jdbcUrl() {
        return server.jdbcUrl(name);
    }

    /** The same database through dualwrite: {@code jdbc:dualwrite:postgresql://…}. */
    public String dualwriteUrl() {
        return "jdbc:dualwrite:" + jdbcUrl().substring("jdbc:".length());
    }

    /** user and password for either URL. */
    public Properties properties() {
        return server.properties();
    }

    public String user() {
        return server.user();
    }

    public String password() {
        return server.password();
    }

    /** A plain PgJDBC connection, bypassing dualwrite: the test's view of the truth. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), properties());
    }

    /** A connection through the dualwrite driver (which must be on the classpath). */
    public Connection connectDualwrite() throws SQLException {
        return DriverManager.getConnection(dualwriteUrl(), properties());
    }

    /** Runs SQL on a plain connection, for setup. */
    public void execute(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The single value of a query on a plain connection, as a long. */
    public long queryLong(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row from " + sql);
            }
            return rs.getLong(1);
        }
    }

    /** The single value of a query on a plain connection, as a string (null stays null). */
    public String queryString(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row from " + sql);
            }
            return rs.getString(1);
        }
    }

    @Override
    public void close() {
        server.dropDatabase(name);
    }
}
