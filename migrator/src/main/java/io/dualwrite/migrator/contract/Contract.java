package io.dualwrite.migrator.contract;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.MigrationState;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.db.ConnectionFactory;
import io.dualwrite.migrator.db.MigrationNames;
import io.dualwrite.migrator.parity.ChunkedParity;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
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

    public static List<String> ddl(MigrationSpec spec) {
        MigrationNames names = MigrationNames.of(spec);
        return List.of("SET LOCAL lock_timeout = '<lock-timeout>'",
                "ALTER TABLE " + names.source() + " DROP COLUMN " + names.value(),
                "UPDATE dualwrite.migration SET phase = 'CONTRACTED', phase_changed_at = now() WHERE name = '" + spec.name() + "'");
    }

    public static Result run(Connection c, ConnectionFactory factory, String migration, Options o, Consumer<String> log)
            throws SQLException {
        if (!c.getAutoCommit()) {
            c.commit();
            c.setAutoCommit(true);
        }
        MigrationState ms = ControlSchema.require(c, migration);
        MigrationSpec spec = ms.spec();
        if (ms.phase() != Phase.NEW_ONLY) {
            throw new RefusedException("contract drops " + spec.qualifiedSource() + "." + spec.sourceColumn()
                    + " and needs phase NEW_ONLY (the application no longer reads or writes the old column); " + migration
                    + " is in " + ms.phase() + "." + (ms.phase().ordinal() < Phase.NEW_ONLY.ordinal()
                    ? " This driver version cannot apply NEW_ONLY yet, so contract cannot run with it." : ""));
        }
        double soaked;
        try (PreparedStatement p = c.prepareStatement(
                "SELECT extract(epoch FROM now() - phase_changed_at) FROM dualwrite.migration WHERE name = ?")) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                soaked = rs.getDouble(1);
            }
        }
        if (soaked < o.soak().toSeconds()) {
            throw new RefusedException(String.format(Locale.ROOT,
                    "the soak time has not passed: %s has been in NEW_ONLY for %s, --soak requires %s (%s left)", migration,
                    human(soaked), human(o.soak().toSeconds()), human(o.soak().toSeconds() - soaked)));
        }
        ChunkedParity.Result parity = ChunkedParity.run(c, factory, migration,
                new ChunkedParity.Options(Math.max(1, o.parityWorkers()), ChunkedParity.DEFAULT_CHUNK_KEYS, false, false, 5));
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
                // re-check the phase under lock: nobody moved it back meanwhile
                try (PreparedStatement p = c.prepareStatement("SELECT phase FROM dualwrite.migration WHERE name = ? FOR UPDATE")) {
                    p.setString(1, migration);
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        if (!Phase.NEW_ONLY.name().equals(rs.getString(1))) {
                            throw new RefusedException("the phase of " + migration + " changed to " + rs.getString(1) + " meanwhile");
                        }
                    }
                }
                s.execute(ddl.get(1));
                s.execute(ddl.get(2));
                try (PreparedStatement p = c.prepareStatement("INSERT INTO dualwrite.phase_change (migration, from_phase, to_phase,"
                        + " changed_by, reason) VALUES (?, 'NEW_ONLY', 'CONTRACTED', ?, ?)")) {
                    p.setString(1, migration);
                    p.setString(2, "contract");
                    p.setString(3, "old column dropped");
                    p.executeUpdate();
                }
                s.execute("SELECT pg_notify('" + ControlSchema.CHANNEL + "', " + quoteLiteral(migration) + ")");
                c.commit();
                c.setAutoCommit(true);
                return new Result(true, ddl, attempt, 0);
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

    static String quoteLiteral(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    static String human(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600 ? (s / 3600) + "h" + String.format("%02dm", s % 3600 / 60) : s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
    }
}
