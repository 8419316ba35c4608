package io.dualwrite.driver.runtime;

import io.dualwrite.driver.jmx.MigrationControl;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** One {@link DatabaseRuntime} per PgJDBC URL in this JVM. */
public final class RuntimeRegistry {

    private static final ConcurrentMap<String, DatabaseRuntime> DATABASES = new ConcurrentHashMap<>();

    private RuntimeRegistry() {
    }

    /**
     * The runtime for the database {@code physical} is connected to, refreshed from its control
     * schema, so a new connection always starts from the phase the database says.
     */
    public static DatabaseRuntime attach(String pgUrl, Properties info, Connection physical) throws SQLException {
        DatabaseRuntime runtime = DATABASES.computeIfAbsent(pgUrl, url -> {
            DatabaseRuntime created = new DatabaseRuntime(url, copy(info));
            PhaseFollower.start(created);
            return created;
        });
        for (MigrationRuntime created : runtime.refresh(physical)) {
            MigrationControl.register(runtime, created);
        }
        return runtime;
    }

    private static Properties copy(Properties info) {
        Properties p = new Properties();
        if (info != null) {
            p.putAll(info);
        }
        return p;
    }
}
