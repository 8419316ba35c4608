package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.RewritePlan;

import java.sql.CallableStatement;
import java.sql.SQLException;

/**
 * A CallableStatement ({@code prepareCall}) whose SQL touches a migration: handled exactly as a
 * {@link RewritingPreparedStatement}, its delegate prepared with {@code prepareCall}. The methods
 * only CallableStatement has (OUT parameters, named parameters) are generated delegation to the
 * current delegate; OUT parameter registrations are not bound again after a phase change.
 */
public abstract class RewritingCallableStatement extends RewritingPreparedStatement implements CallableStatement {

    protected RewritingCallableStatement(DualwriteConnection connection, RewritePlan plan, MigrationRuntime migration,
                                         String applicationSql, PrepareOptions options) throws SQLException {
        super(connection, plan, migration, applicationSql, options);
    }
}
