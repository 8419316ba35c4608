package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import org.postgresql.PGConnection;
import org.postgresql.jdbc.PgResultSetMetaData;
import org.postgresql.jdbc.PreferQueryMode;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result-set metadata of the application's own read, as PostgreSQL describes it, for a read
 * that READ_NEW rewrote. The rewrite reads the column through a subquery on the new table, and
 * PostgreSQL reports no origin for a subquery: PgJDBC would then answer table "", base column "",
 * nullable "unknown" where the plain read says {@code users}, {@code email}, nullable. The old
 * column still exists while reads come from the new table, so describing the application's text
 * (Parse and Describe, nothing executed) gives exactly what the plain read reports. The same for the
 * rows of a multi-row translation, described by the text the rewrite names
 * ({@link io.dualwrite.rewriter.Rewrite.Rewritten#describedBy}).
 *
 * <p>One round trip the first time an application asks a rewritten read's metadata for a text,
 * then cached per connection (the PgJDBC object, which caches the catalog answers itself).
 * Not described: a Statement's text with a {@code ?} (PgJDBC would take it for a parameter when
 * preparing it); a text of several statements (PgJDBC describes only the first, which need not be the
 * one whose result this is); a text whose columns are not the result's (a cursor's FETCH, a write whose
 * generated keys these are); every text on a connection in {@code preferQueryMode=simple}, where PgJDBC
 * sends a describe as a query and so would run the application's statements a second time; and a text
 * PostgreSQL cannot describe now (an aborted transaction). Those are answered as a translation's
 * ({@link TranslatedColumns}: the columns the rewriter says have the old column as origin, from its
 * record), every other column as received.
 */
final class PlainReadMetaData {

    private static final int CACHED_TEXTS = 256;

    private final Connection physical;
    private final RecordedTypes types;
    /** Null until the first look: then whether this connection may describe (not in simple query mode). */
    private Boolean describes;
    private final Map<String, PgResultSetMetaData> described = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PgResultSetMetaData> eldest) {
            return size() > CACHED_TEXTS;
        }
    };

    PlainReadMetaData(Connection physical, RecordedTypes types) {
        this.physical = physical;
        this.types = types;
    }

    /**
     * The application's metadata for {@code rewritten}, the metadata of the rewritten read. Where the
     * application's text cannot be described or does not describe the same columns (one of several
     * statements in a string): {@code rewritten} answered for the old column from its record as a
     * translation's ({@link TranslatedResultSet#of}), or {@code rewritten} itself when {@code migration} is null.
     *
     * @param prepared  the text is a PreparedStatement's, whose {@code ?} are parameters
     * @param migration the migration whose column the rewrite reads from the new table, or null
     * @param origins   the rewrite's {@link Rewrite.Rewritten#origins}
     */
    ResultSetMetaData of(String applicationSql, boolean prepared, ResultSetMetaData rewritten,
                         MigrationRuntime migration, Rewrite.Origins origins) throws SQLException {
        ResultSetMetaData described = described(applicationSql, prepared, rewritten);
        return described != rewritten || migration == null ? described
                : TranslatedResultSet.of(rewritten, types, migration, origins);
    }

    private synchronized ResultSetMetaData described(String applicationSql, boolean prepared, ResultSetMetaData rewritten)
            throws SQLException {
        if (!prepared && applicationSql.indexOf('?') >= 0 || !describes()) {
            return rewritten;
        }
        PgResultSetMetaData plain = described.get(applicationSql);
        if (plain == null) {
            if (Statements.split(Lexer.tokenize(applicationSql)).size() > 1) {
                return rewritten;
            }
            try (PreparedStatement p = physical.prepareStatement(applicationSql)) {
                ResultSetMetaData md = p.getMetaData();
                if (md == null || !md.isWrapperFor(PgResultSetMetaData.class)) {
                    return rewritten;
                }
                plain = md.unwrap(PgResultSetMetaData.class);
            } catch (SQLException e) {
                return rewritten;
            }
            described.put(applicationSql, plain);
        }
        return sameColumns(plain, rewritten) ? Wrappers.plainReadColumns(plain, rewritten) : rewritten;
    }

    private boolean describes() throws SQLException {
        if (describes == null) {
            describes = physical.unwrap(PGConnection.class).getPreferQueryMode() != PreferQueryMode.SIMPLE;
        }
        return describes;
    }

    private static boolean sameColumns(ResultSetMetaData a, ResultSetMetaData b) throws SQLException {
        int n = a.getColumnCount();
        if (n != b.getColumnCount()) {
            return false;
        }
        for (int i = 1; i <= n; i++) {
            if (!a.getColumnLabel(i).equals(b.getColumnLabel(i))) {
                return false;
            }
        }
        return true;
    }
}
