package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code preferQueryMode=simple} (what PgBouncer in transaction mode asks for): PgJDBC sends a describe as a query there,
 * so the driver must never describe the application's text to answer metadata; asking for it runs nothing twice.
 */
@ExtendWith(PostgresExtension.class)
class SimpleQueryModeTest {

    private static Connection simple(TestDatabase db) throws SQLException {
        String url = db.dualwriteUrl();
        return DriverManager.getConnection(url + (url.contains("?") ? "&" : "?") + "preferQueryMode=simple", db.properties());
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"READ_NEW", "CONTRACTED"})
    void metadataOfARewrittenReadRunsNothingAgain(Phase phase, TestDatabase db) throws SQLException {
        MigrationFixture.create(db, Phase.READ_NEW);
        if (phase != Phase.READ_NEW) {
            MigrationFixture.enterTranslatingPhase(db, phase);
        }
        db.execute("CREATE SEQUENCE ticks");
        try (Connection c = simple(db); Statement s = c.createStatement()) {
            assertThat(s.execute("SELECT id, email FROM users WHERE id = 1;"
                    + " UPDATE orders SET amount = amount + 1 WHERE id = 100")).isTrue();
            ResultSetMetaData md = s.getResultSet().getMetaData();
            assertThat(md.getColumnLabel(2)).isEqualTo("email");
            try (ResultSet rs = s.executeQuery("SELECT nextval('ticks') AS tick, email FROM users WHERE id = 2")) {
                assertThat(rs.getMetaData().getColumnLabel(2)).isEqualTo("email");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(2)).isEqualTo("bob@example.com");
            }
            c.setAutoCommit(false);
            try (ResultSet rs = s.executeQuery("SELECT id, email FROM users WHERE id = 4")) {
                assertThat(rs.getMetaData().getColumnCount()).isEqualTo(2);
            }
            c.commit();
        }
        assertThat(db.queryString("SELECT amount::text FROM orders WHERE id = 100")).as("the UPDATE ran once").isEqualTo("11.50");
        assertThat(db.queryLong("SELECT last_value FROM ticks")).as("nextval ran once").isOne();
    }
}
