package io.dualwrite.migrator.contract;

import io.dualwrite.control.CaptureTrigger;
import io.dualwrite.control.ConstraintRestores;
import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.DeletedKeysTrigger;
import io.dualwrite.control.SourceColumn;
import io.dualwrite.control.phase.PhaseTransitions;
import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The first step of a rollback after the drop: re-adds the old column with the type and collation recorded when it
 * was dropped ({@code dualwrite.source_column}), nullable and without a default, and in the same transaction resets
 * the reverse-sync checkpoint, installs the {@link MirrorTrigger} and moves the phase CONTRACTED -&gt; NEW_ONLY.
 * Both phases translate the application's statements identically, so no statement changes behaviour at the commit;
 * from then on the mirror keeps the (empty) column in step for every new write and the batches fill the rest.
 *
 * <p>What cannot come back as it was: the column is now the table's last. Through the driver nothing shows it while
 * the migration stays in NEW_ONLY or CONTRACTED ({@code SELECT *} and positional INSERTs follow the recorded order);
 * plain clients, and the driver once the migration is back in READ_NEW or earlier, see it last. A NOT NULL constraint
 * or a default is not restored here: in NEW_ONLY the application's INSERTs leave the column unset (a default would
 * put a value there the new table does not have); nor are the column's unique indexes and CHECKs, which the twins on
 * the new table keep enforcing while it is written (down to DUAL_WRITE) and which the half-filled column could refuse.
 * The outcome says what to run once back in READ_NEW with parity 0: the commands the contract left on the twins
 * ({@link ConstraintTwins#restoreNotes}) among them, before the fleet goes back to EXPANDED.
 */
public final class ColumnReadd {

    /**
     * @param ddl           the ADD COLUMN run
     * @param wasPosition   the column's position when it was dropped (1-based)
     * @param nowPosition   its position now (the last)
     * @param columns       the table's live column count after the re-add
     * @param afterReadNew  commands to run once back in READ_NEW and parity is 0 (NOT NULL, default, the old column's
     *                      unique indexes and CHECKs); empty for none
     */
    public record Outcome(String ddl, int wasPosition, int nowPosition, int columns, List<String> afterReadNew) {

        /** What changed, in one sentence for the operator. */
        public String changes(MigrationSpec spec) {
            String col = spec.sourceTable() + "." + spec.sourceColumn();
            String where = wasPosition == nowPosition ? col + " is back at its position " + nowPosition + " of " + columns
                    : col + " was column " + wasPosition + " and is now column " + nowPosition + " of " + columns
                    + ": through the driver SELECT * and INSERT without a column list keep the recorded order while the"
                    + " migration is in NEW_ONLY or CONTRACTED; plain clients, and the driver from READ_NEW back, see it last"
                    + " (check INSERTs without a column list before leaving NEW_ONLY)";
            return where + (afterReadNew.isEmpty() ? "" : "; once back in READ_NEW with parity 0, run: "
                    + String.join("; ", afterReadNew));
        }
    }

    private ColumnReadd() {
    }

    static Outcome run(Connection c, MigrationSpec spec, ReverseSync.Options o, Consumer<String> log) throws SQLException {
        SourceColumn recorded = recorded(c, spec);
        String ddl = addColumnSql(spec, recorded);
        Outcome[] done = new Outcome[1];
        LockedDdl.run(c, o.lockTimeout(), o.attempts(), "the lock on " + spec.qualifiedSource() + " (to re-add the column)", log,
                tx -> {
                    try (Statement s = tx.createStatement()) {
                        s.execute(ddl);
                    }
                    int[] position = position(tx, spec);
                    List<String> after = new ArrayList<>(afterReadNew(spec, recorded));
                    after.addAll(ConstraintRestores.commands(tx, spec));
                    done[0] = new Outcome(ddl, recorded.position(), position[0], position[1], after);
                    ReverseSyncCheckpoint.reset(tx, spec.name(), true);
                    MirrorTrigger.install(tx, spec);
                    CaptureTrigger.installIfRowSecurity(tx, spec);
                    DeletedKeysTrigger.install(tx, spec); // the old-column write trigger went with the column
                    PhaseWriter.change(tx, new PhaseWriter.Request(spec.name(), Phase.NEW_ONLY, "reverse-sync",
                            "old column re-added (" + done[0].changes(spec) + ")", false, PhaseTransitions.Command.REVERSE_SYNC,
                            Duration.ZERO));
                });
        return done[0];
    }

    /** The DDL that brings the column back, nullable and without a default. */
    public static String addColumnSql(MigrationSpec spec, SourceColumn col) {
        return "ALTER TABLE " + spec.qualifiedSource() + " ADD COLUMN " + Identifiers.quote(spec.sourceColumn()) + " " + col.type()
                + (col.collation() == null ? "" : " COLLATE " + col.collation());
    }

    private static SourceColumn recorded(Connection c, MigrationSpec spec) throws SQLException {
        for (SourceColumn col : ControlSchema.sourceColumns(c, spec.name())) {
            if (col.name().equals(spec.sourceColumn())) {
                return col;
            }
        }
        throw new RefusedException("no recorded definition of " + spec.sourceTable() + "." + spec.sourceColumn()
                + " in dualwrite.source_column (the column was not dropped by dualwrite contract): re-add it by hand with its"
                + " original type (ALTER TABLE " + spec.qualifiedSource() + " ADD COLUMN " + Identifiers.quote(spec.sourceColumn())
                + " <type>), then run dualwrite reverse-sync again");
    }

    /** {position of the column, live columns}. */
    private static int[] position(Connection c, MigrationSpec spec) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                SELECT n, total FROM (SELECT a.attname, row_number() OVER (ORDER BY a.attnum) AS n, count(*) OVER () AS total
                                      FROM pg_attribute a
                                      WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped) x
                WHERE attname = ?""")) {
            p.setString(1, spec.qualifiedSource());
            p.setString(2, spec.sourceColumn());
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return new int[] {rs.getInt(1), rs.getInt(2)};
            }
        }
    }

    private static List<String> afterReadNew(MigrationSpec spec, SourceColumn col) {
        List<String> out = new ArrayList<>();
        String alter = "ALTER TABLE " + spec.qualifiedSource() + " ALTER COLUMN " + Identifiers.quote(spec.sourceColumn());
        if (col.defaultSql() != null) {
            out.add(alter + " SET DEFAULT " + col.defaultSql());
        }
        if (col.notNull()) {
            out.add(alter + " SET NOT NULL");
        }
        return out;
    }
}
