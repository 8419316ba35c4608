package io.dualwrite.migrator.contract;

import io.dualwrite.control.CaptureTrigger;
import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.DeletedKeysTrigger;
import io.dualwrite.control.MigrationState;
import io.dualwrite.control.OldColumnWriteTrigger;
import io.dualwrite.control.Queries;
import io.dualwrite.control.ValueIndexes;
import io.dualwrite.control.phase.Gate;
import io.dualwrite.control.phase.GateChecks;
import io.dualwrite.control.phase.PhaseTransitions;
import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.db.ConnectionFactory;
import io.dualwrite.migrator.db.MigrationNames;
import io.dualwrite.migrator.db.Retry;
import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The last, destructive step: drops the old column and sets the phase CONTRACTED. It runs only in NEW_ONLY, and the
 * move's gates (the state machine's: soak passed, every live instance on NEW_ONLY, no untranslatable statement
 * within the soak window) must hold. No parity check: in NEW_ONLY the new table is the truth and the old column is
 * stale by design (it was proven equal on the way in). {@code dryRun} reports each gate's verdict and the DDL without changing anything. One transaction, under a short {@code lock_timeout},
 * retried with backoff (an ACCESS EXCLUSIVE request queues every application query behind it): the phase writer
 * re-checks the gates under its lock and writes the phase; the source table's columns are recorded
 * ({@code dualwrite.source_column}: the driver keeps {@code SELECT *} in this order, reverse-sync re-adds the column
 * from it); then the column, the unique twins renamed to the old indexes' names ({@link #twinRenames}), and the
 * reverse-sync mirror with it if there is one.
 */
public final class Contract {

    public record Options(Duration soak, boolean dryRun, Duration lockTimeout, int attempts) {
    }

    /** One gate of the move and whether it holds now; {@code detail} says why not (null when it holds). */
    public record Verdict(Gate gate, boolean holds, String detail) {
    }

    /**
     * @param ddl        the statements run (or, with dryRun, that would run)
     * @param dependents what else uses the column: contract refuses while {@link ColumnDependents#blocking()} is not empty
     */
    public record Result(boolean executed, List<Verdict> gates, List<String> ddl, int attempts, ColumnDependents dependents) {

        /** Whether contract would run: every gate holds and nothing of the user's depends on the column. */
        public boolean gatesHold() {
            return gates.stream().allMatch(Verdict::holds) && dependents.blocking().isEmpty();
        }
    }

    private Contract() {
    }

    /**
     * What contract runs, in one transaction; the phase change is {@link PhaseWriter}'s (row, audit entry, NOTIFY).
     *
     * @param renames each unique twin renamed to the old index's name once the drop has freed it ({@link #twinRenames})
     * @param captureDrops the drops of the capture's triggers ({@link CaptureTrigger#dropSql}), empty without it
     * @param notes   the comment on each twin that says how to restore the old constraint ({@link ConstraintTwins#restoreNotes})
     */
    public static List<String> ddl(MigrationSpec spec, boolean mirrorInstalled, List<String> captureDrops, List<String> renames,
                                   List<String> notes) {
        MigrationNames names = MigrationNames.of(spec);
        List<String> ddl = new ArrayList<>(List.of("SET LOCAL lock_timeout = '<lock-timeout>'",
                "-- phase " + Phase.NEW_ONLY + " -> " + Phase.CONTRACTED + " through the phase writer (gates re-checked under lock)",
                "-- record the columns of " + spec.qualifiedSource() + " in dualwrite.source_column (order, type, collation,"
                        + " NOT NULL, default)"));
        // the source before the target: the application's statements (reads with the target in a subquery, translated
        // writes) lock the source first; the other order deadlocks with them while the locks queue
        // the capture's function reads the column: it would fail every write after the drop; the old-column write
        // trigger depends on the column
        ddl.addAll(captureDrops);
        ddl.addAll(OldColumnWriteTrigger.dropSql(spec));
        ddl.add("ALTER TABLE " + names.source() + " DROP COLUMN " + names.value());
        ddl.addAll(renames);
        ddl.addAll(notes);
        if (mirrorInstalled) {
            ddl.add(MirrorTrigger.dropSql(spec));
        }
        return ddl;
    }

    /**
     * {@code ALTER INDEX … RENAME} of each unique twin to the name of the old column's index it stands for, so that a
     * duplicate refused after the drop names the constraint the application knew ({@code users_email_key}): a legacy
     * application may tell "email taken" from other errors by that name. Only where the name is free once the old
     * index is dropped (the target in the source's schema, or no relation of that name in the target's).
     */
    static List<String> twinRenames(Connection c, MigrationSpec spec) throws SQLException {
        List<String> out = new ArrayList<>();
        for (ValueIndexes.UniqueTwin t : ValueIndexes.uniqueTwins(c, spec)) {
            if (!t.present() || t.sourceName().equals(t.name())) {
                continue;
            }
            boolean free = spec.targetSchema().equals(spec.sourceSchema());
            if (!free) {
                free = Queries.isTrue(c, "SELECT to_regclass(?) IS NULL",
                        Identifiers.quote(spec.targetSchema()) + "." + Identifiers.quote(t.sourceName()));
            }
            if (free) {
                out.add("ALTER INDEX " + Identifiers.quote(spec.targetSchema()) + "." + Identifiers.quote(t.name())
                        + " RENAME TO " + Identifiers.quote(t.sourceName()));
            }
        }
        return out;
    }

    public static Result run(Connection c, String migration, Options o, Consumer<String> log)
            throws SQLException {
        return run(c, migration, o, log, planned -> { });
    }

    /**
     * The same, riding out transient faults: after one, the run reconnects and starts again (gates, then the one
     * transaction: nothing of an interrupted attempt stays behind). When the fault took the acknowledgement of a commit
     * that landed, the retry finds the migration CONTRACTED and reports the contract done.
     */
    public static Result run(ConnectionFactory factory, String migration, Options o, Consumer<String> log, Retry retry)
            throws SQLException {
        AtomicReference<Result> planned = new AtomicReference<>();
        return retry.run(factory, c -> "in phase " + ControlSchema.require(c, migration).phase(), (c, retried) -> {
            if (retried && planned.get() != null && ControlSchema.require(c, migration).phase() == Phase.CONTRACTED) {
                return planned.get();
            }
            return run(c, migration, o, log, planned::set);
        });
    }

    /** @param planned receives the result the transaction about to run will have, should its acknowledgement be lost */
    private static Result run(Connection c, String migration, Options o, Consumer<String> log, Consumer<Result> planned)
            throws SQLException {
        if (!c.getAutoCommit()) {
            c.commit();
            c.setAutoCommit(true);
        }
        MigrationState ms = ControlSchema.require(c, migration);
        MigrationSpec spec = ms.spec();
        String notHere = PhaseTransitions.Operation.CONTRACT.refusalIn(ms.phase());
        if (notHere != null) {
            throw new RefusedException("contract drops " + spec.qualifiedSource() + "." + spec.sourceColumn() + ": " + notHere);
        }
        PhaseTransitions.Move move = PhaseTransitions.move(ms.phase(), Phase.CONTRACTED);
        // a migration moved to NEW_ONLY by an older version has none yet: created before the gates are checked
        String created = o.dryRun() ? null : ConstraintTwins.followDeletes(c, spec, log);
        if (created != null) {
            log.accept(created);
        }
        boolean followsDeletes = !o.dryRun() || DeletedKeysTrigger.installed(c, spec);
        List<Verdict> verdicts = new ArrayList<>();
        for (Gate g : move.gates()) {
            if (g == Gate.DELETES_REACH_NEW_TABLE && o.dryRun() && !followsDeletes) {
                verdicts.add(new Verdict(g, true, "contract creates the triggers first: " + DeletedKeysTrigger.deleteTriggerName(spec)
                        + ", " + DeletedKeysTrigger.truncateTriggerName(spec)));
                continue;
            }
            List<String> why = GateChecks.unmet(c, migration, move.from(), List.of(g), o.soak());
            verdicts.add(new Verdict(g, why.isEmpty(), why.isEmpty() ? null : String.join("; ", why)));
        }
        // every reason at once: an operator who fixes one should not meet the next only on the following attempt
        List<String> refusals = new ArrayList<>(verdicts.stream().filter(v -> !v.holds()).map(Verdict::detail).toList());
        ColumnDependents dependents = ColumnDependents.of(c, spec);
        if (!dependents.blocking().isEmpty()) {
            refusals.add(dependents.refusal(spec));
        }
        if (!refusals.isEmpty() && !o.dryRun()) {
            throw new RefusedException(String.join("; ", refusals));
        }
        boolean mirror = MirrorTrigger.installed(c, spec);
        List<String> renames = twinRenames(c, spec);
        List<String> ddl = ddl(spec, mirror, CaptureTrigger.dropSql(c, spec), renames,
                ConstraintTwins.restoreNotes(c, spec, renames)).stream()
                .map(s -> s.replace("<lock-timeout>", o.lockTimeout().toMillis() + "ms")).toList();
        if (o.dryRun()) {
            return new Result(false, verdicts, ddl, 0, dependents);
        }
        for (String t : dependents.triggersNaming()) {
            log.accept("note: the code of " + t + " names " + spec.sourceColumn() + "; if it reads the column, it fails once the"
                    + " column is gone (reverse-sync re-adds it)");
        }
        for (String f : dependents.functionsNaming()) {
            log.accept("note: the code of " + f + " names " + spec.sourceTable() + " and " + spec.sourceColumn() + "; if it"
                    + " reads the column, a call fails once the column is gone (the driver translates the application's"
                    + " statements, not code stored in the database; reverse-sync re-adds the column)");
        }
        planned.accept(new Result(true, verdicts, ddl, 1, dependents));
        int attempts = LockedDdl.run(c, o.lockTimeout(), o.attempts(), "the lock on " + spec.qualifiedSource(), log, tx -> {
            PhaseWriter.change(tx, new PhaseWriter.Request(migration, Phase.CONTRACTED, "contract", "old column dropped",
                    false, PhaseTransitions.Command.CONTRACT, o.soak()));
            ControlSchema.recordSourceColumns(tx, spec, true);
            try (Statement s = tx.createStatement()) {
                for (String sql : ddl.subList(3, ddl.size())) {
                    s.execute(sql);
                }
            }
        });
        return new Result(true, verdicts, ddl, attempts, dependents);
    }
}
