package io.dualwrite.migrator.contract;

import io.dualwrite.control.ColumnUses;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What else in the database uses the old column, read before the drop. The driver translates the application's SQL,
 * but not SQL stored in the database: a view, a trigger, a policy or a foreign key on the column would have to be
 * dropped with it ({@code CASCADE}), and contract never drops an object of the user's.
 *
 * @param blocking          objects PostgreSQL records as depending on the column, which {@code DROP COLUMN} refuses
 *                          to drop without {@code CASCADE} (views, triggers with {@code UPDATE OF} or {@code WHEN} on
 *                          it, policies, rules, foreign keys of other tables referencing it); contract refuses while
 *                          there are any
 * @param droppedWithColumn objects PostgreSQL drops with the column (its indexes, constraints, default, statistics)
 * @param triggersNaming    the source table's triggers, other than dualwrite's, whose function's code names the column:
 *                          PostgreSQL records no dependency for code, so they are named for review (a trigger that reads
 *                          {@code NEW.email} fails every write once the column is gone); a name may also be some other
 *                          table's column, so they do not block
 * @param functionsNaming   the database's other functions whose code names the table and the column
 *                          ({@link ColumnUses#functionsNaming}): one the application calls fails once the column is gone;
 *                          named for review, as the words may belong to something else
 */
public record ColumnDependents(List<String> blocking, List<String> droppedWithColumn, List<String> triggersNaming,
                               List<String> functionsNaming) {

    static ColumnDependents of(Connection c, MigrationSpec spec) throws SQLException {
        List<String> blocking = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (ColumnUses.Dependent d : ColumnUses.dependents(c, spec)) {
            (d.readsIt() ? blocking : dropped).add(d.object());
        }
        List<String> naming = new ArrayList<>(ColumnUses.triggersNaming(c, spec));
        naming.removeAll(blocking);
        List<String> functions = new ArrayList<>(ColumnUses.functionsNaming(c, spec));
        functions.removeAll(blocking);
        return new ColumnDependents(List.copyOf(blocking), List.copyOf(dropped), List.copyOf(naming), List.copyOf(functions));
    }

    /** Why contract refuses, and what to do. */
    String refusal(MigrationSpec spec) {
        String column = spec.qualifiedSource() + "." + spec.sourceColumn();
        return "other objects depend on " + column + ": " + String.join("; ", blocking) + ". Dropping the column would"
                + " need CASCADE, which would drop them too, and contract never drops objects of yours. Recreate them on "
                + spec.qualifiedTarget() + " (or drop them), then run contract again; contract --dry-run lists them";
    }
}
