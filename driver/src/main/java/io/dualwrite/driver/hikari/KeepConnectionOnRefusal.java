package io.dualwrite.driver.hikari;

import com.zaxxer.hikari.SQLExceptionOverride;
import io.dualwrite.driver.jdbc.StatementRefusedException;

import java.sql.SQLException;

/**
 * HikariCP's {@code exceptionOverrideClassName} for a pool of dualwrite connections: keeps a connection that only had
 * a statement refused. HikariCP takes SQLState {@code 0A000} for a broken connection (it is in its list of fatal
 * states) and closes the connection at once, inside the application's transaction: the rollback that follows fails
 * ("Connection is closed"), and Spring then reports that failure instead of the refusal. A dualwrite refusal ({@link
 * StatementRefusedException}) is decided before anything reaches PostgreSQL; every other exception is judged by
 * HikariCP as usual. HikariCP 4.0.1 and later; the driver does not need HikariCP otherwise.
 */
public final class KeepConnectionOnRefusal implements SQLExceptionOverride {

    @java.lang.Override
    public Override adjudicate(SQLException e) {
        return e instanceof StatementRefusedException ? Override.DO_NOT_EVICT : Override.CONTINUE_EVICT;
    }
}
