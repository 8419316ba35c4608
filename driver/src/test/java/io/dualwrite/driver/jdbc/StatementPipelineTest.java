package io.dualwrite.driver.jdbc;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10, acceptance 4: every statement kind that touches a migrated table reaches PostgreSQL
 * through the one pipeline. Each kind runs a dual write in DUAL_WRITE; the pipeline's count step
 * ({@link MigrationRuntime#rewrittenExecutions}, one per execution, a batch once) and its rewrite
 * step ({@link MigrationRuntime#dualWrites}, one per rewritten SQL text: each string of a Statement
 * batch, once for a prepared batch) must each move by the expected amount, and the target table
 * must follow (the dual write ran). Counters and shadow
 * sampling also hold for PreparedStatements.
 */
@ExtendWith(PostgresExtension.class)
class StatementPipelineTest {

    private static final MigrationSpec SPEC = new MigrationSpec("public", "users", "id", "email", "public", "email_address",
            "user_id", "address", "is_primary", ControlSchema.syncViewName("users", "email"));
    private static final String UPDATE = "UPDATE users SET email = ? WHERE id = ?";

    private TestDatabase db;
    private MigrationRuntime migration;
    private int next;

    interface Kind {
        void run(Connection c) throws SQLException;
    }

    @Test
    void everyStatementKindReachesTheDatabaseThroughThePipeline(TestDatabase db) throws Exception {
        create(db, 0.0);
        try (Connection c = db.connectDualwrite()) {
            migration = c.unwrap(DualwriteConnection.class).database.migrations().runtimes()[0];

            // Statement
            kind("Statement.executeUpdate", 1, 1, c, x -> statement(x, s -> s.executeUpdate(update(1))));
            kind("Statement.execute", 1, 1, c, x -> statement(x, s -> s.execute(update(2))));
            kind("Statement.executeLargeUpdate", 1, 1, c, x -> statement(x, s -> s.executeLargeUpdate(update(3))));
            kind("Statement.executeQuery with RETURNING", 1, 1, c, x -> statement(x, s -> {
                try (ResultSet rs = s.executeQuery(update(4) + " RETURNING id")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getMetaData().getColumnCount()).isEqualTo(1);
                }
            }));
            kind("Statement.executeUpdate RETURN_GENERATED_KEYS", 1, 1, c, x -> statement(x, s -> {
                assertThat(s.executeUpdate(update(1), Statement.RETURN_GENERATED_KEYS)).isEqualTo(1);
                assertKeys(s.getGeneratedKeys(), 3);
            }));
            kind("Statement.execute column names", 1, 1, c, x -> statement(x, s -> {
                s.execute(update(2), new String[]{"id"});
                assertKeys(s.getGeneratedKeys(), 1);
            }));
            kind("Statement.executeLargeUpdate column names", 1, 1, c, x -> statement(x, s -> {
                assertThat(s.executeLargeUpdate(update(3), new String[]{"email"})).isEqualTo(1);
                assertKeys(s.getGeneratedKeys(), 1);
            }));
            kind("Statement.execute RETURN_GENERATED_KEYS", 1, 1, c, x -> statement(x, s -> {
                s.execute(update(4), Statement.RETURN_GENERATED_KEYS);
                assertKeys(s.getGeneratedKeys(), 3);
            }));
            kind("Statement batch", 1, 2, c, x -> statement(x, s -> {
                s.addBatch(update(1));
                s.addBatch(update(2));
                assertThat(s.executeBatch()).containsExactly(1, 1);
            }));
            kind("Statement large batch", 1, 2, c, x -> statement(x, s -> {
                s.addBatch(update(3));
                s.addBatch(update(4));
                assertThat(s.executeLargeBatch()).containsExactly(1L, 1L);
            }));

            // PreparedStatement
            kind("PreparedStatement.executeUpdate", 1, 1, c, x -> prepared(x, UPDATE, 1, PreparedStatement::executeUpdate));
            kind("PreparedStatement.execute", 1, 1, c, x -> prepared(x, UPDATE, 2, PreparedStatement::execute));
            kind("PreparedStatement.executeLargeUpdate", 1, 1, c, x -> prepared(x, UPDATE, 3, PreparedStatement::executeLargeUpdate));
            kind("PreparedStatement.executeQuery with RETURNING", 1, 1, c,
                    x -> prepared(x, UPDATE + " RETURNING id", 4, p -> p.executeQuery().close()));
            kind("PreparedStatement RETURN_GENERATED_KEYS", 1, 1, c, x -> {
                try (PreparedStatement p = x.prepareStatement(UPDATE, Statement.RETURN_GENERATED_KEYS)) {
                    bind(p, 1);
                    assertThat(p.executeUpdate()).isEqualTo(1);
                    assertKeys(p.getGeneratedKeys(), 3);
                }
            });
            kind("PreparedStatement column names", 1, 1, c, x -> {
                try (PreparedStatement p = x.prepareStatement(UPDATE, new String[]{"id"})) {
                    bind(p, 2);
                    assertThat(p.executeUpdate()).isEqualTo(1);
                    assertKeys(p.getGeneratedKeys(), 1);
                }
            });
            kind("PreparedStatement batch", 1, 1, c, x -> {
                try (PreparedStatement p = x.prepareStatement(UPDATE)) {
                    bind(p, 3);
                    p.addBatch();
                    bind(p, 4);
                    p.addBatch();
                    assertThat(p.executeBatch()).containsExactly(1, 1);
                }
            });
            kind("PreparedStatement generated keys batch", 1, 1, c, x -> {
                try (PreparedStatement p = x.prepareStatement(UPDATE, Statement.RETURN_GENERATED_KEYS)) {
                    bind(p, 1);
                    p.addBatch();
                    bind(p, 2);
                    p.addBatch();
                    assertThat(p.executeLargeBatch()).containsExactly(1L, 1L);
                }
            });

            // CallableStatement
            kind("CallableStatement.executeUpdate", 1, 1, c, x -> {
                try (CallableStatement p = x.prepareCall(UPDATE)) {
                    bind(p, 3);
                    assertThat(p.executeUpdate()).isEqualTo(1);
                    assertThat(p.getConnection()).isSameAs(x);
                }
            });
            kind("CallableStatement batch", 1, 1, c, x -> {
                try (CallableStatement p = x.prepareCall(UPDATE, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                    bind(p, 4);
                    p.addBatch();
                    bind(p, 1);
                    p.addBatch();
                    assertThat(p.executeBatch()).containsExactly(1, 1);
                }
            });
            kind("CallableStatement.executeQuery with RETURNING", 1, 1, c, x -> {
                try (CallableStatement p = x.prepareCall(UPDATE + " RETURNING id, email")) {
                    bind(p, 2);
                    try (ResultSet rs = p.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getMetaData().getColumnCount()).isEqualTo(2);
                        assertThat(rs.getStatement()).isSameAs(p);
                    }
                }
            });

            // a statement on another table passes through: no step after the plan runs
            long before = migration.rewrittenExecutions();
            try (PreparedStatement p = c.prepareStatement("SELECT count(*) FROM email_address WHERE user_id = ?")) {
                p.setLong(1, 1);
                p.executeQuery().close();
            }
            try (CallableStatement p = c.prepareCall("{call abs(?)}")) {
                p.setInt(1, -1);
                p.execute();
            }
            assertThat(migration.rewrittenExecutions()).isEqualTo(before);
        }
    }

    /**
     * Counters and shadow sampling for a PreparedStatement, with a stream parameter PgJDBC would
     * read only when sending: the shadow comparison binds the same bytes again and does not
     * consume what the application's execution sends.
     */
    @Test
    void preparedStatementsAreCountedAndShadowed(TestDatabase db) throws Exception {
        create(db, 1.0);
        db.execute("UPDATE users SET avatar = '\\x0102' WHERE id = 2");
        try (Connection c = db.connectDualwrite();
             PreparedStatement p = c.prepareStatement("SELECT id, email FROM users WHERE avatar = ? OR email = ? ORDER BY id")) {
            migration = c.unwrap(DualwriteConnection.class).database.migrations().runtimes()[0];
            long comparisons = migration.shadowComparisons();
            long mismatches = migration.shadowMismatches();
            for (int i = 0; i < 3; i++) {
                p.setBinaryStream(1, new ByteArrayInputStream(new byte[]{1, 2, 3}), 2);
                p.setString(2, "u1@example.com");
                try (ResultSet rs = p.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(2)).isEqualTo("u1@example.com");
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(2)).isEqualTo("u2@example.com");
                    assertThat(rs.next()).isFalse();
                }
            }
            assertThat(migration.shadowComparisons() - comparisons).isEqualTo(3);
            assertThat(migration.shadowMismatches() - mismatches).isZero();

            // a diverged target row is a mismatch; the application is still served the old column
            db.execute("UPDATE email_address SET address = 'diverged' WHERE user_id = 2 AND is_primary");
            p.setBinaryStream(1, new ByteArrayInputStream(new byte[]{1, 2}));
            p.setString(2, "nobody");
            try (ResultSet rs = p.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(2)).isEqualTo("u2@example.com");
            }
            assertThat(migration.shadowMismatches() - mismatches).isEqualTo(1);
            assertThat(migration.readsRewritten()).as("in DUAL_WRITE reads run as written").isZero();
        }
    }

    private void create(TestDatabase db, double shadowSampleRate) throws SQLException {
        this.db = db;
        db.execute("""
                CREATE TABLE users (id bigint PRIMARY KEY, email text, avatar bytea);
                INSERT INTO users SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 4) g;
                CREATE TABLE email_address (user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
                CREATE UNIQUE INDEX ON email_address (user_id) WHERE is_primary;
                INSERT INTO email_address SELECT id, email, true FROM users;
                """);
        try (Connection admin = db.connect()) {
            ControlSchema.register(admin, SPEC);
            PhaseWriter.change(admin, PhaseWriter.Request.of("users.email", Phase.DUAL_WRITE, "test", null));
            ControlSchema.setShadowSampleRate(admin, "users.email", shadowSampleRate);
        }
    }

    /** Runs one kind; checks the pipeline counted it and the dual write reached the target table. */
    private void kind(String name, long executions, long dualWrites, Connection c, Kind kind) throws SQLException {
        next++;
        long executed = migration.rewrittenExecutions();
        long written = migration.dualWrites();
        kind.run(c);
        assertThat(migration.rewrittenExecutions() - executed).as(name + ": executions through the pipeline").isEqualTo(executions);
        assertThat(migration.dualWrites() - written).as(name + ": dual writes").isEqualTo(dualWrites);
        assertThat(db.queryLong("""
                SELECT count(*) FROM users u LEFT JOIN email_address e ON e.user_id = u.id AND e.is_primary
                 WHERE u.email IS DISTINCT FROM e.address""")).as(name + ": target follows").isZero();
        assertThat(db.queryLong("SELECT count(*) FROM users WHERE email LIKE 'v" + next + "-%'")).as(name + ": written").isPositive();
    }

    private String update(long id) {
        return "UPDATE users SET email = 'v" + next + "-" + id + "@example.com' WHERE id = " + id;
    }

    private void bind(PreparedStatement p, long id) throws SQLException {
        p.setString(1, "v" + next + "-" + id + "@example.com");
        p.setLong(2, id);
    }

    interface StatementUse {
        void use(Statement s) throws SQLException;
    }

    interface PreparedUse {
        void use(PreparedStatement p) throws SQLException;
    }

    private void statement(Connection c, StatementUse use) throws SQLException {
        try (Statement s = c.createStatement()) {
            use.use(s);
        }
    }

    private void prepared(Connection c, String sql, long id, PreparedUse use) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, id);
            use.use(p);
        }
    }

    private static void assertKeys(ResultSet keys, int columns) throws SQLException {
        try (ResultSet rs = keys) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getMetaData().getColumnCount()).isEqualTo(columns);
            assertThat(rs.next()).isFalse();
        }
    }
}
