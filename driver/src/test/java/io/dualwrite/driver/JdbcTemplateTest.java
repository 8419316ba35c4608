package io.dualwrite.driver;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A real client: Spring's JdbcTemplate over the dualwrite driver in DUAL_WRITE, and in NEW_ONLY and
 * CONTRACTED (old column stale, or dropped), compared with plain PgJDBC on the original schema.
 */
@ExtendWith(PostgresExtension.class)
class JdbcTemplateTest {

    private record Run(int updated, int[] batch, List<Map<String, Object>> keyList, Object key, Map<Long, String> users) {
    }

    /** update, batchUpdate, KeyHolder with column names and with RETURN_GENERATED_KEYS, a rolled-back transaction. */
    private static Run run(JdbcTemplate jdbc, TransactionTemplate tx) {
        int updated = jdbc.update("UPDATE users SET email = ? WHERE id IN (?, ?)", "spring@example.com", 1L, 2L);
        int[] batch = jdbc.batchUpdate("INSERT INTO users (id, name, email) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email",
                List.of(new Object[] {20L, "T", "t@example.com"}, new Object[] {3L, "Cy", "cy@example.com"},
                        new Object[] {21L, "U", null}));

        KeyHolder byName = new GeneratedKeyHolder();
        jdbc.update(c -> {
            PreparedStatement p = c.prepareStatement("INSERT INTO users (id, name, email) VALUES (?, 'K', ?)", new String[] {"id"});
            p.setLong(1, 30);
            p.setString(2, "key@example.com");
            return p;
        }, byName);

        KeyHolder all = new GeneratedKeyHolder();
        jdbc.update(c -> {
            PreparedStatement p = c.prepareStatement("UPDATE users SET email = lower(email) WHERE id >= ?", Statement.RETURN_GENERATED_KEYS);
            p.setLong(1, 5);
            return p;
        }, all);

        assertThatThrownBy(() -> tx.executeWithoutResult(status -> {
            jdbc.update("UPDATE users SET email = 'in-tx@example.com' WHERE id = 4");
            jdbc.update("INSERT INTO users (id, name, email) VALUES (1, 'dup', 'dup@example.com')");
        })).isInstanceOf(DuplicateKeyException.class);

        List<Map<String, Object>> keyList = all.getKeyList().stream()
                .sorted((a, b) -> Long.compare((Long) a.get("id"), (Long) b.get("id"))).toList();
        Map<Long, String> users = new java.util.TreeMap<>();
        jdbc.query("SELECT id, email FROM users", rs -> {
            users.put(rs.getLong(1), rs.getString(2));
        });
        return new Run(updated, batch, keyList, byName.getKey(), users);
    }

    private static Run runOn(String url, TestDatabase db) {
        SingleConnectionDataSource ds = new SingleConnectionDataSource(url, db.user(), db.password(), true);
        try {
            return run(new JdbcTemplate(ds), new TransactionTemplate(new DataSourceTransactionManager(ds)));
        } finally {
            ds.destroy();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "NEW_ONLY", "CONTRACTED"})
    void updateBatchUpdateAndKeyHolderAsWithPlainPgJdbc(Phase phase, TestDatabase db) throws Exception {
        if (phase.writesOld()) {
            MigrationFixture.create(db, phase);
        } else {
            MigrationFixture.createTables(db);
            MigrationFixture.register(db, Phase.READ_NEW);
            MigrationFixture.enterTranslatingPhase(db, phase);
        }
        Run dual = runOn(db.dualwriteUrl(), db);
        if (phase.writesOld()) {
            MigrationFixture.assertInSync(db);
        }

        Run plain;
        try (TestDatabase other = io.dualwrite.testing.PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(other);
            plain = runOn(other.jdbcUrl(), other);
        }

        assertThat(plain.updated()).isEqualTo(2);
        assertThat(plain.key()).isEqualTo(30L);
        assertThat(plain.keyList()).hasSize(4).allSatisfy(row -> assertThat(row).containsOnlyKeys("id", "name", "email"));

        assertThat(dual.updated()).isEqualTo(plain.updated());
        assertThat(dual.batch()).containsExactly(plain.batch());
        assertThat(dual.key()).isEqualTo(plain.key());
        assertThat(dual.keyList()).isEqualTo(plain.keyList());
        assertThat(dual.users()).isEqualTo(plain.users());
        assertThat(MigrationFixture.primaries(db)).as("email_address").isEqualTo(MigrationFixture.mirrorOf(plain.users()));
    }
}
