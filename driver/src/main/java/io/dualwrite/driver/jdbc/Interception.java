package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.DatabaseRuntime;
import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;

import java.sql.SQLException;

/**
 * The one seam where dualwrite decides which SQL reaches PostgreSQL. Everything else in this
 * package only carries statements to and from here.
 */
final class Interception {

    /** SQLState for refused statements: feature_not_supported. */
    static final String REFUSED_SQLSTATE = "0A000";

    private Interception() {
    }

    /** The plan of a statement, or null when it passes through in every phase (the common case). */
    static RewritePlan planOf(DatabaseRuntime database, String sql) {
        DatabaseRuntime.Migrations migrations = database.migrations();
        if (migrations.isEmpty()) {
            return null;
        }
        RewritePlan plan = migrations.rewriter().plan(sql);
        return plan.passThrough() ? null : plan;
    }

    /** The SQL to run for a plain Statement's string, in the phase the connection applies now. */
    static String translate(DualwriteConnection connection, String sql, boolean wantsGeneratedKeys) throws SQLException {
        RewritePlan plan = planOf(connection.database, sql);
        if (plan == null) {
            return sql;
        }
        MigrationRuntime migration = connection.database.migrations().runtimeOf(plan.migration());
        Phase phase = connection.phaseOf(migration);
        shadowIfSampled(connection, plan, migration, phase, sql, null);
        return sqlFor(plan, migration, phase, sql, wantsGeneratedKeys);
    }

    /**
     * In DUAL_WRITE with shadow reads on, compares a sample of the reads that READ_NEW would
     * rewrite, old form against new form, before the application's read runs (see {@link ShadowRead}).
     */
    static void shadowIfSampled(DualwriteConnection connection, RewritePlan plan, MigrationRuntime migration, Phase phase,
                                String sql, ParameterLog parameters) {
        if (phase == Phase.DUAL_WRITE && ShadowRead.sampled(migration)
                && plan.forPhase(Phase.READ_NEW) instanceof Rewrite.Rewritten read && read.kind() == Rewrite.Kind.READ_NEW) {
            ShadowRead.compare(connection.delegate, migration, sql, read.sql(), parameters);
        }
    }

    /**
     * The SQL for a statement that touches a migration, counted in that migration's counters;
     * refused statements throw and change nothing.
     */
    static String sqlFor(RewritePlan plan, MigrationRuntime migration, Phase phase, String sql, boolean wantsGeneratedKeys)
            throws SQLException {
        Rewrite rewrite = plan.forPhase(phase);
        if (rewrite instanceof Rewrite.Rewritten rewritten) {
            if (rewritten.kind() == Rewrite.Kind.DUAL_WRITE) {
                if (wantsGeneratedKeys) {
                    migration.countRejected();
                    throw refused("generated keys of a dual write are not supported yet by this version of dualwrite;"
                            + " run the statement without RETURN_GENERATED_KEYS / key columns: " + abbreviate(sql), phase, migration);
                }
                migration.countDualWrite();
            } else {
                migration.countReadRewritten();
            }
            return rewritten.sql();
        }
        if (rewrite instanceof Rewrite.Rejected rejected) {
            migration.countRejected();
            throw refused(rejected.reason(), phase, migration);
        }
        return sql;
    }

    static SQLException refused(String reason, Phase phase, MigrationRuntime migration) {
        return new SQLException("dualwrite refused the statement in phase " + phase + " of migration "
                + migration.spec().name() + ": " + reason, REFUSED_SQLSTATE);
    }

    static String abbreviate(String sql) {
        String flat = sql.strip().replaceAll("\\s+", " ");
        return flat.length() <= 200 ? flat : flat.substring(0, 197) + "...";
    }
}
