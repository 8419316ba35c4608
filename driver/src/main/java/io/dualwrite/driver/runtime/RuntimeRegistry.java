package io.dualwrite.driver.runtime;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;

/**
 * One {@link DatabaseRuntime} per PgJDBC URL (and instance name) in this JVM.
 *
 * <p>Connection property {@value #INSTANCE_PROPERTY}: gives this DataSource its own runtime,
 * follower and acknowledgement, as if it were another application instance. Normally unset (one
 * JVM = one instance); set it to run several instances in one JVM (tests, multi-tenant apps).
 * The first connection of a runtime fixes its properties, {@link OperatorCredential}'s included.
 */
public final class RuntimeRegistry {

    public static final String INSTANCE_PROPERTY = "dualwriteInstance";

    private static final ConcurrentMap<String, DatabaseRuntime> DATABASES = new ConcurrentHashMap<>();

    /** Told of every migration a runtime loads for the first time; the driver hangs the JMX beans here. */
    private static volatile BiConsumer<DatabaseRuntime, MigrationRuntime> newMigrations = (database, migration) -> { };

    private RuntimeRegistry() {
    }

    /** Sets who is told of newly loaded migrations (the runtime knows nothing of JMX). */
    public static void onNewMigration(BiConsumer<DatabaseRuntime, MigrationRuntime> listener) {
        newMigrations = listener;
    }

    static void announce(DatabaseRuntime database, List<MigrationRuntime> created) {
        for (MigrationRuntime migration : created) {
            newMigrations.accept(database, migration);
        }
    }

    /**
     * The runtime for the database {@code physical} is connected to, refreshed from its control
     * schema, so a new connection always starts from the phase the database says.
     */
    public static DatabaseRuntime attach(String pgUrl, Properties info, Connection physical) throws SQLException {
        String instance = info == null ? null : info.getProperty(INSTANCE_PROPERTY);
        String key = instance == null ? pgUrl : pgUrl + "#" + instance;
        long planCacheBytes = PlanCacheSize.of(pgUrl, info);
        long phaseBoundMillis = PhaseFreshness.boundOf(pgUrl, info);
        DatabaseRuntime runtime = DATABASES.computeIfAbsent(key, k -> new DatabaseRuntime(pgUrl, instance,
                OperatorCredential.strip(info), OperatorCredential.from(info), planCacheBytes, phaseBoundMillis));
        announce(runtime, runtime.refresh(physical));
        return runtime;
    }
}
