package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.PGResultSetMetaData;

/**
 * The rows an SQL-level {@code EXECUTE name} or a cursor's {@code FETCH} returns are those of a read the driver rewrote
 * when it was prepared or declared; their metadata is that read's, as on plain PgJDBC with the column: table, base
 * column, nullability and type of {@code email} too. Compared with a plain twin.
 */
@ExtendWith(PostgresExtension.class)
class NamedResultsMetadataTest {

    /** Steps on one connection in one transaction; the results of each are compared. */
    private static final List<String> STEPS = List.of(
            "PREPARE r(bigint) AS SELECT id, email, name FROM users WHERE id = $1",
            "EXECUTE r(1)",
            "execute R (2)",
            "PREPARE s AS SELECT * FROM users u WHERE u.email LIKE 'b%' ORDER BY u.id",
            "EXECUTE s",
            "DECLARE c CURSOR FOR SELECT * FROM users ORDER BY id",
            "FETCH 2 FROM c",
            "FETCH NEXT IN c",
            "FETCH ALL c",
            "DECLARE \"Mixed\" SCROLL CURSOR WITH HOLD FOR SELECT upper(email) AS e, id FROM users ORDER BY id",
            "FETCH ABSOLUTE 3 FROM \"Mixed\"",
            "FETCH BACKWARD 2 FROM \"Mixed\"",
            "CLOSE \"Mixed\"",
            // another cursor under a name used before: its own metadata
            "CLOSE c",
            "DECLARE c CURSOR FOR SELECT name FROM users ORDER BY id",
            "FETCH 1 FROM c");

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void asThePlainRead(Phase phase, TestDatabase db) throws Exception {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            MigrationFixture.createTables(db);
            MigrationFixture.registerIn(db, phase);
            List<String> differences = new ArrayList<>();
            try (Connection plain = plainDb.connect(); Connection dual = db.connectDualwrite();
                 Statement p = plain.createStatement(); Statement d = dual.createStatement()) {
                plain.setAutoCommit(false);
                dual.setAutoCommit(false);
                for (String step : STEPS) {
                    String expected = outcome(p, step);
                    String actual = outcome(d, step);
                    if (!expected.equals(actual)) {
                        differences.add(step + "\n  plain:     " + expected + "\n  dualwrite: " + actual);
                    }
                }
            }
            assertThat(differences).as(phase + ": results of EXECUTE and FETCH").isEmpty();
        }
    }

    private static String outcome(Statement s, String sql) throws SQLException {
        if (!s.execute(sql)) {
            return "count " + s.getUpdateCount();
        }
        try (ResultSet rs = s.getResultSet()) {
            ResultSetMetaData md = rs.getMetaData();
            PGResultSetMetaData pg = md.unwrap(PGResultSetMetaData.class);
            StringBuilder b = new StringBuilder();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                b.append(md.getColumnLabel(i)).append(':').append(md.getColumnTypeName(i)).append('{')
                        .append(md.getTableName(i)).append('.').append(pg.getBaseColumnName(i))
                        .append(" schema=").append(pg.getBaseSchemaName(i)).append(" nullable=").append(md.isNullable(i))
                        .append(" auto=").append(md.isAutoIncrement(i)).append("} ");
            }
            return b.append(MigrationFixture.rows(rs)).toString();
        }
    }
}
