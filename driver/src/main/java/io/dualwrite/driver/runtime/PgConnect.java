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

    /**
     * A connection of the driver's own that writes the control schema (the follower's acknowledgements and evidence,
     * phase changes): without the application's {@code readOnly}, which with {@code readOnlyMode=always} makes the whole
     * session read-only, so that a read-only pool on the dualwrite URL still acknowledges the phases it applies.
     */
    public static Connection connectWriting(String pgUrl, Properties properties) throws SQLException {
        Properties writing = new Properties();
        writing.putAll(properties);
        writing.remove("readOnly");
        writing.remove("readOnlyMode");
        return connect(Secrets.withoutParameters(pgUrl, "readOnly", "readOnlyMode"), writing);
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
