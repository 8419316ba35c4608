package io.dualwrite.driver.jdbc;

import java.sql.SQLException;

/**
 * A statement (or JDBC call) dualwrite refused before sending anything, SQLState {@code 0A000}
 * (feature_not_supported): the message says what was refused, in which phase, and what to do instead. The connection
 * and its transaction are as they were before the call, so an application (or a pool: {@link
 * io.dualwrite.driver.hikari.KeepConnectionOnRefusal}) may go on using them.
 */
public final class StatementRefusedException extends SQLException {

    private static final long serialVersionUID = 1L;

    StatementRefusedException(String message) {
        super(message, Refusals.REFUSED_SQLSTATE);
    }
}
