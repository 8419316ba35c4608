package io.dualwrite.driver;

import io.dualwrite.driver.jmx.MigrationControl;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.Attribute;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** SHADOW reads in DUAL_WRITE: the app is served the old column, a sample is compared with the new table. */
@ExtendWith(PostgresExtension.class)
class ShadowReadTest {

    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    @Test
    void countsExactlyTheMismatchesItWasGivenAndServesTheOldValues(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        // deliberate divergence on two users; user 3 has no email on either side
        db.execute("UPDATE email_address SET address = 'diverged-' || address WHERE user_id IN (1, 2) AND is_primary");
        try (Connection c = MigrationFixture.connectWithOperator(db)) {
            ObjectName bean = MigrationControl.objectName(MigrationFixture.MIGRATION);
            JMX.setAttribute(bean, new Attribute("ShadowSampleRate", 1.0));
            awaitReadSource(bean, "SHADOW");
            long comparisons = (Long) JMX.getAttribute(bean, "ShadowComparisons");
            long mismatches = (Long) JMX.getAttribute(bean, "ShadowMismatches");

            try (PreparedStatement p = c.prepareStatement("SELECT id, email FROM users WHERE id = ?")) {
                for (long id = 1; id <= 5; id++) {
                    p.setLong(1, id);
                    try (ResultSet rs = p.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString("email")).isEqualTo(MigrationFixture.INITIAL_USERS.get(id)); // old side served
                    }
                }
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM users WHERE email LIKE 'dee%'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1);
            }
            assertThat((Long) JMX.getAttribute(bean, "ShadowComparisons") - comparisons).isEqualTo(6);
            assertThat((Long) JMX.getAttribute(bean, "ShadowMismatches") - mismatches).isEqualTo(2);

            // a shadow read inside the application's transaction leaves the transaction as it was
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE users SET name = 'Ann in tx' WHERE id = 1");
                try (ResultSet rs = s.executeQuery("SELECT email FROM users WHERE id = 1")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("ann@example.com");
                }
            }
            c.commit();
            assertThat(db.queryString("SELECT name FROM users WHERE id = 1")).isEqualTo("Ann in tx");
            assertThat((Long) JMX.getAttribute(bean, "ShadowMismatches") - mismatches).isEqualTo(3);

            // sampling off: no more comparisons
            JMX.setAttribute(bean, new Attribute("ShadowSampleRate", 0.0));
            awaitReadSource(bean, "OLD");
            long before = (Long) JMX.getAttribute(bean, "ShadowComparisons");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT email FROM users WHERE id = 2")) {
                rs.next();
            }
            c.commit();
            assertThat((Long) JMX.getAttribute(bean, "ShadowComparisons")).isEqualTo(before);
        }
    }

    static void awaitReadSource(ObjectName bean, String source) throws Exception {
        long deadline = System.currentTimeMillis() + 3000;
        while (!source.equals(JMX.getAttribute(bean, "ReadSource"))) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("read source did not become " + source);
            }
            Thread.sleep(10);
        }
    }
}
