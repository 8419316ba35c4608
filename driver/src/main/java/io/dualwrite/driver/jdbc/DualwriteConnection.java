package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.ConnectionPins;
import io.dualwrite.driver.runtime.DatabaseRuntime;
import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.RewritePlan;
import org.postgresql.PGConnection;
import org.postgresql.core.BaseConnection;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Savepoint;
import java.sql.SQLException;
import java.sql.Statement;
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
    /** Descriptions of the old columns' recorded types, for the metadata of translated statements. */
    final RecordedTypes recordedTypes;

    private final AtomicBoolean closed = new AtomicBoolean();

    protected DualwriteConnection(Connection delegate, DatabaseRuntime database) throws SQLException {
        this.delegate = delegate;
        this.database = database;
        BaseConnection pg = delegate.unwrap(BaseConnection.class);
        this.backendPid = pg.getBackendPID();
        this.pins = new TransactionPins(pg.getQueryExecutor());
        this.searchPath = new SearchPathWatch(delegate);
        this.planAssumptions = new PlanAssumptions(delegate, searchPath);
        this.namedPrepared = new NamedPreparedStatements(this);
        this.recordedTypes = new RecordedTypes(delegate);
        this.plainReads = new PlainReadMetaData(delegate, recordedTypes);
        this.plannedWith = database.migrations();
        RoutedCopyManager.install(pg, this);
        database.connectionOpened(this);
    }

    /** The migrations known when this connection opened: its pass-through PreparedStatements were planned with them or later. */
    private final DatabaseRuntime.Migrations plannedWith;

    /**
     * Before a pass-through PreparedStatement runs: two field reads, unless the migrations changed since this connection
     * opened or the session prepares statements by name ({@link NamedPreparedStatements}: this one may, or run EXECUTE).
     */
    final void requirePlanned(PreparedStatement statement) throws SQLException {
        if (database.migrations() != plannedWith) {
            StalePreparedStatements.check(this, statement);
        }
        if (namedPrepared.watchesPreparedStatements()) {
            namedPrepared.running(StalePreparedStatements.sqlOf(statement));
        }
    }

    /** The transaction's pins ({@link TransactionPins}); the pipeline's pin step and the follower read them. */
    final TransactionPins pins;
    /** Where this session's unqualified names lead ({@link SearchPathWatch}). */
    final SearchPathWatch searchPath;
    /** Whether the relations a plan took to lack a migrated column do in this session ({@link PlanAssumptions}). */
    final PlanAssumptions planAssumptions;
    /** The session's statements prepared by name ({@code PREPARE name AS …}), checked when executed. */
    final NamedPreparedStatements namedPrepared;
    private final int backendPid;

    /**
     * The phase this connection applies to a migration now: the live one, or the one its transaction
     * started in. Only {@link StatementPipeline}'s pin step asks.
     */
    Phase phaseOf(MigrationRuntime migration) {
        return pins.phaseOf(migration);
    }

    /** The phase to prepare a statement in (nothing runs yet, so nothing is pinned). */
    Phase phaseToPrepare(MigrationRuntime migration) {
        Phase pinned = pins.pinnedPhase(migration);
        return pinned != null ? pinned : migration.phase();
    }

    @Override
    public Phase pinnedPhase(MigrationRuntime migration) {
        return pins.pinnedPhase(migration);
    }

    @Override
    public int backendPid() {
        return backendPid;
    }

    @Override
    public long activity() {
        return pins.activity();
    }

    @Override
    public void release(long activity) {
        pins.release(activity);
    }

    /**
     * Turns autocommit off for one call of the application's that the driver runs as several statements (a batch in
     * blocks, a staged COPY), in a transaction as writable as the call would have been: with PgJDBC's {@code readOnly} in
     * its default {@code readOnlyMode=transaction}, PgJDBC begins transactions READ ONLY but leaves autocommit statements
     * alone, so that is lifted here (not where the session itself is read-only, {@code readOnlyMode=always}). Returns
     * whether it was, for {@link #endOwnTransaction}.
     */
    boolean beginOwnTransaction() throws SQLException {
        boolean lift = delegate.isReadOnly()
                && !"on".equals(delegate.unwrap(PGConnection.class).getParameterStatus("default_transaction_read_only"));
        if (lift) {
            delegate.setReadOnly(false);
        }
        setAutoCommit(false);
        return lift;
    }

    /** Back to autocommit after {@link #beginOwnTransaction}, and to {@code readOnly} if it was lifted. */
    void endOwnTransaction(boolean lifted) throws SQLException {
        try {
            setAutoCommit(true);
        } finally {
            if (lifted) {
                delegate.setReadOnly(true);
            }
        }
    }

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        try {
            delegate.setAutoCommit(autoCommit);
        } finally {
            ended();
        }
    }

    @Override
    public void commit() throws SQLException {
        try {
            delegate.commit();
        } finally {
            ended();
        }
    }

    @Override
    public void rollback() throws SQLException {
        try {
            delegate.rollback();
        } finally {
            ended();
        }
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        try {
            delegate.rollback(savepoint);
        } finally {
            searchPath.rolledBack();
        }
    }

    @Override
    public void setSchema(String schema) throws SQLException {
        try {
            delegate.setSchema(schema);
        } finally {
            searchPath.changed();
        }
    }

    private void ended() {
        pins.endedMaybe();
        if (!pins.inTransaction()) {
            searchPath.transactionEnded();
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
        RewritePlan plan = planToPrepare(sql);
        return plan == null ? Wrappers.preparedStatement(delegate.prepareStatement(sql), this)
                : rewriting(plan, sql, PrepareOptions.DEFAULT);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        RewritePlan plan = planToPrepare(sql, resultSetConcurrency);
        return plan == null ? Wrappers.preparedStatement(delegate.prepareStatement(sql, resultSetType, resultSetConcurrency), this)
                : rewriting(plan, sql, PrepareOptions.cursor(resultSetType, resultSetConcurrency));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        RewritePlan plan = planToPrepare(sql, resultSetConcurrency);
        return plan == null
                ? Wrappers.preparedStatement(delegate.prepareStatement(sql, resultSetType, resultSetConcurrency, resultSetHoldability), this)
                : rewriting(plan, sql, PrepareOptions.cursor(resultSetType, resultSetConcurrency, resultSetHoldability));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        RewritePlan plan = planToPrepare(sql);
        return plan == null ? Wrappers.preparedStatement(delegate.prepareStatement(sql, autoGeneratedKeys), this)
                : rewriting(plan, sql, PrepareOptions.generatedKeys(autoGeneratedKeys));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        RewritePlan plan = planToPrepare(sql);
        return plan == null ? Wrappers.preparedStatement(delegate.prepareStatement(sql, columnIndexes), this)
                : rewriting(plan, sql, PrepareOptions.keyColumns(columnIndexes));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        RewritePlan plan = planToPrepare(sql);
        return plan == null ? Wrappers.preparedStatement(delegate.prepareStatement(sql, columnNames), this)
                : rewriting(plan, sql, PrepareOptions.keyColumns(columnNames));
    }

    /**
     * The plan of a statement being prepared, or null when PgJDBC's own statement runs it: then the
     * search_path watch is told (PgJDBC will run it unseen) and a statement naming, unqualified, a
     * migration outside public that the session's path leads to is refused now.
     */
    private RewritePlan planToPrepare(String sql) throws SQLException {
        namedPrepared.preparing(sql);
        RewritePlan plan = StatementPlans.rooted(this, StatementPlans.of(this, sql));
        if (plan == null && !database.migrations().isEmpty()) {
            searchPath.prepared(sql);
            Refusals.requireSeen(this, sql);
        }
        return plan;
    }

    /**
     * {@link #planToPrepare(String)}; for an updatable result set of a statement that names a migrated table, a plan even
     * when it passes through, so that its result sets get the guard ({@link UpdatableResultSet}).
     */
    private RewritePlan planToPrepare(String sql, int resultSetConcurrency) throws SQLException {
        RewritePlan plan = planToPrepare(sql);
        if (plan == null && resultSetConcurrency == ResultSet.CONCUR_UPDATABLE) {
            MigrationRuntime named = database.migrations().namedBy(sql);
            return named == null ? null : RewritePlan.passingThrough(named.spec());
        }
        return plan;
    }

    private PreparedStatement rewriting(RewritePlan plan, String sql, PrepareOptions options) throws SQLException {
        return Wrappers.rewritingPreparedStatement(this, plan, database.migrations().runtimeOf(plan.migration()), sql, options);
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        RewritePlan plan = planToPrepare(sql);
        return plan == null ? Wrappers.callableStatement(delegate.prepareCall(sql), this)
                : rewritingCall(plan, sql, PrepareOptions.CALL);
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        RewritePlan plan = planToPrepare(sql, resultSetConcurrency);
        return plan == null ? Wrappers.callableStatement(delegate.prepareCall(sql, resultSetType, resultSetConcurrency), this)
                : rewritingCall(plan, sql, PrepareOptions.call(resultSetType, resultSetConcurrency));
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        RewritePlan plan = planToPrepare(sql, resultSetConcurrency);
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
