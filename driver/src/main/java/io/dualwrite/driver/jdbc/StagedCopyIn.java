package io.dualwrite.driver.jdbc;

import org.postgresql.copy.CopyIn;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;
import org.postgresql.util.ByteStreamWriter;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * A {@code COPY … FROM STDIN} into a migrated table, in a phase where the rows must reach the new table too (or only
 * it): the COPY protocol carries rows, not SQL, so no rewrite can reach them on their way. The rows are copied, in
 * the application's format and options, into a temporary staging table of the same column types, then written by one
 * {@code INSERT INTO table (columns) SELECT … FROM staging} sent through the driver like any application statement
 * (the dual write, or the translation, of this phase; its count is the COPY's). The staging table is created by a
 * read of the table through the driver too, so its types are the application's types in every phase, {@code
 * CONTRACTED} included.
 *
 * <p>Like COPY, the write is one statement (atomic; in auto-commit the whole copy is one transaction) and fires the
 * table's INSERT triggers; unlike COPY, rules on the table apply, and an error in the rows is reported by the INSERT
 * rather than by the COPY.
 */
final class StagedCopyIn implements CopyIn {

    /**
     * One name per session (a connection runs one COPY at a time; temporary tables are the session's), so that the
     * INSERT's text, its plan and its statement evidence are the same at every COPY of one text.
     */
    private static final String STAGING = "pg_temp.dualwrite_copy";

    private final DualwriteConnection connection;
    private final String insert;
    /** The application was in auto-commit: the copy runs in a transaction of its own, committed when it ends. */
    private final boolean ownTransaction;
    /** {@link DualwriteConnection#beginOwnTransaction} lifted {@code readOnly} for the own transaction. */
    private final boolean readOnlyLifted;
    private final CopyIn rows;
    private long written = -1;

    private StagedCopyIn(DualwriteConnection connection, String insert, boolean ownTransaction, boolean readOnlyLifted,
                         CopyIn rows) {
        this.connection = connection;
        this.insert = insert;
        this.ownTransaction = ownTransaction;
        this.readOnlyLifted = readOnlyLifted;
        this.rows = rows;
    }

    /**
     * Creates the staging table and starts copying the application's rows into it. In auto-commit every step runs in
     * one transaction of the copy's own, as a COPY is one: one server session throughout (a pooler in transaction mode
     * hands each auto-commit statement to any session, and a temporary table is its session's), and the staging table
     * goes with the commit ({@code ON COMMIT DROP}).
     */
    static StagedCopyIn start(DualwriteConnection connection, RoutedCopyManager copies, CopyOfTable copy)
            throws SQLException {
        CopyOfTable.Columns columns = copy.columnsOn(connection);
        boolean ownTransaction = connection.getAutoCommit();
        boolean lifted = ownTransaction && connection.beginOwnTransaction();
        try {
            try (Statement physical = connection.delegate.createStatement(); Statement st = connection.createStatement()) {
                // one left by a copy whose drop failed would otherwise refuse the name
                physical.execute("DROP TABLE IF EXISTS " + STAGING);
                st.execute("CREATE TEMPORARY TABLE " + STAGING + (ownTransaction ? " ON COMMIT DROP" : "") + " AS SELECT "
                        + columns.list() + " FROM " + copy.table() + " LIMIT 0");
            }
            String insert = "INSERT INTO " + copy.table() + " (" + columns.list() + ")"
                    + (columns.identityAlways() ? " OVERRIDING SYSTEM VALUE" : "") + " SELECT " + columns.list() + " FROM " + STAGING;
            return new StagedCopyIn(connection, insert, ownTransaction, lifted,
                    copies.copyInAsWritten("COPY " + STAGING + " (" + columns.list() + ") " + copy.rest()));
        } catch (SQLException e) {
            throw ended(connection, ownTransaction, lifted, false, e);
        }
    }

    @Override
    public void writeToCopy(byte[] buf, int off, int siz) throws SQLException {
        rows.writeToCopy(buf, off, siz);
    }

    @Override
    public void writeToCopy(ByteStreamWriter from) throws SQLException {
        rows.writeToCopy(from);
    }

    @Override
    public void flushCopy() throws SQLException {
        rows.flushCopy();
    }

    /** Ends the copy into the staging table and writes its rows; the number of rows written, as COPY reports it. */
    @Override
    public long endCopy() throws SQLException {
        try {
            rows.endCopy();
            try (Statement st = connection.createStatement()) {
                written = st.executeLargeUpdate(insert);
            }
        } catch (SQLException e) {
            throw ended(connection, ownTransaction, readOnlyLifted, false, e);
        }
        SQLException failed = ended(connection, ownTransaction, readOnlyLifted, true, null);
        if (failed != null) {
            throw failed;
        }
        return written;
    }

    @Override
    public void cancelCopy() throws SQLException {
        try {
            rows.cancelCopy();
        } catch (SQLException e) {
            throw ended(connection, ownTransaction, readOnlyLifted, false, e);
        }
        SQLException failed = ended(connection, ownTransaction, readOnlyLifted, false, null);
        if (failed != null) {
            throw failed;
        }
    }

    /**
     * The copy's end: its own transaction committed ({@code keep}) or rolled back, and auto-commit restored; in the
     * application's transaction, the staging table dropped unless the transaction failed (its rollback takes the table
     * with it). Returns {@code failure} with a failure here added to it, or that failure alone.
     */
    private static SQLException ended(DualwriteConnection connection, boolean ownTransaction, boolean readOnlyLifted,
                                      boolean keep, SQLException failure) {
        try {
            if (ownTransaction) {
                try {
                    if (keep) {
                        connection.commit();
                    } else {
                        connection.rollback();
                    }
                } finally {
                    connection.endOwnTransaction(readOnlyLifted);
                }
            } else if (connection.delegate.unwrap(BaseConnection.class).getTransactionState() != TransactionState.FAILED) {
                try (Statement st = connection.delegate.createStatement()) {
                    st.execute("DROP TABLE IF EXISTS " + STAGING);
                }
            }
            return failure;
        } catch (SQLException e) {
            if (failure == null) {
                return e;
            }
            failure.addSuppressed(e);
            return failure;
        }
    }

    @Override
    public int getFieldCount() {
        return rows.getFieldCount();
    }

    @Override
    public int getFormat() {
        return rows.getFormat();
    }

    @Override
    public int getFieldFormat(int field) {
        return rows.getFieldFormat(field);
    }

    @Override
    public boolean isActive() {
        return rows.isActive();
    }

    @Override
    public long getHandledRowCount() {
        return written >= 0 ? written : rows.getHandledRowCount();
    }
}
