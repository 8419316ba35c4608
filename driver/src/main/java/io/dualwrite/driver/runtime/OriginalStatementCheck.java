package io.dualwrite.driver.runtime;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.postgresql.PGConnection;
import org.postgresql.jdbc.PreferQueryMode;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Whether the application's own statement, sent as written, fails PostgreSQL's parse analysis with the error its
 * rewrite got. An error positioned in the rewritten part of a statement ({@link RewriteFailures}) is the rewrite's
 * unless this says otherwise: a statement with too many INSERT expressions or a window function in RETURNING fails the
 * same way as written, and a fleet repeating it must not roll reads back. The statement is checked as PgJDBC sent it
 * ({@link Sent}): with the RETURNING list it appends for generated keys (a key column that does not exist fails as
 * written too) and with the types of the parameters bound (a text bound for a {@code bigint} column likewise).
 *
 * <p>The check describes the statement (Parse and Describe, never Execute) on a connection of its own, opened as the
 * application's role in a read-only session, off the application's thread: the failed statement's transaction is
 * aborted, and an error path must not wait on a new connection. Same SQLState and same message (for a grouping error
 * the SQLState alone) means the application's error; anything else (the original passes, fails otherwise, or cannot be
 * checked: a full queue, no connection, PgJDBC in simple query mode, which cannot describe) leaves the failure the
 * rewrite's, so an unsure check errs towards the rollback. Verdicts are kept per statement text and error for ten minutes, so a repeated statement is checked once.
 */
public final class OriginalStatementCheck {

    /** Checks waiting beyond this many are not made: a failure storm of distinct texts counts without them. */
    private static final int QUEUE = 32;
    private static final String SESSION = "SET default_transaction_read_only = on; SET lock_timeout = '1s';"
            + " SET statement_timeout = '5s'";

    /**
     * A grouping error names the first ungrouped column PostgreSQL meets, which may be one the rewrite put in place of the
     * application's (after grouping, the new table's read tests {@code ctid}, which fails where the column fails): its
     * SQLState alone makes it the application's.
     */
    private static final String GROUPING_ERROR = "42803";

    /**
     * The application's statement as PgJDBC sent it: its text with the RETURNING list PgJDBC appends for generated keys,
     * and its parameters, whose types (as the setters called give them, {@code types}) the server's analysis sees: bound
     * on the check's statement by {@code binder}.
     */
    public record Sent(String sql, String types, Binder binder) {

        /** A text without parameters (a Statement's). */
        public Sent(String sql) {
            this(sql, "", p -> { });
        }
    }

    /** Binds the application's parameters, as they were at the failed execution, on the check's statement. */
    @FunctionalInterface
    public interface Binder {
        void bind(PreparedStatement p) throws SQLException;
    }

    private record Key(String sql, String types, String sqlState, String message) {
    }

    private final DatabaseRuntime database;
    private final Cache<Key, Boolean> failsAsWritten = Caffeine.newBuilder()
            .maximumSize(1_000).expireAfterWrite(Duration.ofMinutes(10)).build();
    private final ThreadPoolExecutor checker = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE), r -> {
                Thread t = new Thread(r, "dualwrite-error-check");
                t.setDaemon(true);
                return t;
            });

    OriginalStatementCheck(DatabaseRuntime database) {
        this.database = database;
        checker.allowCoreThreadTimeOut(true);
    }

    /** Runs {@code rewriteFailed} unless {@code sent} as written fails PostgreSQL's analysis with {@code e}'s error. */
    void unlessFailsAsWritten(Sent sent, SQLException e, Runnable rewriteFailed) {
        Key key = new Key(sent.sql(), sent.types(), e.getSQLState(), primaryMessage(e));
        Boolean known = failsAsWritten.getIfPresent(key);
        if (known != null) {
            if (!known) {
                rewriteFailed.run();
            }
            return;
        }
        try {
            checker.execute(() -> {
                boolean alike = failsAsWritten.get(key, k -> failsAlike(k, sent.binder()));
                if (!alike) {
                    rewriteFailed.run();
                }
            });
        } catch (RejectedExecutionException full) {
            rewriteFailed.run();
        }
    }

    private boolean failsAlike(Key key, Binder binder) {
        Properties properties = new Properties();
        properties.putAll(database.connectProperties());
        properties.setProperty("ApplicationName", "dualwrite error check");
        try (Connection c = PgConnect.connect(database.pgUrl(), properties)) {
            if (c == null || c.unwrap(PGConnection.class).getPreferQueryMode() == PreferQueryMode.SIMPLE) {
                return false;
            }
            try (Statement s = c.createStatement()) {
                s.execute(SESSION);
            }
            try (PreparedStatement p = c.prepareStatement(key.sql())) {
                binder.bind(p); // their types are in the Parse: a value of the wrong type fails as it did
                p.getParameterMetaData(); // Parse and Describe only
                return false;
            } catch (SQLException asWritten) {
                return Objects.equals(asWritten.getSQLState(), key.sqlState())
                        && (GROUPING_ERROR.equals(key.sqlState()) || Objects.equals(primaryMessage(asWritten), key.message()));
            }
        } catch (SQLException | RuntimeException unchecked) {
            return false;
        }
    }

    /** The server's primary message: PgJDBC's own message adds the position, which the rewrite moved. */
    private static String primaryMessage(SQLException e) {
        ServerErrorMessage m = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
        return m != null ? m.getMessage() : e.getMessage();
    }
}
