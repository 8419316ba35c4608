package io.dualwrite.driver.runtime;

import io.dualwrite.control.Secrets;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The operator's login, for the phase changes JMX makes: connection properties {@value #USER_PROPERTY} and
 * {@value #PASSWORD_PROPERTY} (DataSource or HikariCP {@code dataSourceProperties}; not the URL, which is printed in
 * logs). The application's own role may read the phase but not change it ({@code dualwrite grant}), so without these
 * the JMX operations that change the control schema are read-only. Neither property reaches PgJDBC, and the password
 * never appears in {@link #toString()}, logs or JMX.
 */
public final class OperatorCredential {

    public static final String USER_PROPERTY = "dualwriteOperatorUser";
    public static final String PASSWORD_PROPERTY = "dualwriteOperatorPassword";

    private final String user;
    private final String password;

    private OperatorCredential(String user, String password) {
        this.user = user;
        this.password = password;
    }

    /** The credential the properties configure, or null when {@value #USER_PROPERTY} is unset. */
    public static OperatorCredential from(Properties info) {
        String user = info == null ? null : info.getProperty(USER_PROPERTY);
        return user == null || user.isBlank() ? null : new OperatorCredential(user, info.getProperty(PASSWORD_PROPERTY));
    }

    /** A copy of {@code info} without the operator's properties: what PgJDBC and the application's connections get. */
    public static Properties strip(Properties info) {
        Properties p = new Properties();
        if (info != null) {
            p.putAll(info);
        }
        p.remove(USER_PROPERTY);
        p.remove(PASSWORD_PROPERTY);
        return p;
    }

    public String user() {
        return user;
    }

    /**
     * Connects as the operator: the application's URL and properties with the operator's user and password instead
     * (a user or password in the URL would win over properties in PgJDBC, so they are left out of it).
     */
    Connection connect(String pgUrl, Properties applicationProperties) throws SQLException {
        Properties p = new Properties();
        p.putAll(applicationProperties);
        p.setProperty("user", user);
        if (password == null) {
            p.remove("password");
        } else {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", "dualwrite-operator");
        return PgConnect.connectWriting(Secrets.withoutParameters(pgUrl, "user", "password"), p);
    }

    @Override
    public String toString() {
        return "operator " + user;
    }
}
