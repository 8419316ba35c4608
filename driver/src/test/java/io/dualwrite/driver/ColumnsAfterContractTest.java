package io.dualwrite.driver;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code DatabaseMetaData.getColumns} after the old column stopped being written (NEW_ONLY) and after
 * it was dropped (CONTRACTED): against plain PgJDBC on a twin that still has the column, the same rows
 * (the old column at its recorded position with its recorded type, nullability and default, the
 * later columns at their original positions) and the same labels and types, so an ORM validating its
 * mapping at startup finds the schema it was written for.
 */
@ExtendWith(PostgresExtension.class)
class ColumnsAfterContractTest {

    /** Patterns an ORM or a tool asks with: catalog, schema, table, column. */
    private static final List<String[]> PATTERNS = List.of(
            new String[] {null, "public", "users", "%"},
            new String[] {null, null, "users", null},
            new String[] {null, "public", "users", "email"},
            new String[] {null, "pub%", "u_ers", "e%"},
            new String[] {null, "public", "%", "%"},
            new String[] {null, "public", "users", "name"},
            new String[] {null, "public", "orders", "%"},
            new String[] {null, "public", "users", "EMAIL"},
            new String[] {"", "public", "users", "%"},
            new String[] {"nosuchdb", "public", "users", "%"});

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void getColumnsListsTheOldColumnAsThePlainSchemaDoes(Phase phase, TestDatabase db) throws SQLException {
        String schema = "ALTER TABLE users ALTER COLUMN email TYPE varchar(320), ALTER COLUMN email SET DEFAULT 'none@x.org';"
                + " ALTER TABLE users ADD COLUMN joined date NOT NULL DEFAULT date '2024-01-02';"
                + " CREATE TABLE users2 (id int, note text)";
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            plainDb.execute(schema);
            MigrationFixture.createTables(db);
            db.execute(schema);
            MigrationFixture.register(db, Phase.READ_NEW);
            MigrationFixture.enterTranslatingPhase(db, phase);
            try (Connection plain = plainDb.connect(); Connection dual = db.connectDualwrite()) {
                for (String[] p : PATTERNS) {
                    assertThat(columns(dual.getMetaData(), p)).as(String.join(", ", String.valueOf(p[1]), p[2],
                            String.valueOf(p[3]))).isEqualTo(columns(plain.getMetaData(), p));
                }
                // still usable as PgJDBC's own: by label, and the connection is the application's
                try (ResultSet rs = dual.getMetaData().getColumns(null, "public", "users", "email")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString("TYPE_NAME")).isEqualTo("varchar");
                    assertThat(rs.getInt("COLUMN_SIZE")).isEqualTo(320);
                    assertThat(rs.getInt("ORDINAL_POSITION")).isEqualTo(3);
                    assertThat(rs.getString("COLUMN_DEF")).isEqualTo("'none@x.org'::character varying");
                    assertThat(rs.next()).isFalse();
                }
                assertThat(dual.getMetaData().getConnection()).isSameAs(dual);
            }
        }
    }

    /**
     * The result set of the old column's table is the driver's own (its rows rebuilt), yet it scrolls as PgJDBC's does:
     * PgJDBC's metadata results are TYPE_SCROLL_INSENSITIVE and CONCUR_READ_ONLY, so an application may go back and forth.
     */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void getColumnsScrollsAsThePlainSchemasDoes(Phase phase, TestDatabase db) throws SQLException {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            MigrationFixture.createTables(db);
            MigrationFixture.register(db, Phase.READ_NEW);
            MigrationFixture.enterTranslatingPhase(db, phase);
            try (Connection plain = plainDb.connect(); Connection dual = db.connectDualwrite()) {
                for (String[] p : List.of(new String[] {null, "public", "users", "%"}, new String[] {null, "public", "%", "%"})) {
                    assertThat(scrolling(dual.getMetaData(), p)).as(p[2]).isEqualTo(scrolling(plain.getMetaData(), p));
                }
            }
        }
    }

    /** The cursor's kind, then where each movement lands and the column name it finds there (or the SQLState refusing it). */
    private static List<String> scrolling(DatabaseMetaData md, String[] p) throws SQLException {
        try (ResultSet rs = md.getColumns(p[0], p[1], p[2], p[3])) {
            List<String> out = new ArrayList<>();
            out.add(rs.getType() + " " + rs.getConcurrency() + " " + rs.getFetchDirection());
            out.add(move(rs, "last", ResultSet::last));
            out.add(move(rs, "previous", ResultSet::previous));
            out.add(move(rs, "beforeFirst", r -> {
                r.beforeFirst();
                return r.isBeforeFirst();
            }));
            out.add(move(rs, "absolute(3)", r -> r.absolute(3)));
            out.add(move(rs, "relative(-1)", r -> r.relative(-1)));
            out.add(move(rs, "first", ResultSet::first));
            out.add(move(rs, "afterLast", r -> {
                r.afterLast();
                return r.isAfterLast();
            }));
            out.add(move(rs, "absolute(-2)", r -> r.absolute(-2)));
            return out;
        }
    }

    private interface Movement {
        boolean apply(ResultSet rs) throws SQLException;
    }

    private static String move(ResultSet rs, String name, Movement m) {
        try {
            boolean on = m.apply(rs);
            int row = rs.getRow();
            return name + " " + on + " row " + row + (row > 0 ? " " + rs.getString("COLUMN_NAME") : "");
        } catch (SQLException e) {
            return name + " refused " + e.getSQLState();
        }
    }

    /** Labels and JDBC types of the result, then each row's values as strings (the twins' catalogs are named apart). */
    private static List<String> columns(DatabaseMetaData md, String[] p) throws SQLException {
        String catalog = md.getConnection().getCatalog();
        try (ResultSet rs = md.getColumns(p[0], p[1], p[2], p[3])) {
            List<String> out = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            StringBuilder head = new StringBuilder();
            for (int i = 1; i <= n; i++) {
                head.append(rs.getMetaData().getColumnLabel(i)).append(':').append(rs.getMetaData().getColumnType(i)).append(' ');
            }
            out.add(head.toString());
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    String value = rs.getString(i);
                    row.append(i == 1 && catalog.equals(value) ? "<catalog>" : value).append('|');
                }
                out.add(row.toString());
            }
            return out;
        }
    }
}
