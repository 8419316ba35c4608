package io.dualwrite.migrator.contract;

import io.dualwrite.control.SyncTrigger;
import io.dualwrite.control.ValueChecks;
import io.dualwrite.control.ValueIndexes;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Builds the twins of the old column's unique indexes and CHECK constraints on the new table
 * ({@link ValueIndexes#uniqueTwins}, {@link ValueChecks#checkTwins}), the step before NEW_ONLY, while the application
 * keeps writing: each unique index {@code CONCURRENTLY}, then the sync trigger's function is replaced so that its
 * delete probe, which a unique index on the value column could refuse, is off; each CHECK added {@code NOT VALID} under
 * a short lock_timeout (retried), then validated (which does not block writes). The move's gate
 * ({@code OLD_COLUMN_CONSTRAINTS_KEPT}) checks the result; a constraint no twin can express is left to its refusal.
 */
public final class ConstraintTwins {

    private static final Duration LOCK_TIMEOUT = Duration.ofSeconds(2);
    private static final int ATTEMPTS = 10;

    private ConstraintTwins() {
    }

    /** Builds the missing twins on {@code c} (autocommit); returns what it did, one line each, empty when nothing. */
    public static List<String> build(Connection c, MigrationSpec spec, Consumer<String> log) throws SQLException {
        List<String> done = new ArrayList<>();
        for (ValueIndexes.UniqueTwin t : ValueIndexes.uniqueTwins(c, spec)) {
            if (t.present() || t.ddl() == null) {
                continue;
            }
            String qualifiedName = Identifiers.quote(spec.targetSchema()) + "." + Identifiers.quote(t.name());
            String invalid = "drop the invalid index (DROP INDEX CONCURRENTLY " + qualifiedName + ") and move again.";
            run(c, t.ddl(), "cannot build " + t.name() + ", the unique twin of " + t.sourceIndex(), invalid);
            if (!ValueIndexes.uniqueTwins(c, spec).stream().filter(x -> t.name().equals(x.name())).allMatch(x -> x.present())) {
                throw new RefusedException("index " + qualifiedName + " exists but is not a valid unique index (a failed"
                        + " CREATE INDEX CONCURRENTLY leaves an invalid one): " + invalid);
            }
            done.add("created unique index " + t.name() + " on " + spec.qualifiedTarget() + " (concurrently), the twin of "
                    + t.sourceIndex());
        }
        if (ValueIndexes.uniqueTwins(c, spec).stream().anyMatch(ValueIndexes.UniqueTwin::present)) {
            // also when an earlier run built them and the move was then refused: the probe must be off either way
            SyncTrigger.refreshFunction(c, spec);
        }
        for (ValueChecks.CheckTwin t : ValueChecks.checkTwins(c, spec)) {
            if (t.present() || t.add() == null) {
                continue;
            }
            String what = "the CHECK twin " + t.name() + " of " + t.definition();
            LockedDdl.run(c, LOCK_TIMEOUT, ATTEMPTS, "the lock on " + spec.qualifiedTarget(), log, tx -> {
                try (Statement s = tx.createStatement()) {
                    s.execute(t.add());
                }
            });
            if (t.validate() != null) {
                run(c, t.validate(), "cannot validate " + what, "drop it (ALTER TABLE " + spec.qualifiedTarget()
                        + " DROP CONSTRAINT " + Identifiers.quote(t.name()) + ") and move again.");
            }
            done.add("added constraint " + t.name() + " to " + spec.qualifiedTarget() + (t.validate() == null ? " (not valid,"
                    + " as the old one)" : " (validated)") + ", the twin of " + t.definition());
        }
        return done;
    }

    /** Runs {@code ddl}; a value the old constraint refused, found among the target's primary rows, refuses with what to do. */
    private static void run(Connection c, String ddl, String failure, String then) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(ddl);
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState()) || "23514".equals(e.getSQLState())) {
                throw new RefusedException(failure + ": " + e.getMessage() + ". The old column refused such values, so the"
                        + " new table has drifted from it: run dualwrite parity --repair, " + then);
            }
            throw e;
        }
    }
}
