package io.dualwrite.driver.jmx;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.phase.PhaseRefusedException;
import io.dualwrite.control.phase.PhaseTransitions;
import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.driver.runtime.DatabaseRuntime;
import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.driver.runtime.OperatorCredential;
import io.dualwrite.driver.runtime.PhaseChanges;
import io.dualwrite.rewriter.Phase;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.AttributeChangeNotification;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanServer;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;

/**
 * The MXBean of one migration name (per instance name). A JVM may talk to several databases that
 * hold a migration of the same name (tests do); the bean follows the database most recently
 * connected.
 */
public final class MigrationControl extends NotificationBroadcasterSupport implements MigrationMXBean {

    private static final ConcurrentMap<String, MigrationControl> BEANS = new ConcurrentHashMap<>();

    private final String name;
    private final AtomicLong sequence = new AtomicLong();
    private volatile DatabaseRuntime database;
    private volatile MigrationRuntime migration;

    private MigrationControl(String name) {
        super(new MBeanNotificationInfo(new String[]{AttributeChangeNotification.ATTRIBUTE_CHANGE},
                AttributeChangeNotification.class.getName(), "the phase this JVM applies changed"));
        this.name = name;
    }

    /** Registers (or re-points) the bean for a migration that a connection just loaded. */
    public static void register(DatabaseRuntime database, MigrationRuntime migration) {
        String name = migration.spec().name();
        String instance = database.instanceName();
        MigrationControl bean = BEANS.computeIfAbsent(instance == null ? name : name + "#" + instance, key -> {
            MigrationControl created = new MigrationControl(name);
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            try {
                ObjectName objectName = objectName(name, instance);
                try {
                    server.registerMBean(created, objectName);
                } catch (InstanceAlreadyExistsException e) {
                    // left by another class loader of this driver (e.g. a redeployed web app): replace it
                    server.unregisterMBean(objectName);
                    server.registerMBean(created, objectName);
                }
            } catch (JMException e) {
                throw new IllegalStateException("could not register the JMX bean for migration " + name, e);
            }
            return created;
        });
        bean.database = database;
        bean.migration = migration;
        migration.listener(bean::phaseApplied);
    }

    public static ObjectName objectName(String migrationName) throws JMException {
        return objectName(migrationName, null);
    }

    public static ObjectName objectName(String migrationName, String instance) throws JMException {
        return new ObjectName("io.dualwrite:type=Migration,name=" + quoteIfNeeded(migrationName)
                + (instance == null ? "" : ",instance=" + quoteIfNeeded(instance)));
    }

    private static String quoteIfNeeded(String value) {
        return value.matches("[A-Za-z0-9_.$-]+") ? value : ObjectName.quote(value);
    }

    private void phaseApplied(MigrationRuntime source, Phase from, Phase to) {
        if (source != migration) {
            return; // an older database of the same name
        }
        AttributeChangeNotification n = new AttributeChangeNotification(this, sequence.incrementAndGet(),
                System.currentTimeMillis(), name + ": phase " + from + " -> " + to, "Phase", String.class.getName(),
                from.name(), to.name());
        sendNotification(n);
    }

    @Override
    public String getMigration() {
        return name;
    }

    @Override
    public String getDatabase() {
        return database.displayUrl();
    }

    @Override
    public String getPhase() {
        return migration.phase().name();
    }

    @Override
    public boolean isPhaseKnown() {
        return database.freshness().known();
    }

    @Override
    public String getPhaseState() {
        return database.freshness().describe();
    }

    @Override
    public long getUnknownPhaseRefusals() {
        return migration.unknownPhaseRefusals();
    }

    @Override
    public void setPhase(String phase) {
        change(Phase.parse(phase), false, "set through the JMX Phase attribute");
    }

    @Override
    public void changePhase(String phase, boolean force, String reason) {
        change(Phase.parse(phase), force, reason == null || reason.isBlank() ? "changePhase through JMX" : reason);
    }

    @Override
    public String getReadSource() {
        Phase phase = migration.phase();
        if (phase.readsNew()) {
            return "NEW";
        }
        return PhaseTransitions.Operation.SHADOW_READS.runsIn(phase) && migration.shadowSampleRate() > 0 ? "SHADOW" : "OLD";
    }

    @Override
    public double getShadowSampleRate() {
        return migration.shadowSampleRate();
    }

    @Override
    public String getOperator() {
        OperatorCredential operator = database.operator();
        return operator == null ? "none configured: phase changes through JMX are refused" : operator.user();
    }

    @Override
    public void setShadowSampleRate(double rate) {
        try (Connection c = PhaseChanges.operatorConnection(database, "set the shadow sample rate of " + name)) {
            ControlSchema.setShadowSampleRate(c, name, rate);
        } catch (SQLException e) {
            if (PhaseChanges.NO_OPERATOR.equals(e.getSQLState())) {
                throw new IllegalStateException(e.getMessage());
            }
            throw new IllegalArgumentException("could not set the shadow sample rate of " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long getLastParityMismatches() {
        Long m = migration.lastParityMismatches();
        return m == null ? -1 : m;
    }

    @Override
    public void flipReads() {
        change(Phase.READ_NEW, false, "flipReads through JMX");
    }

    @Override
    public void rollbackReads() {
        Phase back = PhaseTransitions.readRollbackOf(migration.phase());
        if (back == null) {
            throw new IllegalStateException(name + " is in " + migration.phase() + ": reads already come from the old column");
        }
        change(back, false, "rollbackReads through JMX");
    }

    private void change(Phase wanted, boolean force, String reason) {
        try {
            PhaseChanges.request(database, new PhaseWriter.Request(name, wanted, "jmx@" + PhaseChanges.instanceId(), reason,
                    force, null, Duration.ZERO));
        } catch (PhaseRefusedException e) {
            throw new IllegalStateException(e.getMessage());
        } catch (SQLException e) {
            if (PhaseChanges.NO_OPERATOR.equals(e.getSQLState())) {
                throw new IllegalStateException(e.getMessage());
            }
            throw new IllegalArgumentException("could not set phase " + wanted + " for " + name + ": " + e.getMessage()
                    + " (the control schema in " + database.displayUrl() + " is unchanged)", e);
        }
    }

    @Override
    public long getStatementsRewritten() {
        return migration.statementsRewritten();
    }

    @Override
    public long getDualWrites() {
        return migration.dualWrites();
    }

    @Override
    public long getReadsRewritten() {
        return migration.readsRewritten();
    }

    @Override
    public long getRejectedStatements() {
        return migration.rejectedStatements();
    }

    @Override
    public long getRewrittenFailures() {
        return migration.rewrittenFailures();
    }

    @Override
    public long getShadowComparisons() {
        return migration.shadowComparisons();
    }

    @Override
    public long getShadowMismatches() {
        return migration.shadowMismatches();
    }

    @Override
    public String[] getHeldBackBy() {
        return migration.heldBackBy().toArray(new String[0]);
    }

    @Override
    public long getHeldTransactionsEnded() {
        return migration.heldTransactionsEnded();
    }
}
