package io.dualwrite.driver;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Values PostgreSQL types by the column an INSERT assigns them to: quoted literals, NULL, and the parameters PgJDBC sends
 * without a type ({@code stringtype=unspecified}, as applications that bind JSON, UUID or enum columns with setString
 * configure it). The translated phases move an {@code INSERT … SELECT}'s query into a WITH query, where PostgreSQL would
 * make them text; they must still reach their columns as in the original, and be described as there.
 */
@ExtendWith(PostgresExtension.class)
class UntypedValuesTwinTest {

    private static final String UNSPECIFIED = "stringtype=unspecified";

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void untypedValuesOfAnInsertSelectReachTheirColumnsAsInTheOriginal(Phase phase, TestDatabase db) throws Exception {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            MigrationFixture.create(db, Phase.DUAL_WRITE);
            db.execute("UPDATE users SET email = 'stale-' || id WHERE email IS NOT NULL");
            MigrationFixture.enterTranslatingPhase(db, phase);
            String insert = "INSERT INTO users (id, name, email) SELECT ?, ?, ? WHERE NOT EXISTS"
                    + " (SELECT 1 FROM users WHERE email = ?)";
            try (TwinRun run = new TwinRun("UntypedValuesTwinTest " + phase,
                    () -> connect(plainDb.jdbcUrl(), plainDb), () -> connect(db.dualwriteUrl(), db),
                    c -> state(c, CorpusContractedTest.PLAIN_EMAILS), c -> state(c, CorpusContractedTest.DUAL_EMAILS),
                    java.util.Map.of())) {
                run.compare("untyped key, name and email", insert, List.of("950", "n", "e@x", "e@x"), true);
                run.compare("untyped, no column list", "INSERT INTO users SELECT ?, ?, ? RETURNING *",
                        List.of("951", "n", "f@x"), true);
                run.compare("untyped key that is no number", insert, List.of("x952", "n", "g@x", "g@x"), true);
                run.compare("untyped email, an existing one", insert, List.of("953", "n", "bob@example.com",
                        "bob@example.com"), true);
                run.report();
                assertThat(run.translated()).as("translated alike").isEqualTo(3);
            }
            // described before it runs: the parameters get their columns' types, as PostgreSQL infers them there
            try (Connection plain = connect(plainDb.jdbcUrl(), plainDb); Connection dual = connect(db.dualwriteUrl(), db)) {
                assertThat(described(dual, insert)).isEqualTo(described(plain, insert))
                        .containsExactly("int8", "text", "text", "text", "result: none");
            }
        }
    }

    private static Connection connect(String url, TestDatabase db) throws SQLException {
        return DriverManager.getConnection(url + (url.contains("?") ? "&" : "?") + UNSPECIFIED, db.properties());
    }

    private static List<String> described(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ParameterMetaData p = ps.getParameterMetaData();
            List<String> out = new ArrayList<>();
            for (int i = 1; i <= p.getParameterCount(); i++) {
                out.add(p.getParameterTypeName(i));
            }
            out.add(ps.getMetaData() == null ? "result: none" : "result: " + ps.getMetaData().getColumnCount());
            return out;
        }
    }

    private static String state(Connection c, String emails) throws SQLException {
        return "users " + MigrationFixture.rows(c, "SELECT id, name FROM users ORDER BY id") + " email_address "
                + MigrationFixture.rows(c, emails);
    }
}
