package io.dualwrite.driver.jmx;

import io.dualwrite.driver.runtime.DatabaseRuntime;
import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.driver.runtime.PhaseChanges;
import io.dualwrite.rewriter.Phase;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The MXBean of one migration name. A JVM may talk to several databases that hold a migration of
 * the same name (tests do); the bean follows the database most recently connected.
 */
public final class MigrationControl implements MigrationMXBean {

    private static final ConcurrentMap<String, MigrationControl> BEANS = new ConcurrentHashMap<>();

    private final String name;
    private volatile DatabaseRuntime database;
    private volatile MigrationRuntime migration;

    private MigrationControl(String name) {
        this.name = name;
    }

    /** Registers (or re-points) the bean for a migration that a connection just loaded. */
    public static void register(DatabaseRuntime database, MigrationRuntime migration) {
        String name = migration.spec().name();
        MigrationControl bean = BEANS.computeIfAbsent(name, n -> {
            MigrationControl created = new MigrationControl(n);
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            try {
                ObjectName objectName = objectName(n);
                try {
                    server.registerMBean(created, objectName);
                } catch (InstanceAlreadyExistsException e) {
                    // left by another class loader of this driver (e.g. a redeployed web app): replace it
                    server.unregisterMBean(objectName);
                    server.registerMBean(created, objectName);
                }
            } catch (JMException e) {
                throw new IllegalStateException("could not register the JMX bean for migration " + n, e);
            }
            return created;
        });
        bean.database = database;
        bean.migration = migration;
    }

    public static ObjectName objectName(String migrationName) throws JMException {
        return new ObjectName("io.dualwrite:type=Migration,name=" + quoteIfNeeded(migrationName));
    }

    private static String quoteIfNeeded(String value) {
        return value.matches("[A-Za-z0-9_.$-]+") ? value : ObjectName.quote(value);
    }

    /** For tests and shutdown hooks. */
    static void unregister(String name) throws JMException {
        if (BEANS.remove(name) != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName(name));
            } catch (InstanceNotFoundException ignored) {
                // already gone
            }
        }
    }

    @Override
    public String getMigration() {
        return name;
    }

    @Override
    public String getDatabase() {
        return database.pgUrl();
    }

    @Override
    public String getPhase() {
        return migration.phase().name();
    }

    @Override
    public void setPhase(String phase) {
        Phase wanted = Phase.parse(phase);
        try {
            PhaseChanges.apply(database, name, wanted, "jmx@" + PhaseChanges.instanceId(), "set through JMX");
        } catch (SQLException e) {
            throw new IllegalArgumentException("could not set phase " + wanted + " for " + name + ": " + e.getMessage()
                    + " (the control schema in " + database.pgUrl() + " is unchanged)", e);
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
}
