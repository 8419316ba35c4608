package io.dualwrite.driver;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SQL Hibernate 6 generates for an entity on {@code users} (identity key, {@code @Version}),
 * run as Hibernate runs it (PreparedStatements, JDBC batches, {@code returning id}, counts checked
 * for optimistic locking, a flush rolled back) through dualwrite in NEW_ONLY and CONTRACTED and
 * through plain PgJDBC on the original schema: the same counts, keys, rows and result metadata.
 */
@ExtendWith(PostgresExtension.class)
class HibernateShapesTest {

    private static final String ENTITY = """
            ALTER TABLE users ADD COLUMN version int NOT NULL DEFAULT 0;
            CREATE SEQUENCE users_id_seq START 100 OWNED BY users.id;
            ALTER TABLE users ALTER COLUMN id SET DEFAULT nextval('users_id_seq');
            """;

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void hibernatesStatementsObserveWhatThePlainSchemaGives(Phase phase, TestDatabase db) throws Exception {
        try (TestDatabase other = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(other);
            other.execute(ENTITY);
            MigrationFixture.createTables(db);
            db.execute(ENTITY);
            MigrationFixture.register(db, Phase.READ_NEW);
            MigrationFixture.enterTranslatingPhase(db, phase);
            List<String> plain;
            List<String> dual;
            try (Connection c = other.connect()) {
                plain = session(c);
            }
            try (Connection c = db.connectDualwrite()) {
                dual = session(c);
            }
            assertThat(dual).isEqualTo(plain);
            assertThat(plain).contains("stale update 0");
            assertThat(MigrationFixture.primaries(db)).isEqualTo(MigrationFixture.mirrorOf(MigrationFixture.users(other)));
        }
    }

    /** One unit of work after another, as Hibernate sends them; what the application sees of each. */
    private static List<String> session(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        // persist with an identity key: insert … returning id
        try (PreparedStatement p = c.prepareStatement("insert into users (email,name,version) values (?,?,?) returning id")) {
            p.setString(1, "hib@example.com");
            p.setString(2, "Hib");
            p.setInt(3, 0);
            try (ResultSet rs = p.executeQuery()) {
                out.add("persisted " + MigrationFixture.labels(rs) + " " + MigrationFixture.rows(rs));
            }
        }
        // the same through getGeneratedKeys (Hibernate's other identity strategy)
        try (PreparedStatement p = c.prepareStatement("insert into users (email,name,version) values (?,?,?)", new String[] {"id"})) {
            p.setNull(1, Types.VARCHAR);
            p.setString(2, "NoMail");
            p.setInt(3, 0);
            out.add("inserted " + p.executeUpdate());
            try (ResultSet keys = p.getGeneratedKeys()) {
                out.add("keys " + MigrationFixture.rows(keys));
            }
        }
        // find, then a dirty-checked versioned update, batched
        try (PreparedStatement p = c.prepareStatement(
                "select u1_0.id,u1_0.email,u1_0.name,u1_0.version from users u1_0 where u1_0.id=?")) {
            p.setLong(1, 2);
            try (ResultSet rs = p.executeQuery()) {
                out.addAll(ReadNewDifferentialTest.describe(rs.getMetaData()));
                out.add("found " + MigrationFixture.rows(rs));
            }
        }
        c.setAutoCommit(false);
        try (PreparedStatement p = c.prepareStatement("update users set email=?,name=?,version=? where id=? and version=?")) {
            for (long id : new long[] {1, 2, 4}) {
                p.setString(1, "v" + id + "@example.com");
                p.setString(2, "N" + id);
                p.setInt(3, 1);
                p.setLong(4, id);
                p.setInt(5, 0);
                p.addBatch();
            }
            out.add("versioned batch " + Arrays.toString(p.executeBatch()));
            // a stale version: 0 rows, Hibernate's OptimisticLockException, the flush rolled back
            p.setString(1, "stale@example.com");
            p.setString(2, "Stale");
            p.setInt(3, 1);
            p.setLong(4, 5);
            p.setInt(5, 7);
            out.add("stale update " + p.executeUpdate());
        }
        c.rollback();
        try (PreparedStatement p = c.prepareStatement("update users set email=?,name=?,version=? where id=? and version=?")) {
            p.setString(1, "kept@example.com");
            p.setString(2, "Kept");
            p.setInt(3, 1);
            p.setLong(4, 1);
            p.setInt(5, 0);
            out.add("versioned update " + p.executeUpdate());
        }
        try (PreparedStatement p = c.prepareStatement("delete from users where id=? and version=?")) {
            p.setLong(1, 4);
            p.setInt(2, 0);
            out.add("versioned delete " + p.executeUpdate());
        }
        c.commit();
        c.setAutoCommit(true);
        try (PreparedStatement p = c.prepareStatement(
                "select u1_0.id,u1_0.email,u1_0.name,u1_0.version from users u1_0 where u1_0.email like ? order by u1_0.id")) {
            p.setString(1, "%@example.com");
            try (ResultSet rs = p.executeQuery()) {
                out.add("query " + MigrationFixture.rows(rs));
            }
        }
        return out;
    }
}
