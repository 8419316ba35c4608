package io.dualwrite.driver;

import io.dualwrite.control.Secrets;
import io.dualwrite.driver.jdbc.DualwriteConnection;
import io.dualwrite.driver.jmx.MigrationControl;
import io.dualwrite.driver.metrics.KnownMigrations;
import io.dualwrite.driver.metrics.MicrometerSupport;
import io.dualwrite.driver.runtime.DatabaseRuntime;
import io.dualwrite.driver.runtime.OperatorCredential;
import io.dualwrite.driver.runtime.PgConnect;
import io.dualwrite.driver.runtime.RuntimeRegistry;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * {@code jdbc:dualwrite:postgresql://…}: everything after {@code dualwrite:} goes to PgJDBC
 * unchanged, with all its properties. On connect the driver loads the migrations and their phases
 * from the database's control schema ({@code dualwrite.migration}); without one it is a pure
 * pass-through. Registered through {@code META-INF/services/java.sql.Driver}; for HikariCP set
 * {@code jdbcUrl} to the dualwrite URL and, if a class name is needed,
 * {@code driverClassName=io.dualwrite.driver.DualwriteDriver}.
 *
 * <p>Properties of its own (never passed to PgJDBC): {@code dualwriteInstance} ({@link
 * io.dualwrite.driver.runtime.RuntimeRegistry#INSTANCE_PROPERTY}), {@code dualwriteOperatorUser} and
 * {@code dualwriteOperatorPassword} ({@link OperatorCredential}: the role JMX changes phases as).
 */
public final class DualwriteDriver implements Driver {

    public static final String URL_PREFIX = "jdbc:dualwrite:";
    private static final String ACCEPTED_PREFIX = URL_PREFIX + "postgresql:";

    private final org.postgresql.Driver postgres = new org.postgresql.Driver();

    static {
        RuntimeRegistry.onNewMigration((database, migration) -> {
            MigrationControl.register(database, migration);
            KnownMigrations.loaded(migration);
        });
        MicrometerSupport.bindGlobalRegistryIfPresent();
        try {
            DriverManager.registerDriver(new DualwriteDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null; // JDBC: not ours, let DriverManager ask the next driver
        }
        String pgUrl = toPostgresUrl(url);
        Connection physical = PgConnect.connect(pgUrl, OperatorCredential.strip(info));
        if (physical == null) {
            throw new SQLException("PgJDBC did not accept " + Secrets.redact(pgUrl) + " (from " + Secrets.redact(url)
                    + "); the part after 'jdbc:dualwrite:' must be a valid PgJDBC URL", "08001");
        }
        try {
            DatabaseRuntime database = RuntimeRegistry.attach(pgUrl, info, physical);
            return DualwriteConnection.wrap(physical, database);
        } catch (SQLException | RuntimeException e) {
            physical.close();
            throw e;
        }
    }

    /** {@code jdbc:dualwrite:postgresql://h/db?x=y} → {@code jdbc:postgresql://h/db?x=y}. */
    public static String toPostgresUrl(String dualwriteUrl) {
        return "jdbc:" + dualwriteUrl.substring(URL_PREFIX.length());
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(ACCEPTED_PREFIX);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
        return postgres.getPropertyInfo(acceptsURL(url) ? toPostgresUrl(url) : url, info);
    }

    @Override
    public int getMajorVersion() {
        return 0;
    }

    @Override
    public int getMinorVersion() {
        return 1;
    }

    @Override
    public boolean jdbcCompliant() {
        return postgres.jdbcCompliant();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return postgres.getParentLogger();
    }
}
