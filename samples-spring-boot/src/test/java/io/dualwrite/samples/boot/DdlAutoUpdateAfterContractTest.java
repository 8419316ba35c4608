package io.dualwrite.samples.boot;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code spring.jpa.hibernate.ddl-auto=update} after the contract, against a plain twin that still has
 * {@code users.email} (same schema as before the migration, plain PgJDBC URL). Hibernate's update reads the table
 * through {@code DatabaseMetaData} (getTables, getColumns, getPrimaryKeys, getImportedKeys, getIndexInfo): through the
 * driver these rows are the twin's, so Hibernate plans the same DDL on both. With the sample's annotations (String →
 * varchar(255), the table has text) that DDL is an ALTER of name and email on the plain twin too — the application's
 * own mapping mismatch, which the driver then refuses; with a mapping that says text it is nothing, on both.
 */
@ExtendWith(PostgresExtension.class)
class DdlAutoUpdateAfterContractTest {

    /** The sample's annotations: both String columns are varchar(255) to Hibernate, text in the table. */
    private static final List<String> MISMATCH_ALTERS = List.of(
            "alter table if exists users alter column email set data type varchar(255)",
            "alter table if exists users alter column name set data type varchar(255)");

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void updateSendsThroughTheDriverWhatItSendsOnThePlainTwin(TestDatabase db) throws Exception {
        Runbook.createUsers(db, 100);
        try (TestDatabase twin = PostgresServer.get().createDatabase()) {
            Runbook.createUsers(twin, 100);
            try (ConfigurableApplicationContext app = Runbook.start(db, db.dualwriteUrl())) {
                new Runbook(db).walkToContracted();
            }
            assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                    + " AND column_name = 'email'")).as("users.email dropped").isZero();

            try (Connection plain = twin.connect(); Connection dual = db.connectDualwrite()) {
                Map<String, List<String>> expected = usersMetadata(plain);
                Map<String, List<String>> actual = usersMetadata(dual);
                assertThat(actual.get("getColumns")).as("the dropped column listed").anyMatch(r -> r.contains("|email|"));
                assertThat(actual).as("what Hibernate's update reads of users").isEqualTo(expected);
            }

            // the mapping that agrees with the table: no DDL on the twin, none through the driver, and the application works
            String matching = "--spring.jpa.mapping-resources=META-INF/users-text.orm.xml";
            assertThat(update(twin, twin.jdbcUrl(), matching).sent()).as("update on the plain twin").isEmpty();
            Update throughDriver = update(db, db.dualwriteUrl(), matching);
            assertThat(throughDriver.sent()).as("update through the driver after the contract").isEmpty();
            assertThat(throughDriver.failed()).isEmpty();
            assertThat(throughDriver.signedUpAndFound()).isTrue();

            // the sample's own annotations: the plain twin is altered too, and the driver refuses what names users
            // (both alters: with HikariCP's default the connection the first refusal closed would fail the second)
            String keep = "--spring.datasource.hikari.exception-override-class-name="
                    + "io.dualwrite.driver.hikari.KeepConnectionOnRefusal";
            Update onTwin = update(twin, twin.jdbcUrl(), keep);
            assertThat(onTwin.sent()).as("update on the plain twin").containsExactlyElementsOf(MISMATCH_ALTERS);
            assertThat(onTwin.failed()).isEmpty();
            assertThat(twin.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                    + " WHERE attrelid = 'users'::regclass AND attname = 'email'")).isEqualTo("character varying(255)");
            Update refused = update(db, db.dualwriteUrl(), keep);
            assertThat(refused.sent()).as("update through the driver after the contract").isEqualTo(onTwin.sent());
            assertThat(refused.failed()).hasSize(2).allMatch(m -> m.contains("dualwrite refused the statement in phase CONTRACTED"));
            assertThat(refused.signedUpAndFound()).as("the refusals are logged, the application starts").isTrue();
        }
    }

    /** What one start with ddl-auto=update sent (org.hibernate.SQL) and which commands failed (Hibernate's warnings). */
    private record Update(List<String> sent, List<String> failed, boolean signedUpAndFound) {
    }

    private static Update update(TestDatabase db, String url, String... more) {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger sql = (Logger) LoggerFactory.getLogger("org.hibernate.SQL");
        Logger failures = (Logger) LoggerFactory.getLogger("org.hibernate.tool.schema");
        // after Boot has (re)initialised logging, before the context refreshes and Hibernate migrates
        ApplicationListener<ApplicationPreparedEvent> capture = prepared -> {
            log.start();
            sql.addAppender(log);
            failures.addAppender(log);
        };
        List<String> args = new ArrayList<>(List.of("--spring.jpa.hibernate.ddl-auto=update",
                "--logging.level.org.hibernate.SQL=debug"));
        args.addAll(List.of(more));
        try (ConfigurableApplicationContext app = Runbook.start(db, url, List.of(capture), args.toArray(String[]::new))) {
            List<String> sent = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            for (ILoggingEvent e : List.copyOf(log.list)) {
                if (e.getLoggerName().equals(sql.getName())) {
                    sent.add(e.getFormattedMessage());
                } else if (e.getLevel().isGreaterOrEqual(Level.WARN)) {
                    failed.add(e.getFormattedMessage());
                }
            }
            System.out.printf("ddl-auto=update on %s%n  sent: %s%n  failed: %s%n", url, sent, failed);
            UserService users = app.getBean(UserService.class);
            long id = users.signUp("after update", "after-update@example.com");
            boolean found = users.findByEmail("after-update@example.com").map(User::getId).filter(f -> f == id).isPresent();
            users.delete(id);
            return new Update(sent, failed, found);
        } finally {
            sql.detachAppender(log);
            failures.detachAppender(log);
        }
    }

    /**
     * Each result Hibernate's update reads for users, every row as its values joined by '|' (the twins' catalogs,
     * their database names, stand as {@code <catalog>}).
     */
    private static Map<String, List<String>> usersMetadata(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        Map<String, List<String>> out = new LinkedHashMap<>();
        out.put("getTables", rows(md.getTables(null, "public", "users", null), c.getCatalog()));
        out.put("getColumns", rows(md.getColumns(null, "public", "users", "%"), c.getCatalog()));
        out.put("getPrimaryKeys", rows(md.getPrimaryKeys(null, "public", "users"), c.getCatalog()));
        out.put("getImportedKeys", rows(md.getImportedKeys(null, "public", "users"), c.getCatalog()));
        out.put("getIndexInfo", rows(md.getIndexInfo(null, "public", "users", false, true), c.getCatalog()));
        return out;
    }

    private static List<String> rows(ResultSet rs, String catalog) throws SQLException {
        try (rs) {
            ResultSetMetaData md = rs.getMetaData();
            List<String> rows = new ArrayList<>();
            StringBuilder head = new StringBuilder("|");
            for (int i = 1; i <= md.getColumnCount(); i++) {
                head.append(md.getColumnLabel(i)).append(':').append(md.getColumnType(i)).append('|');
            }
            rows.add(head.toString());
            while (rs.next()) {
                StringBuilder row = new StringBuilder("|");
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    String value = rs.getString(i);
                    row.append(catalog.equals(value) ? "<catalog>" : value).append('|');
                }
                rows.add(row.toString());
            }
            return rows;
        }
    }
}
