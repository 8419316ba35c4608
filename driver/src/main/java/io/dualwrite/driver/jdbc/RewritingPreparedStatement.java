package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.DatabaseRuntime;
import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * A PreparedStatement whose SQL touches a migration. Its delegate is prepared with the SQL of the
 * phase at prepare time; every execution goes through {@link StatementPipeline#prepared}, which
 * checks the phase again and, if the SQL differs, has this statement prepare the new SQL and bind
 * again what the application bound ({@link ParameterLog}, which keeps what was bound, not what
 * the application may have changed or consumed since). So a phase change reaches statements that
 * were prepared before it, and never lands in the middle of one.
 */
public abstract class RewritingPreparedStatement implements PreparedStatement {

    /** Read by the generated delegating methods; replaced when the phase changes the SQL. */
    protected PreparedStatement delegate;
    /**
     * Read by the generated parameter setters: the delegate itself, or, while its SQL moves or
     * repeats the application's parameters, a {@link ParameterFanOut} over it.
     */
    protected PreparedStatement parameters;
    private final DualwriteConnection connection;
    /** Final but for a statement that other migrations rewrite too ({@link #followRewritingMigration}). */
    RewritePlan plan;
    MigrationRuntime migration;
    final String applicationSql;
    /** RETURNING list for generated keys (null: none), fixed at prepare time like PgJDBC's. */
    final String returningList;
    /** It names the migrated table, not the column ({@link RewritePlan#passingThrough}): see {@link UpdatableResultSet}. */
    final boolean rowsOnly;
    private final PrepareOptions options;
    private final ParameterLog log = new ParameterLog();
    private final StatementPipeline pipeline;
    private String preparedSql;
    /** The parameter map of {@link #preparedSql} ({@code Rewrite.Rewritten#parameterSources}); null: the application's markers. */
    private int[] parameterSources;
    /** The phase {@link #preparedSql} was chosen in. */
    private Phase preparedPhase;
    /** The migrations {@link #plan} was made with, or later ones that plan this text the same way in every phase. */
    private DatabaseRuntime.Migrations plannedWith;
    /** How PgJDBC would send a batch of {@link #applicationSql}; null until the first batch asks. */
    private InsertBlocks insertBlocks;

    protected RewritingPreparedStatement(DualwriteConnection connection, RewritePlan plan, MigrationRuntime migration,
                                         String applicationSql, PrepareOptions options) throws SQLException {
        this.connection = connection;
        this.plannedWith = connection.database.migrations();
        this.plan = plan;
        this.migration = migration;
        this.applicationSql = applicationSql;
        this.options = options;
        this.returningList = options.returningList(connection.delegate);
        this.rowsOnly = plan.passesThroughEverywhere();
        this.pipeline = new StatementPipeline(connection, this);
        this.preparedPhase = connection.phaseToPrepare(migration);
        Rewrite.Rewritten rewrite = pipeline.preparing(plan, migration, preparedPhase, applicationSql, returningList);
        this.preparedSql = rewrite == null ? applicationSql : rewrite.sql();
        this.parameterSources = rewrite == null ? null : rewrite.parameterSources();
        this.delegate = options.prepare(connection.delegate, preparedSql);
        this.parameters = parameterTarget(delegate, parameterSources);
    }

    /**
     * A statement that the tables of several migrations name runs as the one that rewrites it in the phases of this
     * instant ({@link StatementPlans#rooted}), as it would be if prepared now: a phase change can move it from one to
     * the other. Nothing to do for any other statement.
     */
    void followRewritingMigration() {
        if (plan.alsoRewrittenBy().isEmpty()) {
            return;
        }
        RewritePlan rooted = StatementPlans.rooted(connection, plan, returningList);
        if (rooted != plan) {
            plan = rooted;
            migration = connection.database.migrations().runtimeOf(rooted.migration());
            preparedPhase = null;   // a phase of the other migration: the next description takes the form anew
        }
    }

    /**
     * When the driver's migrations changed since this statement was planned (a BEFORE trigger added to the table changes
     * how a dual write syncs, a migration registered or dropped): the text is planned again, and if that plan differs
     * in {@code phase} the execution is refused (0A000) rather than run by the outdated plan
     * ({@link StalePreparedStatements}). A plan the same in every phase is taken as current from then on.
     */
    void requirePlanned(Phase phase) throws SQLException {
        DatabaseRuntime.Migrations now = connection.database.migrations();
        if (now == plannedWith) {
            return;
        }
        RewritePlan today = StatementPlans.of(connection, applicationSql);
        if (today != null) {
            today = today.rootedAt(plan.migration());   // compared in the phases of the migration it runs as
        }
        boolean same = true;
        for (Phase p : Phase.values()) {
            if (!rewriteOf(today, p).equals(rewriteOf(plan, p))) {
                if (p == phase) {
                    throw StalePreparedStatements.refused(applicationSql, phase, migration);
                }
                same = false;
            }
        }
        if (same) {
            plannedWith = now;
        }
    }

    /** {@code p}'s rewrite in {@code phase}, its generated-keys form when this statement returns keys. */
    Rewrite rewriteOf(RewritePlan p, Phase phase) {
        if (p == null) {
            return Rewrite.PASS_THROUGH;
        }
        return returningList == null ? p.forPhase(phase) : p.forPhaseReturning(phase, returningList);
    }

    /** Where the application's parameter setters bind on {@code statement}, prepared with SQL of that parameter map. */
    private static PreparedStatement parameterTarget(PreparedStatement statement, int[] sources) {
        return sources == null ? statement : Wrappers.parameterFanOut(statement, ParameterFanOut.markersOf(sources));
    }

    ParameterLog log() {
        return log;
    }


    /** A parameter setter whose values may change or be consumed after the call: binds a snapshot (see {@link Wrappers.Recorder}). */
    void bind(Method setter, Object[] args) throws SQLException {
        log.bind(setter, args, parameters);
    }

    /**
     * Brings the delegate to the SQL of {@code rewrite} (null: the application's): prepared anew,
     * with what the application bound, through the rewrite's parameter map, when the phase changed it.
     */
    PreparedStatement rebind(Rewrite.Rewritten rewrite, Phase phase) throws SQLException {
        preparedPhase = phase;
        String sql = rewrite == null ? applicationSql : rewrite.sql();
        int[] sources = rewrite == null ? null : rewrite.parameterSources();
        if (!sql.equals(preparedSql) || !Arrays.equals(sources, parameterSources)) {
            PreparedStatement fresh = options.prepare(connection.delegate, sql);
            PreparedStatement freshParameters = parameterTarget(fresh, sources);
            try {
                log.replayOnto(fresh, freshParameters);
            } catch (SQLException | RuntimeException e) {
                fresh.close();
                throw e;
            }
            PreparedStatement old = delegate;
            if (old.isCloseOnCompletion()) {
                fresh.closeOnCompletion();
            }
            delegate = fresh;
            parameters = freshParameters;
            preparedSql = sql;
            parameterSources = sources;
            old.close();
        }
        return delegate;
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        return pipeline.results(pipeline.prepared(this, (p, sql, keys) -> p.executeQuery()));
    }

    @Override
    public int executeUpdate() throws SQLException {
        return pipeline.prepared(this, (p, sql, keys) -> p.executeUpdate());
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        return pipeline.prepared(this, (p, sql, keys) -> p.executeLargeUpdate());
    }

    @Override
    public boolean execute() throws SQLException {
        return pipeline.prepared(this, (p, sql, keys) -> p.execute());
    }

    @Override
    public int[] executeBatch() throws SQLException {
        try {
            InsertBlocks blocks = insertBlocks();
            if (runsInBlocks(blocks)) {
                long[] counts = inBlocks(blocks);
                int[] out = new int[counts.length];
                for (int i = 0; i < counts.length; i++) {
                    out[i] = (int) counts[i];   // an entry's count: its block's 0, -2 or -3, or its own row count
                }
                return out;
            }
            return pipeline.prepared(this, (p, sql, keys) -> p.executeBatch());
        } finally {
            log.clearBatch();
        }
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        try {
            InsertBlocks blocks = insertBlocks();
            if (runsInBlocks(blocks)) {
                return inBlocks(blocks);
            }
            return pipeline.prepared(this, (p, sql, keys) -> p.executeLargeBatch());
        } finally {
            log.clearBatch();
        }
    }

    /**
     * Whether this batch runs in {@link InsertBlocks}: PgJDBC would send it in blocks and the phase of this instant
     * rewrites the statement (where it does not, the delegate runs the application's text, which PgJDBC blocks itself).
     */
    private boolean runsInBlocks(InsertBlocks blocks) throws SQLException {
        followRewritingMigration();
        return blocks.applies(log.batchEntries().size()) && !delegate.isClosed()
                && plan.forPhase(connection.phaseToPrepare(migration)) instanceof Rewrite.Rewritten;
    }

    /** The batch as PgJDBC's {@code reWriteBatchedInserts} sends the application's INSERT ({@link InsertBlocks}). */
    private long[] inBlocks(InsertBlocks blocks) throws SQLException {
        try {
            return blocks.execute(connection, options, log.batchEntries(), log.settings());
        } finally {
            delegate.clearBatch();
        }
    }

    /** How PgJDBC would send a batch of the application's SQL; computed at the first batch. */
    private InsertBlocks insertBlocks() throws SQLException {
        if (insertBlocks == null) {
            insertBlocks = InsertBlocks.of(connection.delegate, applicationSql, returningList != null || options.columnIndexes() != null,
                    StatementPlans.standardConformingStrings(connection.delegate));
        }
        return insertBlocks;
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

    /** The application's parameters: where its SQL's markers were moved or repeated, each answered by its first marker. */
    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        Form now = describing();
        if (now == null || held(now)) {
            ParameterMetaData md = delegate.getParameterMetaData();
            return parameters instanceof ParameterFanOut fanOut ? new MovedParameterMetaData(md, fanOut) : md;
        }
        try (PreparedStatement described = options.prepare(connection.delegate, now.sql())) {
            ParameterMetaData md = described.getParameterMetaData();
            return parameterTarget(described, now.parameterSources()) instanceof ParameterFanOut fanOut
                    ? new MovedParameterMetaData(md, fanOut) : md;
        }
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        Form now = describing();
        if (now == null || held(now)) {
            return pipeline.metaData(this, preparedSql, now == null ? preparedPhase : now.phase(), delegate.getMetaData());
        }
        try (PreparedStatement described = options.prepare(connection.delegate, now.sql())) {
            return pipeline.metaData(this, now.sql(), now.phase(), described.getMetaData());
        }
    }

    /** The form a statement is described in: its SQL, parameter map and phase. */
    private record Form(String sql, int[] parameterSources, Phase phase) {
    }

    /**
     * The form to describe this statement in ({@code getMetaData}, {@code getParameterMetaData}): the one of the phase of
     * this instant, null when that is the phase it was prepared in. A form prepared in an earlier phase may name a column
     * that is gone since, and PostgreSQL's error would abort the application's transaction; a statement refused now is
     * refused here as at execution. Not counted: nothing runs.
     */
    private Form describing() throws SQLException {
        followRewritingMigration();
        Phase phase = connection.phaseToPrepare(migration);
        if (phase == preparedPhase) {
            return null;
        }
        Rewrite r = returningList == null ? plan.forPhase(phase) : plan.forPhaseReturning(phase, returningList);
        if (r instanceof Rewrite.Rejected rejected) {
            throw Refusals.refused(rejected.reason(), phase, migration);
        }
        Rewrite.Rewritten w = log.formFor(r instanceof Rewrite.Rewritten rewritten ? rewritten : null);
        return new Form(w == null ? applicationSql : w.sql(), w == null ? null : w.parameterSources(), phase);
    }

    /**
     * Whether the delegate holds {@code form}'s SQL. If not, the form is described by a statement of its own, prepared for
     * that alone: re-preparing the delegate would close its open result set and lose its update count.
     */
    private boolean held(Form form) {
        return form.sql().equals(preparedSql) && Arrays.equals(form.parameterSources(), parameterSources);
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        return pipeline.results(delegate.getResultSet());
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        return pipeline.keys(delegate.getGeneratedKeys());
    }

    @Override
    public Connection getConnection() {
        return connection;
    }

    /**
     * What PgJDBC prints for the application's statement: its SQL with the values bound inlined (a pending batch's
     * entries, as PgJDBC prints them). Where this phase sends the application's SQL as written, the delegate's own
     * print; otherwise the print of a PgJDBC statement prepared with the application's SQL (client-side only: PgJDBC
     * parses, nothing reaches the server) and bound again from {@link ParameterLog}, as {@link BatchFailures#rendered}
     * does for a batch entry, then closed. The application's SQL, not the one sent: it is what its author wrote and
     * searches the code for, what a logger or ORM printing statements shows on plain PgJDBC, and the same in every
     * phase, where the SQL sent changes with the phase and a parameter may sit at another marker, or at several.
     * The SQL sent is the print of {@code unwrap(PGStatement.class)}. Made only when asked: nothing per execution.
     * Where it cannot be made (the connection closed, a value that does not bind again), the application's SQL as written.
     */
    @Override
    public String toString() {
        if (preparedSql.equals(applicationSql) && parameterSources == null) {
            return delegate.toString();
        }
        try (PreparedStatement printed = options.prepare(connection.delegate, applicationSql)) {
            log.replayOnto(printed, printed);   // batch entries too: PgJDBC prints a pending batch's entries
            return printed.toString();
        } catch (SQLException | RuntimeException e) {
            return applicationSql;
        }
    }
}
