package io.dualwrite.migrator.contract;

import io.dualwrite.control.CaptureTrigger;
import io.dualwrite.control.ColumnUses;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

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
 */
public record ColumnDependents(List<String> blocking, List<String> droppedWithColumn, List<String> triggersNaming) {

    private static final String TRIGGERS = """
            SELECT pg_describe_object('pg_trigger'::regclass, t.oid, 0), t.tgname, p.prosrc
            FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE t.tgrelid = to_regclass(?) AND NOT t.tgisinternal
            ORDER BY 1""";

    static ColumnDependents of(Connection c, MigrationSpec spec) throws SQLException {
        List<String> blocking = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (ColumnUses.Dependent d : ColumnUses.dependents(c, spec)) {
            (d.readsIt() ? blocking : dropped).add(d.object());
        }
        List<String> naming = new ArrayList<>();
        Pattern word = Pattern.compile("(?<![\\w$])\"?" + Pattern.quote(spec.sourceColumn()) + "\"?(?![\\w$])",
                Pattern.CASE_INSENSITIVE);
        List<String> ours = List.of(CaptureTrigger.triggerName(spec), CaptureTrigger.truncateTriggerName(spec));
        try (PreparedStatement p = c.prepareStatement(TRIGGERS)) {
            p.setString(1, spec.qualifiedSource());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    String source = rs.getString(3);
                    if (!ours.contains(rs.getString(2)) && source != null && word.matcher(source).find()
                            && !blocking.contains(rs.getString(1))) {
                        naming.add(rs.getString(1));
                    }
                }
            }
        }
        return new ColumnDependents(List.copyOf(blocking), List.copyOf(dropped), List.copyOf(naming));
    }

    /** Why contract refuses, and what to do. */
    String refusal(MigrationSpec spec) {
        String column = spec.qualifiedSource() + "." + spec.sourceColumn();
        return "other objects depend on " + column + ": " + String.join("; ", blocking) + ". Dropping the column would"
                + " need CASCADE, which would drop them too, and contract never drops objects of yours. Recreate them on "
                + spec.qualifiedTarget() + " (or drop them), then run contract again; contract --dry-run lists them";
    }
}
