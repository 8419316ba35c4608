package io.dualwrite.driver.jdbc;

import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.jdbc.PgResultSetMetaData;
import org.postgresql.jdbc.PreferQueryMode;
import org.postgresql.jdbc.TypeInfoCache;

/**
 * A batch that returns generated keys, under autocommit, commits as PgJDBC would commit the application's own.
 *
 * <p>PgJDBC sends such a batch under one Sync, one implicit transaction that a failing entry rolls back whole, only while
 * it can bound the size of a result row: every column's {@link TypeInfoCache#estimateMaxLength} known, and the batch's
 * estimate (250 bytes an entry plus the row) under 64,000 bytes. Otherwise it syncs after each entry, and each entry
 * commits on its own. The application's statement returns the columns it asked for; a dual write returns two hidden
 * columns more, and its value column (a DELETE's {@code NULL}, a translation's value cast to the column's type without
 * its length) has no bound. So where the application's own columns would have kept the batch in one transaction, the
 * driver runs it in one it opens and ends itself: all or nothing, every count {@code EXECUTE_FAILED} and no keys after a
 * failure, as PgJDBC reports the application's batch. Where they would not, PgJDBC syncs after each entry for both.
 */
final class KeysBatchAtomicity {

    /** PgJDBC's {@code QueryExecutorImpl}: the reply bytes it lets a batch queue before it syncs. */
    private static final int MAX_BUFFERED_RECV_BYTES = 64_000;
    /** PgJDBC's estimate of an entry's reply before its rows. */
    private static final int ENTRY_REPLY_BYTES = 250;

    /** PgJDBC's described columns behind a {@link PgResultSetMetaData}; null where this PgJDBC does not have them. */
    private static final Field FIELDS = fieldsOfMetaData();

    interface Batch<T> {
        T run() throws SQLException;
    }

    private KeysBatchAtomicity() {
    }

    /**
     * Runs {@code batch}, of {@code entries} entries of {@code delegate}, whose result ends in {@code hidden} columns the
     * application does not see.
     */
    static <T> T run(PreparedStatement delegate, int entries, int hidden, Batch<T> batch) throws SQLException {
        Connection c = delegate.getConnection();
        // the simple query protocol sends each entry on its own, the application's as the dual write's, and describes nothing
        if (!c.getAutoCommit() || c.unwrap(PGConnection.class).getPreferQueryMode() == PreferQueryMode.SIMPLE
                || !oneTransactionForTheApplication(delegate, entries, hidden)) {
            return batch.run();
        }
        c.setAutoCommit(false);
        boolean committed = false;
        try {
            T result = batch.run();
            c.commit();
            committed = true;
            return result;
        } finally {
            try {
                if (!committed) {
                    c.rollback();
                }
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** Whether PgJDBC would send the application's batch, its hidden columns left out, under one Sync. */
    private static boolean oneTransactionForTheApplication(PreparedStatement delegate, int entries, int hidden)
            throws SQLException {
        if (FIELDS == null) {
            return false;
        }
        ResultSetMetaData md;
        try {
            md = delegate.getMetaData();
        } catch (SQLException e) {
            return false; // the batch fails as it will, and as the application's would
        }
        if (md == null || !md.isWrapperFor(PgResultSetMetaData.class)) {
            return false;
        }
        org.postgresql.core.Field[] fields;
        try {
            fields = (org.postgresql.core.Field[]) FIELDS.get(md.unwrap(PgResultSetMetaData.class));
        } catch (IllegalAccessException e) {
            return false;
        }
        if (fields == null || fields.length < hidden) {
            return false;
        }
        long row = 0;
        for (int i = 0; i < fields.length - hidden; i++) {
            org.postgresql.core.Field f = fields[i];
            int length = TypeInfoCache.estimateMaxLength(f.getOID(), f.getLength(), f.getMod());
            if (length < 1 || length >= 65_535) {
                return false;
            }
            row += length;
        }
        return entries * (ENTRY_REPLY_BYTES + row) < MAX_BUFFERED_RECV_BYTES;
    }

    private static Field fieldsOfMetaData() {
        try {
            Field f = PgResultSetMetaData.class.getDeclaredField("fields");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
