package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A write to another table that reads users.email, after the contract, asked for generated keys: PgJDBC would append
 * {@code RETURNING *}, whose {@code *} covers {@code users} of FROM/USING too; the keys must hold the email the plain
 * schema holds (not the stale old column in NEW_ONLY, nor lose it in CONTRACTED), and the counts and tables match.
 */
@ExtendWith(PostgresExtension.class)
class OtherTableWriteKeysTest {

    private static final List<String> WRITES = List.of(
            "UPDATE orders o SET note = u.email FROM users u WHERE u.id = o.user_id",
            "DELETE FROM orders USING users u WHERE u.id = orders.user_id AND u.email LIKE 'bob%'",
            // reads no email itself, but PgJDBC's RETURNING * covers users
            "UPDATE orders o SET note = 'n' FROM users u WHERE u.id = o.user_id");

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void generatedKeysHoldTheEmailOfThePlainSchema(Phase phase, TestDatabase db) throws SQLException {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            MigrationFixture.create(db, Phase.DUAL_WRITE);
            db.execute("UPDATE users SET email = 'stale-' || id WHERE email IS NOT NULL");
            MigrationFixture.enterTranslatingPhase(db, phase);
            for (String sql : WRITES) {
                try (Connection plain = plainDb.connect(); Connection dual = db.connectDualwrite()) {
                    plain.setAutoCommit(false);
                    dual.setAutoCommit(false);
                    assertThat(keys(dual, sql, false)).as(sql).isEqualTo(keys(plain, sql, false));
                    assertThat(keys(dual, sql, true)).as("prepared: " + sql).isEqualTo(keys(plain, sql, true));
                    assertThat(MigrationFixture.rows(dual, "SELECT id, user_id, note FROM orders ORDER BY id"))
                            .isEqualTo(MigrationFixture.rows(plain, "SELECT id, user_id, note FROM orders ORDER BY id"));
                    plain.rollback();
                    dual.rollback();
                }
            }
        }
    }

    /** The update count, then the generated keys' labels and rows. */
    private static List<String> keys(Connection c, String sql, boolean prepared) throws SQLException {
        List<String> out = new ArrayList<>();
        if (prepared) {
            try (PreparedStatement p = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
                out.add("count " + p.executeUpdate());
                out.addAll(MigrationFixture.labels(p.getGeneratedKeys()));
                out.addAll(MigrationFixture.rows(p.getGeneratedKeys()));
            }
        } else {
            try (Statement s = c.createStatement()) {
                out.add("count " + s.executeUpdate(sql, Statement.RETURN_GENERATED_KEYS));
                out.addAll(MigrationFixture.labels(s.getGeneratedKeys()));
                out.addAll(MigrationFixture.rows(s.getGeneratedKeys()));
            }
        }
        return out;
    }
}
