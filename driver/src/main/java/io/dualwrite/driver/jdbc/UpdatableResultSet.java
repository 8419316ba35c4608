package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import net.bytebuddy.implementation.bind.annotation.AllArguments;
import net.bytebuddy.implementation.bind.annotation.Origin;
import net.bytebuddy.implementation.bind.annotation.This;

import org.postgresql.PGResultSetMetaData;

import java.lang.reflect.Method;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * An updatable ({@code CONCUR_UPDATABLE}) result set of a query that names a migrated table.
 * PgJDBC's {@code updateRow}, {@code insertRow} and {@code deleteRow} build their own UPDATE,
 * INSERT and DELETE and run them on its internal connection, where no rewrite can reach them; so in
 * every phase that writes the new side they are refused, and so are the {@code updateX} calls
 * ({@link Guard}, generated in front of each) and {@code moveToInsertRow} that prepare them, before
 * PgJDBC sends or stages anything: the refusal comes at the first call, with the same SQLState in
 * every such phase (in READ_NEW PgJDBC itself would otherwise reject the rewritten query's column).
 * In {@code EXPANDED} they are PgJDBC's. Where the query ran as written (DUAL_WRITE, or a query that names the table
 * but not the column), an {@code updateX} of a column other than the migrated one and the key is PgJDBC's, and so is
 * the {@code updateRow} after it: PgJDBC's UPDATE sets only the columns updated, as a statement leaving the column and
 * the key alone would. For a query that names the table but not the column ({@code rowsOnly}) the calls that add or
 * remove a whole row are refused ({@code moveToInsertRow}, {@code insertRow}, {@code deleteRow}): an insert may give
 * the column its default, a delete leaves the target's rows (but not once triggers follow deletes, from NEW_ONLY on:
 * then {@code deleteRow} is PgJDBC's). Everything else is generated delegation ({@link Wrappers}).
 */
public abstract class UpdatableResultSet extends DualwriteResultSet {

    private final DualwriteConnection connection;
    private final MigrationRuntime migration;
    private final boolean rowsOnly;
    /** The query ran rewritten to read the new table: PgJDBC holds the rewritten text. */
    private final boolean rewrittenRead;
    /** Between {@code moveToInsertRow} and {@code moveToCurrentRow}: the updates stage a row to insert. */
    private boolean onInsertRow;

    protected UpdatableResultSet(ResultSet delegate, Statement statement, DualwriteConnection connection,
                                 MigrationRuntime migration, boolean rowsOnly, boolean rewrittenRead) {
        super(delegate, statement);
        this.connection = connection;
        this.migration = migration;
        this.rowsOnly = rowsOnly;
        this.rewrittenRead = rewrittenRead;
    }

    /**
     * PgJDBC re-reads the row with a SELECT it builds from the query's text, which is here the rewritten one: it takes
     * the new table inside the column's subquery for the query's table and fails (24000, 42601). Refused instead.
     */
    @Override
    public void refreshRow() throws SQLException {
        if (rewrittenRead) {
            Phase phase = connection.phaseOf(migration);
            migration.countRejected();
            throw Refusals.refused("ResultSet.refreshRow() on an updatable (CONCUR_UPDATABLE) result set of a query"
                    + " rewritten to read the migrated column from the new table: PgJDBC re-reads the row with a query it"
                    + " builds from the rewritten text; run the query again instead", phase, migration);
        }
        delegate.refreshRow();
    }

    @Override
    public void updateRow() throws SQLException {
        if (rewrittenRead || onInsertRow) {
            allowed("updateRow");
        }
        delegate.updateRow();
    }

    @Override
    public void moveToInsertRow() throws SQLException {
        allowed("moveToInsertRow");
        delegate.moveToInsertRow();
        onInsertRow = true;
    }

    @Override
    public void moveToCurrentRow() throws SQLException {
        delegate.moveToCurrentRow();
        onInsertRow = false;
    }

    @Override
    public void insertRow() throws SQLException {
        allowed("insertRow");
        delegate.insertRow();
    }

    @Override
    public void deleteRow() throws SQLException {
        allowed("deleteRow");
        delegate.deleteRow();
    }

    /** The phase of this instant (pinned in a transaction), as for a statement. */
    private void allowed(String method) throws SQLException {
        if (rowsOnly && (method.equals("deleteRow") ? migration.deletesFollowed()
                : !method.equals("insertRow") && !method.equals("moveToInsertRow"))) {
            return;
        }
        refusedWhereSynced(method);
    }

    private void refusedWhereSynced(String method) throws SQLException {
        Phase phase = connection.phaseOf(migration);
        if (phase.writesNew()) {
            migration.countRejected();
            throw Refusals.refused("ResultSet." + method + "() on an updatable (CONCUR_UPDATABLE) result set of a"
                    + " query on the migrated table: PgJDBC writes the row with its own UPDATE, INSERT or DELETE, which"
                    + " bypasses the dual write; run an UPDATE, INSERT or DELETE statement instead", phase, migration);
        }
    }

    /**
     * An {@code updateX} of column {@code column} (its index, or its label): PgJDBC's where the query ran as written and
     * the column is neither the migrated one nor the key, which the new table follows (PostgreSQL's column origin: its
     * table and its name there); else refused where the phases sync.
     */
    private void update(String method, Object column) throws SQLException {
        if (!rewrittenRead) {
            int index = column instanceof Integer i ? i : delegate.findColumn((String) column);
            PGResultSetMetaData md = delegate.getMetaData().unwrap(PGResultSetMetaData.class);
            MigrationSpec spec = migration.spec();
            String name = md.getBaseColumnName(index);
            if (!((spec.sourceColumn().equals(name) || spec.keyColumn().equals(name))
                    && spec.sourceTable().equals(md.getBaseTableName(index)) && spec.sourceSchema().equals(md.getBaseSchemaName(index)))) {
                return;
            }
        }
        refusedWhereSynced(method);
    }

    /** Called by the generated {@code updateX} methods before they delegate. */
    public static final class Guard {
        private Guard() {
        }

        public static void check(@This UpdatableResultSet self, @Origin Method method, @AllArguments Object[] arguments)
                throws SQLException {
            self.update(method.getName(), arguments[0]);
        }
    }
}
