package io.dualwrite.driver.runtime;

import io.dualwrite.control.Secrets;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Every physical connection the driver opens goes through here. PgJDBC quotes the whole URL in some of its errors
 * ("Unable to parse URL …"), a {@code password=} parameter included: such an error is replaced by one with the same
 * SQLState, vendor code and stack trace whose message is {@link Secrets#redact(String) redacted}, and without the
 * original as its cause (a stack trace would print that one's message too).
 */
public final class PgConnect {

    private static final org.postgresql.Driver POSTGRES = new org.postgresql.Driver();

    private PgConnect() {
    }

    /** PgJDBC's {@code connect}: null when it does not accept the URL. */
    public static Connection connect(String pgUrl, Properties properties) throws SQLException {
        try {
            return POSTGRES.connect(pgUrl, properties);
        } catch (SQLException e) {
            throw redacted(e);
        }
    }

    private static SQLException redacted(SQLException e) {
        String message = e.getMessage();
        String safe = Secrets.redact(message);
        if (message == null || message.equals(safe)) {
            return e;
        }
        SQLException r = new SQLException(safe, e.getSQLState(), e.getErrorCode());
        r.setStackTrace(e.getStackTrace());
        return r;
    }
}
