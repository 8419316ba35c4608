package io.dualwrite.driver.jdbc;

import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Token;
import org.postgresql.PGConnection;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.QueryExecutor;
import org.postgresql.core.v3.BatchedQuery;
import org.postgresql.jdbc.AutoSave;
import org.postgresql.jdbc.PreferQueryMode;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * PgJDBC's {@code reWriteBatchedInserts=true}, for a batch of the application's INSERT that dualwrite rewrites.
 * PgJDBC sends such a batch as multi-row INSERTs, one per block of entries (descending powers of two), and reports
 * each entry of a block of several as {@link Statement#SUCCESS_NO_INFO} (the block's 0 when it changed no row). A
 * block is one statement: two entries upserting one key fail it with 21000, a violation fails all its entries. A
 * rewritten INSERT is a data-modifying WITH, which PgJDBC would send entry by entry; so dualwrite forms the blocks
 * itself, with the application's text, and runs each as one statement through the driver (which rewrites it like any
 * multi-row INSERT), all in one transaction as PgJDBC's batch is.
 *
 * <p>Whether PgJDBC rewrites, and how large its blocks get, is PgJDBC's own answer: it parses the application's SQL
 * ({@link QueryExecutor#createQuery}, which leaves its statement cache alone); the block size follows
 * {@code PgPreparedStatement.transformQueriesAndParameters} (the row cap of {@code reWriteBatchedInsertsSize}, 32768,
 * and 65535 parameters a message), up to {@link #MAX_ENTRIES}. A PgJDBC without that API runs the batch entry by entry.
 */
final class InsertBlocks {

    /** PgJDBC's cap on the rows of one rewritten INSERT ({@code BatchedQuery.MAX_VALUE_BLOCK}). */
    private static final int MAX_ROWS = 1 << 15;
    /** The rows of one rewritten INSERT without parameters when no size is configured. */
    private static final int ROWS_WITHOUT_PARAMETERS = 1024;
    /** Bind parameters in one extended-protocol message. */
    private static final int MAX_PARAMETERS = 65535;
    /**
     * dualwrite's cap on a block, as older PgJDBC versions had: a translated multi-row INSERT is a data-modifying WITH
     * per row, which PostgreSQL plans in time growing faster than the rows (a 4096-row block of CONTRACTED took 2-4 s,
     * its entries one by one 0.1 s; 1,024 entries in 128-row blocks take 0.4-0.7 s, one by one 56-113 ms, README).
     * A larger PgJDBC block runs as several:
     * the same SUCCESS_NO_INFO, but a part that changed no row reports its 0s, and two entries upserting one key in
     * different parts do not fail with 21000.
     */
    private static final int MAX_ENTRIES = 128;

    /** PgJDBC sends the batch entry by entry. */
    static final InsertBlocks NONE = new InsertBlocks(1, null, 0, 0, 0, false);

    /** The most entries in one block; 1: none. */
    private final int maxBlock;
    private final String sql;
    /** The VALUES list of {@link #sql}: from its first {@code (} to the end of its last {@code )}. */
    private final int valuesStart;
    private final int valuesEnd;
    /** Parameters of one entry. */
    private final int binds;
    /**
     * {@code preferQueryMode=simple}: PgJDBC sends each block as a query of its own, so in autocommit each block commits
     * alone and the blocks after a failed one still run (in the extended protocol the batch is one implicit transaction).
     */
    private final boolean simpleQueries;

    private InsertBlocks(int maxBlock, String sql, int valuesStart, int valuesEnd, int binds, boolean simpleQueries) {
        this.maxBlock = maxBlock;
        this.sql = sql;
        this.valuesStart = valuesStart;
        this.valuesEnd = valuesEnd;
        this.binds = binds;
        this.simpleQueries = simpleQueries;
    }

    /**
     * How PgJDBC on {@code physical} would send a batch of {@code applicationSql}; {@code returning}: the application
     * asked for generated keys, for which PgJDBC appends a RETURNING list and never rewrites.
     */
    static InsertBlocks of(Connection physical, String applicationSql, boolean returning, boolean standardConformingStrings) {
        if (returning) {
            return NONE;
        }
        try {
            QueryExecutor pg = physical.unwrap(BaseConnection.class).getQueryExecutor();
            if (!pg.isReWriteBatchedInsertsEnabled()
                    || !(pg.createQuery(applicationSql, true, true).query instanceof BatchedQuery batched)) {
                return NONE;
            }
            int[] values = valuesList(applicationSql, standardConformingStrings);
            if (values == null) {
                return NONE;   // PgJDBC found a VALUES list this scan does not: keep the statement's own batch
            }
            int configured = pg.getReWriteBatchedInsertsSize();
            int rows = configured > 0 ? Math.min(configured, MAX_ROWS) : MAX_ROWS;
            int binds = batched.getBindCount();
            boolean simple = pg.getPreferQueryMode() == PreferQueryMode.SIMPLE;
            int parameters = simple ? Integer.MAX_VALUE : MAX_PARAMETERS;
            int block = binds == 0 ? Math.max(1, configured > 0 ? rows : ROWS_WITHOUT_PARAMETERS)
                    : Math.max(1, Math.min(parameters / binds, rows));
            return new InsertBlocks(Math.min(Integer.highestOneBit(block), MAX_ENTRIES), applicationSql, values[0], values[1], binds,
                    simple);
        } catch (SQLException | LinkageError e) {
            return NONE;   // not PgJDBC, or one without this API
        }
    }

    /** Whether a batch of {@code entries} goes in blocks. */
    boolean applies(int entries) {
        return maxBlock > 1 && entries > 1;
    }

    /** The entries of each block, in order, as PgJDBC forms them. */
    int[] blocks(int entries) {
        int[] out = new int[entries / maxBlock + Integer.bitCount(entries % maxBlock)];
        int left = entries;
        for (int i = 0; i < out.length; i++) {
            out[i] = left >= maxBlock ? maxBlock : Integer.highestOneBit(left);
            left -= out[i];
        }
        return out;
    }

    /** The application's INSERT with its VALUES list repeated for {@code entries} entries, as PgJDBC derives it. */
    String sqlOf(int entries) {
        if (entries == 1) {
            return sql;
        }
        String values = sql.substring(valuesStart, valuesEnd);
        StringBuilder b = new StringBuilder(sql.length() + (values.length() + 1) * (entries - 1));
        b.append(sql, 0, valuesEnd);
        for (int i = 1; i < entries; i++) {
            b.append(',').append(values);
        }
        return b.append(sql, valuesEnd, sql.length()).toString();
    }

    /**
     * Runs the batch {@code entries} in blocks on {@code connection} (the application's connection: each block is
     * rewritten there), prepared with {@code options}, with {@code settings} replayed on each block's statement.
     * Counts as PgJDBC reports them; a failure rolls back the whole batch in autocommit (PgJDBC's batch is one implicit
     * transaction) and marks every entry failed, as PgJDBC does; with simple queries in autocommit, see
     * {@link #blockByBlock}.
     */
    long[] execute(DualwriteConnection connection, PrepareOptions options, List<ParameterLog.Call[]> entries,
                   Collection<ParameterLog.Call> settings) throws SQLException {
        long[] counts = new long[entries.size()];
        boolean autoCommit = connection.getAutoCommit();
        if (autoCommit && simpleQueries) {
            return blockByBlock(connection, options, entries, settings, counts);
        }
        boolean lifted = autoCommit && connection.beginOwnTransaction();
        // autosave=always: PgJDBC takes back a failed batch, all of it, and the transaction goes on; its savepoint around
        // each block would take back only the failed block
        Savepoint batch = !autoCommit && connection.delegate.unwrap(PGConnection.class).getAutosave() == AutoSave.ALWAYS
                ? connection.setSavepoint() : null;
        int from = 0;
        try {
            for (int block : blocks(entries.size())) {
                long rows = runBlock(connection, options, entries, settings, from, block);
                Arrays.fill(counts, from, from + block, block > 1 && rows > 0 ? Statement.SUCCESS_NO_INFO : rows);
                from += block;
            }
            if (autoCommit) {
                connection.commit();
            } else if (batch != null) {
                connection.releaseSavepoint(batch);
            }
        } catch (SQLException e) {
            if (autoCommit) {
                connection.rollback();
            } else if (batch != null) {
                connection.rollback(batch);
            }
            Arrays.fill(counts, Statement.EXECUTE_FAILED);
            throw failure(from, e, counts);
        } finally {
            if (autoCommit) {
                connection.endOwnTransaction(lifted);
            }
        }
        return counts;
    }

    /**
     * Simple queries in autocommit: each block commits on its own, a failed block's entries count
     * {@link Statement#EXECUTE_FAILED} and the later blocks still run, the first failure thrown at the end with every
     * entry's count, as PgJDBC does. A refusal (0A000) stops the batch there: the blocks are alike, so it comes at the
     * first, before anything ran.
     */
    private long[] blockByBlock(DualwriteConnection connection, PrepareOptions options, List<ParameterLog.Call[]> entries,
                                Collection<ParameterLog.Call> settings, long[] counts) throws SQLException {
        SQLException first = null;
        int failedAt = 0;
        int from = 0;
        for (int block : blocks(entries.size())) {
            try {
                long rows = runBlock(connection, options, entries, settings, from, block);
                Arrays.fill(counts, from, from + block, block > 1 && rows > 0 ? Statement.SUCCESS_NO_INFO : rows);
            } catch (SQLException e) {
                if (Refusals.REFUSED_SQLSTATE.equals(e.getSQLState())) {
                    Arrays.fill(counts, from, counts.length, Statement.EXECUTE_FAILED);
                    throw failure(from, e, counts);
                }
                Arrays.fill(counts, from, from + block, Statement.EXECUTE_FAILED);
                if (first == null) {
                    first = e;
                    failedAt = from;
                } else {
                    first.setNextException(e);
                }
            }
            from += block;
        }
        if (first != null) {
            throw failure(failedAt, first, counts);
        }
        return counts;
    }

    private BatchUpdateException failure(int entry, SQLException e, long[] counts) {
        BatchUpdateException batch = new BatchUpdateException("Batch entry " + entry + " " + sqlOf(1) + " was aborted: "
                + e.getMessage() + "  Call getNextException to see other errors in the batch.", e.getSQLState(),
                e.getErrorCode(), counts, e);
        batch.setNextException(e);
        return batch;
    }

    private long runBlock(DualwriteConnection connection, PrepareOptions options, List<ParameterLog.Call[]> entries,
                          Collection<ParameterLog.Call> settings, int from, int block) throws SQLException {
        try (PreparedStatement p = options.prepare(connection, sqlOf(block))) {
            for (ParameterLog.Call setting : settings) {
                setting.replay(p);
            }
            for (int i = 0; i < block; i++) {
                for (ParameterLog.Call call : entries.get(from + i)) {
                    if (call != null) {
                        call.shifted(i * binds).replay(p);
                    }
                }
            }
            return p.executeLargeUpdate();
        }
    }

    /**
     * {@code [start, end)} of the VALUES list of an INSERT as PgJDBC reads it: from the first {@code (} after the
     * statement's VALUES to the {@code )} that closes its last row; null when there is none.
     */
    static int[] valuesList(String sql, boolean standardConformingStrings) {
        List<Token> tokens = Lexer.scan(sql, standardConformingStrings).tokens();
        int depth = 0;
        int i = 0;
        while (i < tokens.size() && !(depth == 0 && tokens.get(i).is("values"))) {
            depth += nesting(tokens.get(i));
            i++;
        }
        int start = -1;
        int end = -1;
        i = next(tokens, i + 1);
        while (i < tokens.size() && tokens.get(i).isSymbol("(")) {
            start = start < 0 ? tokens.get(i).start() : start;
            depth = 0;
            do {
                depth += nesting(tokens.get(i));
                i++;
            } while (i < tokens.size() && depth > 0);
            if (depth > 0) {
                return null;
            }
            end = tokens.get(i - 1).end();
            i = next(tokens, i);
            if (i >= tokens.size() || !tokens.get(i).isSymbol(",")) {
                break;
            }
            i = next(tokens, i + 1);
        }
        return start < 0 ? null : new int[] {start, end};
    }

    private static int nesting(Token t) {
        return t.isSymbol("(") ? 1 : t.isSymbol(")") ? -1 : 0;
    }

    private static int next(List<Token> tokens, int i) {
        while (i < tokens.size() && tokens.get(i).isTrivia()) {
            i++;
        }
        return i;
    }
}
