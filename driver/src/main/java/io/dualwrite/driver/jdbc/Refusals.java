package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.DatabaseRuntime;
import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.driver.runtime.PhaseFreshness;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import java.sql.SQLException;

/**
 * The checks that refuse a statement before it reaches the database, and the refusal itself: shared by every way SQL
 * enters the driver (a statement's {@link StatementPipeline}, a prepare, PgJDBC's COPY API through
 * {@link RoutedCopyManager}).
 */
final class Refusals {

    /** SQLState for refused statements: feature_not_supported. */
    static final String REFUSED_SQLSTATE = "0A000";

    private Refusals() {
    }

    /**
     * Step 2, last: while this instance does not know the phase (its follower has not read and acknowledged
     * the control schema within the bound: a restart, a lost connection), what could run in a phase the fleet
     * has left is refused ({@link PhaseFreshness#refusal}). Known: one volatile read.
     */
    static void requireKnown(DualwriteConnection connection, RewritePlan plan, MigrationRuntime migration, Phase phase)
            throws SQLException {
        PhaseFreshness freshness = connection.database.freshness();
        if (!freshness.known()) {
            SQLException refused = freshness.refusal(plan, migration, phase);
            if (refused != null) {
                throw refused;
            }
        }
    }

    /**
     * For SQL that passes through unplanned: refused when this session's search_path leads one of its unqualified
     * names to a migrated table the rewriter did not read it as ({@link SearchPathWatch#unseen}).
     */
    static void requireSeen(DualwriteConnection connection, String sql) throws SQLException {
        requireSeen(connection, sql, false);
    }

    /** {@link #requireSeen} for an entry of a batch, after entries that may change the search_path ({@code pathChangesFirst}). */
    static void requireSeen(DualwriteConnection connection, String sql, boolean pathChangesFirst) throws SQLException {
        DatabaseRuntime.Migrations migrations = connection.database.migrations();
        Rewrite.Rejected unseen = migrations.isEmpty() ? null : connection.searchPath.unseen(migrations, sql, pathChangesFirst);
        if (unseen != null) {
            throw new StatementRefusedException("dualwrite refused the statement: " + unseen.reason());
        }
    }

    static SQLException refused(String reason, Phase phase, MigrationRuntime migration) {
        return new StatementRefusedException("dualwrite refused the statement in phase " + phase + " of migration "
                + migration.spec().name() + ": " + reason);
    }

    static String abbreviate(String sql) {
        String flat = sql.strip().replaceAll("\\s+", " ");
        return flat.length() <= 200 ? flat : flat.substring(0, 197) + "...";
    }
}
