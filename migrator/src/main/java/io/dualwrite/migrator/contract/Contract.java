package io.dualwrite.migrator.contract;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.MigrationState;
import io.dualwrite.control.phase.Gate;
import io.dualwrite.control.phase.GateChecks;
import io.dualwrite.control.phase.PhaseRefusedException;
import io.dualwrite.control.phase.PhaseTransitions;
import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.db.ConnectionFactory;
import io.dualwrite.migrator.db.MigrationNames;
import io.dualwrite.migrator.parity.ChunkedParity;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The last, destructive step: drops the old column and sets the phase CONTRACTED. Gates, each refused
 * with its own message: the phase is NEW_ONLY; parity (chunked, the same check as {@code dualwrite parity})
 * is 0; the soak time has passed since {@code dualwrite.migration.phase_changed_at}. The DROP runs with a
 * short {@code lock_timeout} (it needs an ACCESS EXCLUSIVE lock: waiting behind a long transaction would
 * queue every application query behind it), retried with backoff; DROP and phase change commit together.
 */
public final class Contract {

    public record Options(Duration soak, boolean dryRun, Duration lockTimeout, int attempts, int parityWorkers) {
    }

    /** @param ddl the statements run (or, with dryRun, that would run) */
    public record Result(boolean executed, List<String> ddl, int attempts, long parityMismatches) {
    }

    private Contract() {
    }

    /** What contract runs, in one transaction; the phase change is {@link PhaseWriter}'s (row, audit entry, NOTIFY). */
    public static List<String> ddl(MigrationSpec spec) {
        MigrationNames names = MigrationNames.of(spec);
        return List.of("SET LOCAL lock_timeout = '<lock-timeout>'",
                "-- phase " + Phase.NEW_ONLY + " -> " + Phase.CONTRACTED + " through the phase writer (gates re-checked under lock)",
                "ALTER TABLE " + names.source() + " DROP COLUMN " + names.value());
    }

    public static Result run(Connection c, ConnectionFactory factory, String migration, Options o, Consumer<String> log)
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
        // the cheap gates first; parity is run (and recorded) below, then every gate is checked again under lock
        List<String> unmet = GateChecks.unmet(c, migration, move.from(),
                move.gates().stream().filter(g -> g != Gate.PARITY_ZERO).toList(), o.soak());
        if (!unmet.isEmpty()) {
            throw new RefusedException(String.join("; ", unmet));
        }
        ChunkedParity.Result parity = ChunkedParity.run(c, factory, migration,
                new ChunkedParity.Options(Math.max(1, o.parityWorkers()), ChunkedParity.DEFAULT_CHUNK_KEYS, false, false, 5));
        ControlSchema.recordParity(c, migration, parity.mismatches());
        if (!parity.clean()) {
            throw new RefusedException("parity is not 0 (" + parity.mismatches() + " mismatches, e.g. key "
                    + parity.samples().get(0).key() + "): dropping the old column would lose the only copy of a value."
                    + " Run dualwrite reverse-sync (old <- new) or investigate, then contract again.");
        }
        List<String> ddl = ddl(spec).stream()
                .map(s -> s.replace("<lock-timeout>", o.lockTimeout().toMillis() + "ms")).toList();
        if (o.dryRun()) {
            return new Result(false, ddl, 0, 0);
        }
        for (int attempt = 1; ; attempt++) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute(ddl.get(0));
                PhaseWriter.change(c, new PhaseWriter.Request(migration, Phase.CONTRACTED, "contract", "old column dropped",
                        false, PhaseTransitions.Command.CONTRACT, o.soak()));
                s.execute(ddl.get(2));
                c.commit();
                c.setAutoCommit(true);
                return new Result(true, ddl, attempt, 0);
            } catch (PhaseRefusedException e) {
                c.rollback();
                c.setAutoCommit(true);
                throw new RefusedException(e.getMessage());
            } catch (SQLException e) {
                c.rollback();
                c.setAutoCommit(true);
                if (!"55P03".equals(e.getSQLState()) || attempt >= o.attempts()) {
                    if ("55P03".equals(e.getSQLState())) {
                        throw new RefusedException("could not get the lock on " + spec.qualifiedSource() + " within "
                                + o.lockTimeout().toMillis() + " ms in " + attempt + " attempts (a long transaction holds it);"
                                + " nothing was changed. Try again later.");
                    }
                    throw e;
                }
                long backoff = Math.min(30_000, 250L << Math.min(attempt, 7));
                log.accept("lock_timeout on " + spec.qualifiedSource() + " (attempt " + attempt + "), retrying in " + backoff + " ms");
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            } catch (RuntimeException e) {
                c.rollback();
                c.setAutoCommit(true);
                throw e;
            }
        }
    }
}
