package io.dualwrite.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dualwrite.control.ControlSchema;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.rewrite.StatementRewriter;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;

/**
 * What every benchmark fork shares: the PostgreSQL the suite started (passed to forks as system
 * properties by {@link BenchmarkSuite}), the table names and the SQL of each variant.
 */
public final class Bench {

    /** PgJDBC URL of the benchmark database, e.g. {@code jdbc:postgresql://localhost:5432/postgres}. */
    public static final String URL_PROPERTY = "dw.bench.url";
    public static final String USER_PROPERTY = "dw.bench.user";
    /** Rows in every copy of users (and customers). */
    public static final int ROWS = Integer.getInteger("dw.bench.rows", 100_000);

    /** The variants of a single-row write: one copy of users (and of email_address) each. */
    public static final String[] VARIANTS = {"plain", "cte", "trigger", "twoStatements", "dualwrite", "syncViewSql"};

    private Bench() {
    }

    public static String pgUrl() {
        String url = System.getProperty(URL_PROPERTY);
        if (url == null) {
            throw new IllegalStateException("no " + URL_PROPERTY + ": run the suite with java -jar benchmarks.jar "
                    + "(BenchmarkSuite starts PostgreSQL and passes its URL to every fork)");
        }
        return url;
    }

    public static String dualwriteUrl() {
        return "jdbc:dualwrite:" + pgUrl().substring("jdbc:".length());
    }

    public static String user() {
        return System.getProperty(USER_PROPERTY, "postgres");
    }

    public static Properties props() {
        Properties p = new Properties();
        p.setProperty("user", user());
        return p;
    }

    public static Connection raw() throws SQLException {
        return DriverManager.getConnection(pgUrl(), props());
    }

    public static Connection dualwrite() throws SQLException {
        return DriverManager.getConnection(dualwriteUrl(), props());
    }

    /** users.email → email_address(user_id, address, is_primary): the migration in DUAL_WRITE. */
    /** A pool of one connection on {@code url} (raw PgJDBC or dualwrite, by {@code driver}), as an application would hold. */
    static HikariDataSource pool(String url, String driver) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setDriverClassName(driver);
        config.setUsername(user());
        config.setMaximumPoolSize(1);
        config.setMinimumIdle(1);
        config.setAutoCommit(true);
        return new HikariDataSource(config);
    }

    /** The embedded PostgreSQL of every benchmark run: the test settings, so commits cost no disk flush. */
    static EmbeddedPostgres startServer() throws IOException {
        return EmbeddedPostgres.builder()
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off")
                .setServerConfig("shared_buffers", "256MB")
                .setServerConfig("max_wal_size", "2GB")
                .setServerConfig("log_min_messages", "warning")
                .start();
    }

    public static MigrationSpec usersSpec() {
        return new MigrationSpec("public", "users", "id", "email", "public", "email_address", "user_id", "address",
                "is_primary", ControlSchema.syncViewName("users", "email"));
    }

    /** customers.email → customer_email(...): the migration in READ_NEW. */
    public static MigrationSpec customersSpec() {
        return new MigrationSpec("public", "customers", "id", "email", "public", "customer_email", "user_id", "address",
                "is_primary", ControlSchema.syncViewName("customers", "email"));
    }

    /** members.email → member_email(...): the migration in CONTRACTED (members.email dropped). */
    public static MigrationSpec membersSpec() {
        return new MigrationSpec("public", "members", "id", "email", "public", "member_email", "user_id", "address",
                "is_primary", ControlSchema.syncViewName("members", "email"));
    }

    /**
     * users_sv.email → email_address_sv: registered (DUAL_WRITE) only so that its sync view exists; the
     * {@code syncViewSql} variant sends the driver's rewritten SQL to it through raw PgJDBC, which
     * separates what the SQL form costs in PostgreSQL from what the driver costs in the JVM.
     */
    public static MigrationSpec syncViewSpec() {
        return new MigrationSpec("public", "users_sv", "id", "email", "public", "email_address_sv", "user_id", "address",
                "is_primary", ControlSchema.syncViewName("users_sv", "email"));
    }

    /** The SQL the driver sends in DUAL_WRITE for {@code appSql} on users_sv (from the rewriter itself). */
    public static String rewritten(String appSql) {
        StatementRewriter rewriter = new StatementRewriter(
                List.of(new SourceTable(syncViewSpec(), List.of("id", "name", "email"))));
        Rewrite r = rewriter.plan(appSql).forPhase(Phase.DUAL_WRITE);
        if (!(r instanceof Rewrite.Rewritten w)) {
            throw new IllegalStateException("not rewritten: " + appSql + " -> " + r);
        }
        return w.sql();
    }

    /** The copy of users a variant writes to (dualwrite writes the migrated {@code users} itself). */
    public static String usersTable(String variant) {
        return switch (variant) {
            case "plain" -> "users_plain";
            case "cte" -> "users_cte";
            case "trigger" -> "users_trg";
            case "twoStatements" -> "users_two";
            case "dualwrite" -> "users";
            case "syncViewSql" -> "users_sv";
            default -> throw new IllegalArgumentException(variant);
        };
    }

    /** Its email_address copy, or null for plain. */
    public static String targetTable(String variant) {
        return switch (variant) {
            case "plain" -> null;
            case "cte" -> "email_address_cte";
            case "trigger" -> "email_address_trg";
            case "twoStatements" -> "email_address_two";
            case "dualwrite" -> "email_address";
            case "syncViewSql" -> "email_address_sv";
            default -> throw new IllegalArgumentException(variant);
        };
    }

    public static String upsert(String target) {
        return "INSERT INTO " + target + " (user_id, address, is_primary) VALUES (?, ?, true)"
                + " ON CONFLICT (user_id) WHERE is_primary DO UPDATE SET address = EXCLUDED.address";
    }

    /** The hand-written one-statement CTE forms (not exact under concurrency: DESIGN.md "Concurrency"). */
    public static String cteUpdate() {
        return "WITH u AS (UPDATE users_cte SET email = ? WHERE id = ? RETURNING id, email)"
                + " INSERT INTO email_address_cte (user_id, address, is_primary) SELECT id, email, true FROM u"
                + " WHERE email IS NOT NULL ON CONFLICT (user_id) WHERE is_primary DO UPDATE SET address = EXCLUDED.address";
    }

    public static String cteInsert() {
        return "WITH u AS (INSERT INTO users_cte (id, name, email) VALUES (?, ?, ?) RETURNING id, email)"
                + " INSERT INTO email_address_cte (user_id, address, is_primary) SELECT id, email, true FROM u"
                + " WHERE email IS NOT NULL ON CONFLICT (user_id) WHERE is_primary DO UPDATE SET address = EXCLUDED.address";
    }

    public static String cteDelete() {
        return "WITH d AS (DELETE FROM users_cte WHERE id = ? RETURNING id)"
                + " DELETE FROM email_address_cte e USING d WHERE e.user_id = d.id AND e.is_primary";
    }

    /** Small deterministic generator: the same key sequence for every variant. */
    public static final class Keys {
        private long state;

        public Keys(long seed) {
            state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        }

        /** A key in [1, ROWS]. */
        public long next() {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            return 1 + Math.floorMod(state, (long) ROWS);
        }
    }
}
