package io.dualwrite.control;

import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What restores the old column's unique indexes and CHECKs after a rollback past the contract. {@code DROP COLUMN}
 * takes them with it, while their twins on the new table ({@link ValueIndexes}, {@link ValueChecks}) stay; so the
 * contract writes on each twin, as its comment, the commands that rebuild the constraint it stands for. Once
 * {@code reverse-sync} has brought the column back, the operator runs them in READ_NEW (the column complete, parity 0);
 * until then the twins keep refusing while the new table is written, which it is down to DUAL_WRITE, and the move to
 * EXPANDED, where nothing but the old column would, waits for them ({@link #unrestored}).
 */
public final class ConstraintRestores {

    /** Starts the comment on a twin. */
    private static final String NOTE = "dualwrite: the twin of a constraint that dualwrite contract dropped with ";
    /** Ends the comment's prose; the commands follow, each ending with {@link #COMMAND_END}. */
    private static final String RESTORE_WITH = "restore it with:\n";
    private static final String COMMAND_END = ";\n";

    /** One twin's comment: the twin (index or constraint name on the target) and the commands it carries. */
    public record Restore(String twin, boolean index, List<String> commands) {
    }

    private ConstraintRestores() {
    }

    /** The comment for the twin of {@code definition} (the old constraint), carrying {@code commands}. */
    public static String note(MigrationSpec spec, String definition, List<String> commands) {
        return NOTE + spec.sourceTable() + "." + spec.sourceColumn() + " (" + definition + "). Once dualwrite reverse-sync"
                + " has brought the column back and the migration is in READ_NEW with parity 0, " + RESTORE_WITH
                + String.join(COMMAND_END, commands) + COMMAND_END;
    }

    /** The twins of {@code spec}'s target that carry a comment of {@link #note}: unique indexes first, then CHECKs. */
    public static List<Restore> restores(Connection c, MigrationSpec spec) throws SQLException {
        List<Restore> out = new ArrayList<>();
        for (String row : Queries.strings(c, """
                SELECT kind || name || E'\\n' || d FROM (
                    SELECT 'i' AS kind, 1 AS o, i.indexrelid::int8 AS n, (SELECT relname FROM pg_class WHERE oid = i.indexrelid) AS name,
                           obj_description(i.indexrelid, 'pg_class') AS d
                    FROM pg_index i WHERE i.indrelid = to_regclass(?)
                    UNION ALL
                    SELECT 'c', 2, k.oid::int8, k.conname, obj_description(k.oid, 'pg_constraint')
                    FROM pg_constraint k WHERE k.conrelid = to_regclass(?)) x
                WHERE starts_with(d, ?) ORDER BY o, n""", spec.qualifiedTarget(), spec.qualifiedTarget(), NOTE)) {
            int nameEnd = row.indexOf('\n');
            String note = row.substring(nameEnd + 1);
            List<String> commands = new ArrayList<>();
            for (String command : note.substring(note.indexOf(RESTORE_WITH) + RESTORE_WITH.length()).split(COMMAND_END)) {
                if (!command.isBlank()) {
                    commands.add(command);
                }
            }
            out.add(new Restore(row.substring(1, nameEnd), row.charAt(0) == 'i', commands));
        }
        return out;
    }

    /** The commands of every {@link #restores restore}, in the order to run them; empty when no twin carries any. */
    public static List<String> commands(Connection c, MigrationSpec spec) throws SQLException {
        List<String> out = new ArrayList<>();
        for (Restore r : restores(c, spec)) {
            out.addAll(r.commands());
        }
        return out;
    }

    /**
     * Null when every twin that carries restore commands stands for a constraint the old column has again (or none
     * carries any); else why the old column would refuse nothing, with the commands to run.
     */
    public static String unrestored(Connection c, MigrationSpec spec) throws SQLException {
        List<String> uniqueTwins = ValueIndexes.uniqueTwins(c, spec).stream().map(ValueIndexes.UniqueTwin::name).toList();
        List<String> checkTwins = ValueChecks.checkTwins(c, spec).stream().map(ValueChecks.CheckTwin::name).toList();
        List<String> commands = new ArrayList<>();
        for (Restore r : restores(c, spec)) {
            if (!(r.index() ? uniqueTwins : checkTwins).contains(r.twin())) {
                commands.addAll(r.commands());
            }
        }
        if (commands.isEmpty()) {
            return null;
        }
        return "the old column " + spec.qualifiedSource() + "." + spec.sourceColumn() + " came back without the unique"
                + " indexes and CHECKs the contract dropped, and in EXPANDED only it is written: restore them first (in"
                + " READ_NEW or DUAL_WRITE, the column complete): " + String.join("; ", commands);
    }
}
