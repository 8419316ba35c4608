package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.ConnectionPins;
import io.dualwrite.driver.runtime.DatabaseRuntime;
import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.RewritePlan;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The application's connection. Only the methods that create statements are written here; every
 * other {@link Connection} method is generated once, at class-init, as a direct call on
 * {@link #delegate} (see {@link Wrappers}).
 */
public abstract class DualwriteConnection implements Connection, ConnectionPins {

    protected final Connection delegate;
    final DatabaseRuntime database;
    /** Metadata of the application's reads that READ_NEW rewrote. */
    final PlainReadMetaData plainReads;

    private final AtomicBoolean closed = new AtomicBoolean();

    protected DualwriteConnection(Connection delegate, DatabaseRuntime database) throws SQLException {
        this.delegate = delegate;
        this.database = database;
        this.plainReads = new PlainReadMetaData(delegate);
        this.autoCommit = delegate.getAutoCommit();
        database.connectionOpened(this);
    }

    /*
     * Transaction pinning: a transaction runs all its statements in the phase of its first one, so
     * no transaction writes one side only because the phase changed half-way. Pins are dropped at
     * commit, rollback and when auto-commit is switched; the follower acknowledges a new phase
     * only once no open transaction is pinned to an older one (DatabaseRuntime#appliedPhase).
     * Transactions driven by SQL text (BEGIN/COMMIT statements) are not seen here.
     */
    private boolean autoCommit = true;
    private volatile MigrationRuntime pinnedMigration;
    private volatile Phase pinnedPhase;
    private Map<MigrationRuntime, Phase> morePins;

    /**
     * The phase this connection applies to a migration now: the live one, or the one its transaction
     * started in. Only {@link StatementPipeline}'s pin step asks.
     */
    Phase phaseOf(MigrationRuntime migration) {
        if (autoCommit) {
            return migration.phase();
        }
        if (pinnedMigration == migration) {
            return pinnedPhase;
        }
        if (pinnedMigration == null) {
            Phase phase = migration.phase();
            pinnedPhase = phase;
            pinnedMigration = migration;
            // the follower writes the phase, then reads the pins; this writes the pin, then reads the phase again
            // (all volatile): either the follower sees this pin, or this sees the new phase and runs in it
            Phase again = migration.phase();
            if (again != phase) {
                pinnedPhase = again;
                phase = again;
            }
            return phase;
        }
        if (morePins == null) {
            morePins = new HashMap<>();
        }
        return morePins.computeIfAbsent(migration, MigrationRuntime::phase);
    }

    @Override
    public Phase pinnedPhase(MigrationRuntime migration) {
        if (pinnedMigration == migration) {
            return pinnedPhase;
        }
        Map<MigrationRuntime, Phase> more = morePins;
        return more == null ? null : more.get(migration);
    }

    private void unpin() {
        pinnedMigration = null;
        pinnedPhase = null;
        morePins = null;
    }

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        delegate.setAutoCommit(autoCommit);
        this.autoCommit = autoCommit;
        unpin();
    }

    @Override
    public void commit() throws SQLException {
        try {
            delegate.commit();
        } finally {
            unpin();
        }
    }

    @Override
    public void rollback() throws SQLException {
        try {
            delegate.rollback();
        } finally {
            unpin();
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            delegate.close();
        } finally {
            if (closed.compareAndSet(false, true)) {
                database.connectionClosed(this);
            }
        }
    }

    /** Wraps a PgJDBC connection to a database whose control schema {@code database} reflects. */
    public static Connection wrap(Connection physical, DatabaseRuntime database) throws SQLException {
        return Wrappers.connection(physical, database);
    }

    @Override
    public Statement createStatement() throws SQLException {
        return Wrappers.statement(delegate.createStatement(), this);
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        return Wrappers.statement(delegate.createStatement(resultSetType, resultSetConcurrency), this);
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
        return Wrappers.statement(delegate.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability), this);
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        RewritePlan plan = StatementPipeline.plan(database, sql);
        return plan == null ? Wrappers.preparedStatement(delegate.prepareStatement(sql), this)
                : rewriting(plan, sql, PrepareOptions.DEFAULT);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        RewritePlan plan = StatementPipeline.plan(database, sql);
        return plan == null ? Wrappers.preparedStatement(delegate.prepareStatement(sql, resultSetType, resultSetConcurrency), this)
                : rewriting(plan, sql, PrepareOptions.cursor(resultSetType, resultSetConcurrency));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        RewritePlan plan = StatementPipeline.plan(database, sql);
        return plan == null
                ? Wrappers.preparedStatement(delegate.prepareStatement(sql, resultSetType, resultSetConcurrency, resultSetHoldability), this)
                : rewriting(plan, sql, PrepareOptions.cursor(resultSetType, resultSetConcurrency, resultSetHoldability));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        RewritePlan plan = StatementPipeline.plan(database, sql);
        return plan == null ? Wrappers.preparedStatement(delegate.prepareStatement(sql, autoGeneratedKeys), this)
                : rewriting(plan, sql, PrepareOptions.generatedKeys(autoGeneratedKeys));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        RewritePlan plan = StatementPipeline.plan(database, sql);
        return plan == null ? Wrappers.preparedStatement(delegate.prepareStatement(sql, columnIndexes), this)
                : rewriting(plan, sql, PrepareOptions.keyColumns(columnIndexes));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        RewritePlan plan = StatementPipeline.plan(database, sql);
        return plan == null ? Wrappers.preparedStatement(delegate.prepareStatement(sql, columnNames), this)
                : rewriting(plan, sql, PrepareOptions.keyColumns(columnNames));
    }

    private PreparedStatement rewriting(RewritePlan plan, String sql, PrepareOptions options) throws SQLException {
        return Wrappers.rewritingPreparedStatement(this, plan, database.migrations().runtimeOf(plan.migration()), sql, options);
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        RewritePlan plan = StatementPipeline.plan(database, sql);
        return plan == null ? Wrappers.callableStatement(delegate.prepareCall(sql), this)
                : rewritingCall(plan, sql, PrepareOptions.CALL);
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        RewritePlan plan = StatementPipeline.plan(database, sql);
        return plan == null ? Wrappers.callableStatement(delegate.prepareCall(sql, resultSetType, resultSetConcurrency), this)
                : rewritingCall(plan, sql, PrepareOptions.call(resultSetType, resultSetConcurrency));
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        RewritePlan plan = StatementPipeline.plan(database, sql);
        return plan == null
                ? Wrappers.callableStatement(delegate.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability), this)
                : rewritingCall(plan, sql, PrepareOptions.call(resultSetType, resultSetConcurrency, resultSetHoldability));
    }

    private CallableStatement rewritingCall(RewritePlan plan, String sql, PrepareOptions options) throws SQLException {
        return Wrappers.rewritingCallableStatement(this, plan, database.migrations().runtimeOf(plan.migration()), sql, options);
    }

    /** Metadata whose {@code getConnection()} is this wrapper. */
    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        return Wrappers.databaseMetaData(delegate.getMetaData(), this);
    }
}
