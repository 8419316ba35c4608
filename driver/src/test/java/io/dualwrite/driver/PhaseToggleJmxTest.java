package io.dualwrite.driver;

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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Acceptance 5: the phase changes at run time through JMX, for already-open connections and
 * already-prepared statements, and the change is written to the control schema. Counters are
 * per JVM, so only their deltas are asserted.
 */
@ExtendWith(PostgresExtension.class)
class PhaseToggleJmxTest {

    private static final MBeanServer MBEANS = ManagementFactory.getPlatformMBeanServer();

    private static ObjectName name() throws Exception {
        return new ObjectName("io.dualwrite:type=Migration,name=users.email");
    }

    private static Object get(String attribute) throws Exception {
        return MBEANS.getAttribute(name(), attribute);
    }

    private static long counter(String attribute) throws Exception {
        return ((Number) get(attribute)).longValue();
    }

    private static void setPhase(String phase) throws Exception {
        MBEANS.setAttribute(name(), new Attribute("Phase", phase));
    }

    /** The CLI's --force through JMX: the gates are skipped, nothing else. */
    private static void forcePhase(String phase) throws Exception {
        MBEANS.invoke(name(), "changePhase", new Object[] {phase, true, "test"},
                new String[] {String.class.getName(), boolean.class.getName(), String.class.getName()});
    }

    private static int update(PreparedStatement p, String email, long id) throws Exception {
        p.setString(1, email);
        p.setLong(2, id);
        return p.executeUpdate();
    }

    @Test
    void togglingWritesAppliesToOpenConnectionsAndPreparedStatements(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.EXPANDED);

        try (Connection c = MigrationFixture.connectWithOperator(db);
             Connection other = MigrationFixture.connectWithOperator(db);
             PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
            assertThat(MBEANS.isRegistered(name())).as("MBean registered once a dualwrite connection is open").isTrue();
            assertThat(get("Phase")).isEqualTo("EXPANDED");

            assertThat(update(p, "one@example.com", 1)).isEqualTo(1);
            assertThat(MigrationFixture.users(db)).containsEntry(1L, "one@example.com");
            assertThat(MigrationFixture.primaries(db)).as("EXPANDED writes old only").containsEntry(1L, "ann@example.com");

            long dualWrites = counter("DualWrites");
            long rewritten = counter("StatementsRewritten");

            setPhase("DUAL_WRITE");
            assertThat(get("Phase")).isEqualTo("DUAL_WRITE");
            assertThat(MigrationFixture.controlPhase(db)).as("control schema follows JMX").isEqualTo("DUAL_WRITE");
            assertThat(db.queryString("SELECT to_phase FROM dualwrite.phase_change WHERE migration = 'users.email' "
                    + "ORDER BY id DESC LIMIT 1")).as("audit log").isEqualTo("DUAL_WRITE");

            // the same, already-prepared statement now dual-writes
            assertThat(update(p, "two@example.com", 2)).isEqualTo(1);
            assertThat(MigrationFixture.primaries(db)).containsEntry(2L, "two@example.com");
            // a plain Statement on the same, already-open connection
            try (Statement s = c.createStatement()) {
                assertThat(s.executeUpdate("UPDATE users SET email = 'four@example.com' WHERE id = 4")).isEqualTo(1);
            }
            assertThat(MigrationFixture.primaries(db)).containsEntry(4L, "four@example.com");
            // another connection that was open before the change
            try (PreparedStatement q = other.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
                assertThat(update(q, "five@example.com", 5)).isEqualTo(1);
            }
            assertThat(MigrationFixture.primaries(db)).containsEntry(5L, "five@example.com");

            assertThat(counter("DualWrites")).as("DualWrites counted").isGreaterThanOrEqualTo(dualWrites + 3);
            assertThat(counter("StatementsRewritten")).as("StatementsRewritten counted").isGreaterThan(rewritten);

            setPhase("EXPANDED");
            assertThat(MigrationFixture.controlPhase(db)).isEqualTo("EXPANDED");
            long dualWritesBack = counter("DualWrites");
            assertThat(update(p, "three@example.com", 3)).isEqualTo(1);
            try (Statement s = c.createStatement()) {
                assertThat(s.executeUpdate("UPDATE users SET email = 'again@example.com' WHERE id = 2")).isEqualTo(1);
            }
            assertThat(MigrationFixture.users(db)).containsEntry(3L, "three@example.com").containsEntry(2L, "again@example.com");
            assertThat(MigrationFixture.primaries(db)).as("back in EXPANDED: old only")
                    .doesNotContainKey(3L).containsEntry(2L, "two@example.com");
            assertThat(counter("DualWrites")).as("no dual writes in EXPANDED").isEqualTo(dualWritesBack);
        }
    }

    @Test
    void togglingReadsAppliesToPreparedSelects(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        db.execute("UPDATE email_address SET address = 'new-' || address");

        try (Connection c = MigrationFixture.connectWithOperator(db);
             PreparedStatement p = c.prepareStatement("SELECT email FROM users WHERE id = ?")) {
            assertThat(get("Phase")).isEqualTo("DUAL_WRITE");
            p.setLong(1, 2);
            assertThat(single(p)).isEqualTo("bob@example.com");
            long reads = counter("ReadsRewritten");

            assertThatThrownBy(() -> setPhase("READ_NEW")).as("the setter checks the gates (no backfill ran here)")
                    .hasRootCauseInstanceOf(IllegalStateException.class)
                    .rootCause().hasMessageContaining("the backfill has not completed");
            assertThat(MigrationFixture.controlPhase(db)).isEqualTo("DUAL_WRITE");
            forcePhase("READ_NEW");
            assertThat(MigrationFixture.controlPhase(db)).isEqualTo("READ_NEW");
            assertThat(single(p)).isEqualTo("new-bob@example.com");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT email FROM users WHERE id = 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getMetaData().getColumnLabel(1)).isEqualTo("email");
                assertThat(rs.getString(1)).isEqualTo("new-ann@example.com");
            }
            assertThat(counter("ReadsRewritten")).isGreaterThanOrEqualTo(reads + 2);

            setPhase("DUAL_WRITE");
            assertThat(single(p)).as("reads back to old, instantly").isEqualTo("bob@example.com");
        }
    }

    @Test
    void anUnknownPhaseIsRefusedAndChangesNothing(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        try (Connection c = MigrationFixture.connectWithOperator(db)) {
            long rejectedBefore = counter("RejectedStatements");
            assertThatThrownBy(() -> setPhase("SIDEWAYS")).isInstanceOf(Exception.class);
            assertThat(get("Phase")).isEqualTo("DUAL_WRITE");
            assertThat(MigrationFixture.controlPhase(db)).isEqualTo("DUAL_WRITE");
            // a refused write is counted
            try (Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.execute("MERGE INTO users u USING (VALUES (1, 'm@example.com')) AS v(id, email) ON u.id = v.id"
                        + " WHEN MATCHED THEN UPDATE SET (id, email) = (v.id + 1000, v.email)")).isInstanceOf(java.sql.SQLException.class);
            }
            assertThat(counter("RejectedStatements")).isGreaterThan(rejectedBefore);
        }
    }

    private static String single(PreparedStatement p) throws Exception {
        try (ResultSet rs = p.executeQuery()) {
            assertThat(rs.next()).isTrue();
            String v = rs.getString(1);
            assertThat(rs.next()).isFalse();
            return v;
        }
    }
}
