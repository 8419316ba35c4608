package io.dualwrite.migrator.watch;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One test per writer that bypasses the driver (README: "Writers that bypass the driver"). Each writes
 * {@code users.email} (or the target) in DUAL_WRITE where the driver cannot see it — most of them through the
 * dualwrite driver itself, which passes the statement through because it names no migrated table — and the
 * watch, with --repair, must report the drift and repair it; the delay from commit to detection is printed.
 * Without the watch each of these leaves parity at 1 or more (the assertion on the drift's values shows it).
 */
class WatchBypassTest {

    private static final List<String> DELAYS = Collections.synchronizedList(new ArrayList<>());
    private static final List<Double> MILLIS = Collections.synchronizedList(new ArrayList<>());

    @AfterAll
    static void printDelays() {
        List<Double> sorted = new ArrayList<>(MILLIS);
        Collections.sort(sorted);
        DELAYS.forEach(System.out::println);
        if (!sorted.isEmpty()) {
            System.out.printf(Locale.ROOT, "[watch] bypass detection delay over %d paths: p50 %.0f ms, max %.0f ms (grace 200 ms)%n",
                    sorted.size(), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
        }
    }

    /** Waits for the drift of {@code key}, checks it was repaired and parity is 0 again, prints the delay. */
    private static Drift caught(String path, WatchHarness h, long key) throws Exception {
        Drift d = h.awaitKey(key);
        assertThat(d.repaired()).as(path + ": repaired").isTrue();
        assertThat(h.parity()).as(path + ": parity after repair").isZero();
        DELAYS.add(String.format(Locale.ROOT, "[watch] %-40s key %-5s %-8s old=%s new=%s detected %.0f ms after commit, repaired",
                path, d.key(), d.kind(), d.sourceValue(), d.targetValue(), d.delayMillis()));
        MILLIS.add(d.delayMillis());
        return d;
    }

    private static void viaDriver(WatchHarness h, String... sql) throws SQLException {
        try (Connection c = h.db.connectDualwrite(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static void viaPlain(WatchHarness h, String... sql) throws SQLException {
        try (Connection c = h.db.connect(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    @Test
    void sqlFunction() throws Exception {
        try (WatchHarness h = new WatchHarness(200, "CREATE FUNCTION set_email(bigint, text) RETURNS void LANGUAGE sql"
                + " AS $$ UPDATE users SET email = $2 WHERE id = $1 $$").start(true)) {
            viaDriver(h, "SELECT set_email(5, 'fn@example.com')");
            Drift d = caught("SQL function", h, 5);
            assertThat(d.sourceValue()).isEqualTo("fn@example.com");
            assertThat(d.targetValue()).isEqualTo("u5@example.com");
        }
    }

    @Test
    void procedure() throws Exception {
        try (WatchHarness h = new WatchHarness(200, "CREATE PROCEDURE add_user(bigint, text) LANGUAGE plpgsql"
                + " AS $$ BEGIN INSERT INTO users (id, name, email) VALUES ($1, 'proc', $2); END $$").start(true)) {
            viaDriver(h, "CALL add_user(1001, 'proc@example.com')");
            Drift d = caught("procedure (CALL)", h, 1001);
            assertThat(d.targetValue()).isNull();
        }
    }

    /** The driver refuses a DO block that names the migrated table; run by an operator on the plain URL, the watch catches it. */
    @Test
    void doBlock() throws Exception {
        try (WatchHarness h = new WatchHarness(200).start(true)) {
            assertThatThrownBy(() -> viaDriver(h, "DO $$ BEGIN DELETE FROM users WHERE id = 8; END $$"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("refused");
            assertThat(h.db.queryLong("SELECT count(*) FROM users WHERE id = 8")).isEqualTo(1);
            viaPlain(h, "DO $$ BEGIN DELETE FROM users WHERE id = 8; END $$");
            Drift d = caught("DO block (plain URL; the driver refuses)", h, 8);
            assertThat(d.kind()).isEqualTo("ORPHAN");
        }
    }

    @Test
    void triggerOnAnotherTable() throws Exception {
        try (WatchHarness h = new WatchHarness(200, "CREATE TABLE email_requests (user_id bigint, email text)",
                "CREATE FUNCTION apply_request() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " UPDATE users SET email = NEW.email WHERE id = NEW.user_id; RETURN NEW; END $$",
                "CREATE TRIGGER apply_request AFTER INSERT ON email_requests FOR EACH ROW EXECUTE FUNCTION apply_request()")
                .start(true)) {
            viaDriver(h, "INSERT INTO email_requests VALUES (9, 'trigger@example.com')");
            caught("trigger on another table", h, 9);
        }
    }

    @Test
    void foreignKeyOnDeleteCascade() throws Exception {
        try (WatchHarness h = new WatchHarness(200, "CREATE TABLE accounts (id bigint PRIMARY KEY)",
                "INSERT INTO accounts VALUES (1), (2)", "ALTER TABLE users ADD COLUMN account_id bigint REFERENCES accounts ON DELETE CASCADE",
                "UPDATE users SET account_id = 2 WHERE id IN (11, 12)").start(true)) {
            viaDriver(h, "DELETE FROM accounts WHERE id = 2");
            caught("FK ON DELETE CASCADE", h, 11);
            caught("FK ON DELETE CASCADE", h, 12);
        }
    }

    @Test
    void foreignKeyOnUpdateCascade() throws Exception {
        try (WatchHarness h = new WatchHarness(200, "CREATE TABLE known_emails (address text PRIMARY KEY)",
                "INSERT INTO known_emails VALUES ('u13@example.com')",
                "ALTER TABLE users ADD FOREIGN KEY (email) REFERENCES known_emails ON UPDATE CASCADE NOT VALID").start(true)) {
            viaDriver(h, "UPDATE known_emails SET address = 'cascaded@example.com' WHERE address = 'u13@example.com'");
            Drift d = caught("FK ON UPDATE CASCADE (on the column)", h, 13);
            assertThat(d.sourceValue()).isEqualTo("cascaded@example.com");
        }
    }

    @Test
    void updatableView() throws Exception {
        try (WatchHarness h = new WatchHarness(200, "CREATE VIEW contacts AS SELECT id, email FROM users").start(true)) {
            String update = "UPDATE contacts SET email = 'view@example.com' WHERE id = 15";
            assertThatThrownBy(() -> viaDriver(h, update)).isInstanceOf(SQLException.class).hasMessageContaining("refused");
            viaPlain(h, update);
            caught("updatable view (plain URL; the driver refuses)", h, 15);
        }
    }

    @Test
    void inheritanceChild() throws Exception {
        try (WatchHarness h = new WatchHarness(200, "CREATE TABLE vip_users (tier int) INHERITS (users)",
                "ALTER TABLE vip_users ADD PRIMARY KEY (id)").start(true)) {
            String insert = "INSERT INTO vip_users (id, name, email, tier) VALUES (5000, 'vip', 'vip@example.com', 1)";
            assertThatThrownBy(() -> viaDriver(h, insert)).isInstanceOf(SQLException.class).hasMessageContaining("refused");
            viaPlain(h, insert);
            Drift d = caught("inheritance child (plain URL; the driver refuses)", h, 5000);
            assertThat(d.targetValue()).isNull();
        }
    }

    @Test
    void rule() throws Exception {
        try (WatchHarness h = new WatchHarness(200, "CREATE TABLE email_log (user_id bigint, email text)",
                "CREATE RULE apply_email AS ON INSERT TO email_log DO ALSO UPDATE users SET email = NEW.email WHERE id = NEW.user_id")
                .start(true)) {
            String insert = "INSERT INTO email_log VALUES (16, 'rule@example.com')";
            assertThatThrownBy(() -> viaDriver(h, insert)).isInstanceOf(SQLException.class).hasMessageContaining("refused");
            viaPlain(h, insert);
            caught("rule on another table (plain URL; the driver refuses)", h, 16);
        }
    }

    @Test
    void plainPgJdbcApplication() throws Exception {
        try (WatchHarness h = new WatchHarness(200).start(true)) {
            viaPlain(h, "UPDATE users SET email = 'plain@example.com' WHERE id = 17");
            caught("application on the plain URL", h, 17);
            // the alarm for monitoring: the MXBean while the watch runs, and the watch log
            ObjectName bean = new ObjectName("io.dualwrite:type=Watch,name=users.email");
            assertThat((Long) ManagementFactory.getPlatformMBeanServer().getAttribute(bean, "Drifts")).isEqualTo(1);
            assertThat((Long) ManagementFactory.getPlatformMBeanServer().getAttribute(bean, "Repaired")).isEqualTo(1);
            assertThat(h.db.queryString("SELECT key || ' ' || kind || ' ' || repaired || ' ' || (delay_ms > 0)"
                    + " FROM dualwrite.watch_log")).isEqualTo("17 MISMATCH true true");
        }
    }

    @Test
    void operatorBulkUpdate() throws Exception {
        try (WatchHarness h = new WatchHarness(200).start(true)) {
            viaPlain(h, "BEGIN", "UPDATE users SET email = upper(email) WHERE id BETWEEN 100 AND 149", "COMMIT");
            for (long k = 100; k < 150; k++) {
                if (k % 7 != 0) {
                    h.awaitKey(k);
                }
            }
            caught("operator in psql (50-row UPDATE)", h, 149);
        }
    }

    @Test
    void operatorWritesTheTarget() throws Exception {
        try (WatchHarness h = new WatchHarness(200).start(true)) {
            viaPlain(h, "DELETE FROM email_address WHERE user_id = 18");
            Drift d = caught("operator deletes a target row", h, 18);
            assertThat(d.targetValue()).isNull();
        }
    }

    @Test
    void truncateOfTheTarget() throws Exception {
        try (WatchHarness h = new WatchHarness(200).start(true)) {
            viaPlain(h, "TRUNCATE email_address");
            Drift d = h.await(x -> x.kind().equals("TRUNCATE"));
            assertThat(d.repaired()).isTrue();
            assertThat(h.parity()).isZero();
            DELAYS.add(String.format(Locale.ROOT, "[watch] %-40s %s, detected and repaired %.0f ms after commit", "TRUNCATE of the target",
                    d.sourceValue(), d.delayMillis()));
        }
    }
}
