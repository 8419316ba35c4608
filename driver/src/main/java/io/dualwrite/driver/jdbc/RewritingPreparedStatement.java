package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * A PreparedStatement whose SQL touches a migration. Its delegate is prepared with the SQL of the
 * phase at prepare time; before each execution it checks the phase again and, if the SQL differs,
 * prepares the new SQL and re-binds what the application bound ({@link ParameterLog}). So a phase
 * change reaches statements that were prepared before it, and never lands in the middle of one.
 */
public abstract class RewritingPreparedStatement implements PreparedStatement {

    /** Read by the generated delegating methods; replaced when the phase changes the SQL. */
    protected PreparedStatement delegate;
    private final DualwriteConnection connection;
    private final RewritePlan plan;
    private final MigrationRuntime migration;
    private final String applicationSql;
    private final PrepareOptions options;
    private final ParameterLog log = new ParameterLog();
    /** RETURNING list for generated keys (null: none), fixed at prepare time like PgJDBC's. */
    private final String returningList;
    private final ResultSets results = new ResultSets();
    private String preparedSql;
    /** Trailing columns hidden from the application in this statement's result sets (dual write with RETURNING). */
    private int hidden;

    protected RewritingPreparedStatement(DualwriteConnection connection, RewritePlan plan, MigrationRuntime migration,
                                         String applicationSql, PrepareOptions options) throws SQLException {
        this.connection = connection;
        this.plan = plan;
        this.migration = migration;
        this.applicationSql = applicationSql;
        this.options = options;
        // A statement refused in this phase is still prepared (as written, which sends nothing to
        // the server yet): the refusal comes at execution, in the phase of that moment.
        this.returningList = options.returningList(connection.delegate);
        Phase phase = connection.phaseOf(migration);
        Rewrite rewrite = returningList == null ? plan.forPhase(phase) : plan.forPhaseReturning(phase, returningList);
        this.preparedSql = rewrite instanceof Rewrite.Rewritten r ? r.sql() : applicationSql;
        this.delegate = options.prepare(connection.delegate, preparedSql);
        this.hidden = rewrite instanceof Rewrite.Rewritten r ? r.hiddenColumns() : 0;
        emulateKeys(delegate, rewrite);
    }

    ParameterLog log() {
        return log;
    }

    /** Brings the delegate to the SQL of the current phase; throws if the phase refuses the statement. */
    private void beforeExecute() throws SQLException {
        Rewrite.Rewritten rewritten = Interception.rewrite(connection, plan, migration, applicationSql, log, returningList);
        String sql = rewritten == null ? applicationSql : rewritten.sql();
        hidden = rewritten == null ? 0 : rewritten.hiddenColumns();
        if (!sql.equals(preparedSql)) {
            PreparedStatement fresh = options.prepare(connection.delegate, sql);
            try {
                emulateKeys(fresh, rewritten);
                log.replayOnto(fresh);
            } catch (SQLException | RuntimeException e) {
                fresh.close();
                throw e;
            }
            PreparedStatement old = delegate;
            delegate = fresh;
            preparedSql = sql;
            old.close();
        }
        if (sql != applicationSql) {
            migration.countExecution();
        }
    }

    /**
     * A dual write in its RETURNING form for generated keys: PgJDBC recognises only a top-level
     * RETURNING (ours is inside a CTE), so it is told, once per prepared statement, that every
     * execution returns generated keys; it then reports the rows as keys and their number as the
     * update count (per batch entry too), as for the application's statement with its own RETURNING.
     */
    private void emulateKeys(PreparedStatement prepared, Rewrite rewrite) throws SQLException {
        if (returningList != null && rewrite instanceof Rewrite.Rewritten r && r.kind() == Rewrite.Kind.DUAL_WRITE_RETURNING) {
            prepared.unwrap(org.postgresql.jdbc.PgStatement.class).wantsGeneratedKeysAlways = true;
        }
    }

    /** Counts a failure of a rewritten statement for the error-rate watch; returns it for rethrowing. */
    private SQLException failed(SQLException e) {
        if (preparedSql != applicationSql) {
            migration.countFailure(connection.database, e);
        }
        return e;
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        beforeExecute();
        try {
            return results.wrap(delegate.executeQuery(), this, hidden);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public int executeUpdate() throws SQLException {
        beforeExecute();
        try {
            return delegate.executeUpdate();
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        beforeExecute();
        try {
            return delegate.executeLargeUpdate();
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public boolean execute() throws SQLException {
        beforeExecute();
        try {
            return delegate.execute();
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public int[] executeBatch() throws SQLException {
        beforeExecute();
        try {
            return delegate.executeBatch();
        } catch (SQLException e) {
            throw failed(e);
        } finally {
            log.clearBatch();
        }
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        beforeExecute();
        try {
            return delegate.executeLargeBatch();
        } catch (SQLException e) {
            throw failed(e);
        } finally {
            log.clearBatch();
        }
    }

    @Override
    public void addBatch() throws SQLException {
        delegate.addBatch();
        log.addBatch();
    }

    @Override
    public void clearBatch() throws SQLException {
        delegate.clearBatch();
        log.clearBatch();
    }

    @Override
    public void clearParameters() throws SQLException {
        delegate.clearParameters();
        log.clearParameters();
    }

    /** The described result columns, without the hidden ones of a dual write with RETURNING. */
    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        ResultSetMetaData md = delegate.getMetaData();
        if (md == null || hidden == 0) {
            return md;
        }
        int n = md.getColumnCount();
        return n >= hidden && "dw$k".equals(md.getColumnLabel(n - hidden + 1)) ? Wrappers.hidingMetaData(md, n - hidden) : md;
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        return results.wrap(delegate.getResultSet(), this, hidden);
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        return results.wrapKeys(delegate.getGeneratedKeys(), this, hidden);
    }

    @Override
    public Connection getConnection() {
        return connection;
    }
}
