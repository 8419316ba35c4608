package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import org.postgresql.core.CachedQuery;

import java.lang.reflect.Field;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A PreparedStatement that passes through was planned once, when it was prepared, against the migrations this driver
 * knew then. When they changed since (a migration registered, its table's triggers or columns changed), a statement
 * prepared earlier may need what its plan lacks: an {@code UPDATE users SET email = ?} prepared before {@code users.email}
 * was registered would write the old column alone in DUAL_WRITE. Executing such a statement plans its text again
 * (PgJDBC keeps it); when that plan rewrites it in the phase now applied, it is refused (0A000) rather than run
 * unsynced: the application prepares it again, or recycles its connections, as the runbook's step between expand and
 * DUAL_WRITE asks. Only connections opened before the change pay for this check; the pass-through wrapper keeps no
 * state for it (its three fields are its whole cost per statement). A statement that is rewritten checks its own plan
 * the same way ({@link RewritingPreparedStatement#requirePlanned}).
 */
final class StalePreparedStatements {

    /** {@code PgPreparedStatement.preparedQuery} (a package-private class): its key is the SQL the application prepared. */
    private static final Field PREPARED_QUERY = preparedQuery();

    private StalePreparedStatements() {
    }

    private static Field preparedQuery() {
        try {
            Field f = Class.forName("org.postgresql.jdbc.PgPreparedStatement").getDeclaredField("preparedQuery");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;   // another PgJDBC: the check falls back to the statement's printed text
        }
    }

    /** Throws when {@code delegate}, prepared on {@code connection} as pass-through, is rewritten by the plan of today. */
    static void check(DualwriteConnection connection, PreparedStatement delegate) throws SQLException {
        String sql = sqlOf(delegate);
        RewritePlan plan = StatementPlans.rooted(connection, StatementPlans.of(connection, sql));
        if (plan == null) {
            return;
        }
        MigrationRuntime migration = connection.database.migrations().runtimeOf(plan.migration());
        Rewrite now = plan.forPhase(connection.phaseOf(migration));
        if (now instanceof Rewrite.PassThrough) {
            return;
        }
        throw refused(sql, connection.phaseOf(migration), migration);
    }

    /** The refusal of a statement whose plan from when it was prepared is outdated. */
    static SQLException refused(String sql, Phase phase, MigrationRuntime migration) {
        return Refusals.refused("a PreparedStatement prepared before this dualwrite instance knew of the"
                + " migration, or before its table changed, was planned without that and would not be rewritten as it must"
                + " be now. Prepare it again, or recycle the pool's connections (HikariCP: softEvictConnections), as the"
                + " runbook asks between expand and DUAL_WRITE. Statement: " + Refusals.abbreviate(sql), phase, migration);
    }

    /** The text the statement was prepared with; PgJDBC's printed form (parameters filled in) if that is unreachable. */
    static String sqlOf(PreparedStatement delegate) {
        try {
            if (PREPARED_QUERY != null && PREPARED_QUERY.getDeclaringClass().isInstance(delegate)
                    && PREPARED_QUERY.get(delegate) instanceof CachedQuery q && q.key instanceof String sql) {
                return sql;
            }
        } catch (IllegalAccessException e) {
            // fall through to the printed text
        }
        return delegate.toString();
    }
}
