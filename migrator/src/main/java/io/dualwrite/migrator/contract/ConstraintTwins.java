package io.dualwrite.migrator.contract;

import io.dualwrite.control.ConstraintRestores;
import io.dualwrite.control.DeletedKeysTrigger;
import io.dualwrite.control.OldColumnWriteTrigger;
import io.dualwrite.control.Queries;
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

    /**
     * Creates dualwrite's triggers that follow deletes of source rows to the target ({@link DeletedKeysTrigger}) unless they
     * are there, under a short lock_timeout on the source (retried); returns what it did, or null when nothing.
     */
    public static String followDeletes(Connection c, MigrationSpec spec, Consumer<String> log) throws SQLException {
        if (DeletedKeysTrigger.installed(c, spec) && OldColumnWriteTrigger.installed(c, spec)) {
            return null;
        }
        LockedDdl.run(c, LOCK_TIMEOUT, ATTEMPTS, "the lock on " + spec.qualifiedSource(), log,
                tx -> DeletedKeysTrigger.install(tx, spec));
        return "created the triggers on " + spec.qualifiedSource() + " that delete " + spec.qualifiedTarget() + "'s value of a"
                + " row deleted by any path (" + DeletedKeysTrigger.deleteTriggerName(spec) + ", "
                + DeletedKeysTrigger.truncateTriggerName(spec) + "), and those that carry a write of the old column made"
                + " outside the driver to the target (" + OldColumnWriteTrigger.triggerName(spec) + ", "
                + OldColumnWriteTrigger.insertTriggerName(spec) + " while the column has no default)";
    }

    /**
     * {@code COMMENT ON} each present twin, for contract to run in its transaction (after {@code renames}, which give some
     * twins the old indexes' names): what restores the old column's constraint once a rollback after the drop has
     * brought the column back ({@link ConstraintRestores}). The drop takes the old definitions with it; the twin, which
     * stays, carries them.
     */
    static List<String> restoreNotes(Connection c, MigrationSpec spec, List<String> renames) throws SQLException {
        List<String> out = new ArrayList<>();
        String source = spec.qualifiedSource();
        String targetSchema = Identifiers.quote(spec.targetSchema());
        for (ValueIndexes.UniqueTwin t : ValueIndexes.uniqueTwins(c, spec)) {
            if (!t.present()) {
                continue;
            }
            String oldName = Identifiers.quote(t.sourceName());
            boolean renamed = renames.stream().anyMatch(r -> r.endsWith(" RENAME TO " + oldName));
            List<String> restore = new ArrayList<>();
            if (renamed) {   // the old index's name is the twin's now: free it first
                restore.add("ALTER INDEX " + targetSchema + "." + oldName + " RENAME TO " + Identifiers.quote(t.name()));
            }
            restore.addAll(Queries.strings(c, """
                    SELECT regexp_replace(pg_get_indexdef(i.indexrelid), '^CREATE UNIQUE INDEX ',
                                          'CREATE UNIQUE INDEX CONCURRENTLY ')
                    FROM pg_index i WHERE i.indexrelid = to_regclass(?)
                    UNION ALL
                    SELECT 'ALTER TABLE ' || ? || ' ADD CONSTRAINT ' || quote_ident(k.conname) || ' UNIQUE USING INDEX '
                           || quote_ident(k.conname) || CASE WHEN k.condeferrable THEN ' DEFERRABLE' ELSE '' END
                           || CASE WHEN k.condeferred THEN ' INITIALLY DEFERRED' ELSE '' END
                    FROM pg_constraint k WHERE k.conindid = to_regclass(?) AND k.contype = 'u'""",
                    Identifiers.quote(spec.sourceSchema()) + "." + oldName, source,
                    Identifiers.quote(spec.sourceSchema()) + "." + oldName));
            out.add("COMMENT ON INDEX " + targetSchema + "." + (renamed ? oldName : Identifiers.quote(t.name())) + " IS "
                    + literal(c, ConstraintRestores.note(spec, t.sourceIndex(), restore)));
        }
        for (ValueChecks.CheckTwin t : ValueChecks.checkTwins(c, spec)) {
            if (!t.present()) {
                continue;
            }
            String name = Identifiers.quote(t.name());
            // pg_get_constraintdef ends a check that is not validated with NOT VALID already
            List<String> restore = new ArrayList<>(List.of("ALTER TABLE " + source + " ADD CONSTRAINT " + name + " "
                    + t.definition().replaceFirst(" NOT VALID$", "") + " NOT VALID"));
            if (t.validate() != null) {
                restore.add("ALTER TABLE " + source + " VALIDATE CONSTRAINT " + name);
            }
            out.add("COMMENT ON CONSTRAINT " + name + " ON " + spec.qualifiedTarget() + " IS "
                    + literal(c, ConstraintRestores.note(spec, t.definition(), restore)));
        }
        return out;
    }

    /** {@code text} as a string literal of {@code c}'s session (COMMENT takes no parameter). */
    private static String literal(Connection c, String text) throws SQLException {
        return Queries.strings(c, "SELECT quote_literal(?)", text).get(0);
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
