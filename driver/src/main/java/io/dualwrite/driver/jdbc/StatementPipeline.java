package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.driver.runtime.OriginalStatementCheck;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import io.dualwrite.rewriter.rewrite.DualWriteForm;
import org.postgresql.jdbc.PgStatement;

import java.sql.BatchUpdateException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static io.dualwrite.control.phase.PhaseTransitions.Operation.SHADOW_READS;

/**
 * The one interception seam: every statement the application runs (Statement, PreparedStatement,
 * CallableStatement, their batches, with or without generated keys) reaches PostgreSQL through
 * these steps, in this order:
 * <ol>
 *   <li>{@link #plan plan}: does the SQL touch a migration? One plan-cache lookup; when it does
 *       not, the statement passes through and no other step runs (for a prepared statement this
 *       is decided once, when it is prepared);</li>
 *   <li>{@link #pin pin}: the phase this connection applies (the live one, or its transaction's); while
 *       this instance does not know the phase, a statement that could run in a phase the fleet left is
 *       refused ({@link Refusals#requireKnown});</li>
 *   <li>{@link #sample sample}: in DUAL_WRITE with shadow reads on, a sample of the reads READ_NEW
 *       would rewrite is compared, old form against new ({@link ShadowRead});</li>
 *   <li>{@link #rewrite rewrite}: the SQL of that phase, counted; a refusal throws here, before
 *       anything reached the database (a prepared statement is then brought to that SQL,
 *       {@link RewritingPreparedStatement#rebind}); pinning and choosing the phase's SQL are timed
 *       ({@code MigrationRuntime#rewriteTime}, the metric {@code dualwrite.rewrite}; the shadow read is not), once a
 *       meter registry reads that time (without one the clock is not read);</li>
 *   <li>{@link #execute execute}: on PgJDBC, told to report generated keys when the rewrite
 *       returns them in place of PgJDBC's own RETURNING;</li>
 *   <li>{@link #execute count}: executions and failures of rewritten statements (error-rate watch);</li>
 *   <li>{@link #results hide}: result sets and metadata without the columns the sync needed; an
 *       updatable result set of a query on a migration guarded ({@link UpdatableResultSet}).</li>
 * </ol>
 * One instance per application statement, holding the outcome of its last execution; like a
 * statement, not thread-safe. The pass-through path allocates nothing.
 */
final class StatementPipeline {

    /**
     * One JDBC execute method on the delegate. Implementations are method references or lambdas
     * that capture nothing, so passing one allocates nothing.
     *
     * @param <K> the generated-keys argument the application passed (Integer, int[], String[]), or none
     */
    interface Call<S extends Statement, K, T> {
        T run(S delegate, String sql, K keys) throws SQLException;
    }

    private final DualwriteConnection connection;
    /** The application's statement, which result sets name as theirs. */
    private final Statement owner;

    /** The migration whose rewrite the last execution ran; null when it ran as written. */
    private MigrationRuntime rewritten;
    /** The migration the last execution's SQL touches, rewritten or not; null when it touches none. */
    private MigrationRuntime touched;
    /** The SQL of the last Statement execution that passed through unplanned (see {@link #hide}). */
    private String passedSql;
    /** The prepared statement names the migrated table, not the column ({@link RewritePlan#passingThrough}). */
    private boolean rowsOnly;
    /** Trailing columns to hide in the results of the last execution (a dual write with RETURNING). */
    private int hidden;
    /** The last rewrite returns the generated keys the application asked for, in place of PgJDBC's RETURNING. */
    private boolean emulateKeys;
    /** The application's text and the rewritten text of the last single execution (null for a batch), to judge its failures. */
    private String applicationSql;
    private String sentSql;
    /**
     * The last single execution's generated-keys RETURNING list ({@link PrepareOptions#returningList}) and, for a
     * PreparedStatement's, its parameters: what PgJDBC would have sent for the application's statement, to judge a failure.
     */
    private String returningList;
    private ParameterLog parameters;
    /** The application's text of the last execution when READ_NEW rewrote it as a read; else null. */
    private String readNewSql;
    /** The last execution's text is a PreparedStatement's (its {@code ?} are parameters, not operators). */
    private boolean preparedText;
    /** The last execution ran a translation of NEW_ONLY or CONTRACTED (the old column not written). */
    private boolean translated;
    /** The text that describes the last translation's rows as the application's ({@link Rewrite.Rewritten#describedBy}), or null. */
    private String describedBy;
    /** The last translation's or READ_NEW read's {@link Rewrite.Rewritten#origins}, or null. */
    private Rewrite.Origins origins;

    private ResultSet raw;
    private ResultSet wrapped;
    private ResultSet rawKeys;
    private ResultSet wrappedKeys;

    StatementPipeline(DualwriteConnection connection, Statement owner) {
        this.connection = connection;
        this.owner = owner;
    }

    // ---- the statement kinds ----------------------------------------------------------------

    /** A Statement's {@code execute…(sql[, keys])}: the SQL is planned at every execution. */
    <K, T> T statement(Statement delegate, String sql, K keys, Call<Statement, K, T> call) throws SQLException {
        return statement(delegate, sql, keys, call, call);
    }

    /**
     * A Statement's {@code execute…(sql, keys)}, where {@code emulated} (without the keys argument)
     * runs instead of {@code call} when a dual write returns the keys itself.
     */
    <K, T> T statement(Statement delegate, String sql, K keys, Call<Statement, K, T> call, Call<Statement, K, T> emulated)
            throws SQLException {
        connection.pins.entering();
        try {
            String routed = route(sql, keys, false);
            connection.namedPrepared.running(sql);
            T result = execute(delegate, routed, keys, emulateKeys ? emulated : call);
            connection.namedPrepared.ran(sql);
            return result;
        } finally {
            left(sql);
        }
    }

    /** A Statement's batch: each entry is routed in the phase of this instant; one refused entry refuses the batch. */
    <T> T statementBatch(Statement delegate, List<String> batch, Call<Statement, Void, T> call) throws SQLException {
        MigrationRuntime any = null;
        boolean anyTranslated = false;
        List<String> texts = List.copyOf(batch);
        connection.pins.entering();
        try {
            try {
                boolean pathChanges = false;
                for (String sql : texts) {
                    delegate.addBatch(route(sql, null, pathChanges));
                    connection.namedPrepared.running(sql);
                    any = rewritten != null ? rewritten : any;
                    anyTranslated |= translated;
                    pathChanges |= SessionWords.changesForLaterTexts(sql);
                }
            } catch (SQLException e) {
                delegate.clearBatch();
                throw e;
            } finally {
                batch.clear();
            }
            rewritten = any;
            hidden = 0;
            emulateKeys = false;
            readNewSql = null;
            // a translated entry's constraint violation is named in the application's terms (ServerErrors)
            translated = anyTranslated;
            applicationSql = null;
            sentSql = null;
            T result;
            try {
                result = execute(delegate, null, null, call);
            } catch (BatchUpdateException e) {
                throw BatchFailures.inApplicationTerms(e, i -> i < texts.size() ? texts.get(i) : null);
            }
            for (String sql : texts) {
                connection.namedPrepared.ran(sql);
            }
            return result;
        } finally {
            for (String sql : texts) {
                left(sql);
            }
        }
    }

    /**
     * An execution (single or batch) of a PreparedStatement or CallableStatement that touches a
     * migration: planned when prepared, it follows the phase of each execution.
     */
    <T> T prepared(RewritingPreparedStatement statement, Call<PreparedStatement, Void, T> call) throws SQLException {
        statement.followRewritingMigration();
        MigrationRuntime migration = statement.migration;
        touched = migration;
        rowsOnly = statement.rowsOnly;
        connection.pins.entering();
        try {
            long start = migration.rewriteTime().start();
            Phase phase = pin(migration);
            statement.requirePlanned(phase);
            Rewrite chosen = choose(statement.plan, migration, phase, statement.applicationSql, statement.returningList, false);
            Refusals.requireKnown(connection, statement.plan, migration, phase);
            migration.rewriteTime().stop(start);
            sample(statement.plan, chosen, migration, phase, statement.applicationSql, statement.log());
            Rewrite.Rewritten rewrite = statement.log().formFor(rewrite(chosen, migration, phase));
            routed(migration, rewrite, statement.returningList != null);
            recordTexts(rewrite, phase, statement.applicationSql, true,
                    writeReadingNew(statement.plan, chosen, phase, statement.returningList));
            returningList = statement.returningList;
            parameters = statement.log();
            if (connection.namedPrepared.watchesPreparedStatements()) {
                connection.namedPrepared.running(statement.applicationSql);
            }
            PreparedStatement delegate = statement.rebind(rewrite, phase);
            List<ParameterLog.Call[]> entries = statement.log().batchEntries();
            try {
                return emulateKeys && !entries.isEmpty()
                        ? KeysBatchAtomicity.run(delegate, entries.size(), hidden, () -> execute(delegate, null, null, call))
                        : execute(delegate, null, null, call);
            } catch (BatchUpdateException e) {
                // as PgJDBC renders the application's entry: with the RETURNING it appends for generated keys
                String entrySql = PrepareOptions.withReturning(statement.applicationSql, statement.returningList);
                throw BatchFailures.inApplicationTerms(e, i -> i < entries.size()
                        ? BatchFailures.rendered(connection.delegate, entrySql, entries.get(i)) : null);
            }
        } finally {
            left(statement.applicationSql);
        }
    }

    /**
     * The rewrite to prepare a statement with (null: its own SQL), in the phase of this instant; not counted (nothing runs
     * yet), and a statement refused now is prepared as written: the refusal comes at execution.
     */
    Rewrite.Rewritten preparing(RewritePlan plan, MigrationRuntime migration, Phase phase, String applicationSql,
                                String returningList) {
        Rewrite r = returningList == null ? plan.forPhase(phase) : plan.forPhaseReturning(phase, returningList);
        Rewrite.Rewritten rewrite = r instanceof Rewrite.Rewritten w ? w : null;
        // applications bind a value far more often than NULL: prepared in the form an execution most likely takes
        if (rewrite != null && rewrite.ifNotNull() != null) {
            rewrite = rewrite.ifNotNull().form();
        }
        routed(rewrite == null ? null : migration, rewrite, returningList != null);
        return rewrite;
    }

    // ---- the steps --------------------------------------------------------------------------

    /** Step 2: the phase this connection applies to the migration now (the one call that looks it up). */
    private Phase pin(MigrationRuntime migration) {
        return connection.phaseOf(migration);
    }

    /**
     * Step 2, continued: the statement counted as evidence for the gates of NEW_ONLY and CONTRACTED
     * (the database's {@code StatementEvidence}); the rewrite of the plan for that phase, unless this session's search_path
     * makes an unqualified name lead elsewhere than the rewriter read it ({@link SearchPathWatch}).
     */
    private Rewrite choose(RewritePlan plan, MigrationRuntime migration, Phase phase, String sql, String returningList,
                           boolean pathChangesFirst) throws SQLException {
        connection.database.evidence().seen(plan, phase, sql, StatementPlans.standardConformingStrings(connection.delegate));
        Rewrite r = StatementPlans.withOtherMigrations(connection, plan,
                returningList == null ? plan.forPhase(phase) : plan.forPhaseReturning(phase, returningList), returningList, sql,
                true);
        return connection.searchPath.adjust(migration, sql, r, phase, pathChangesFirst
                || SessionWords.changesInText(sql, migration.spec().sourceTable()));
    }

    /**
     * Step 3: in DUAL_WRITE with shadow reads on, compares a sample of the reads READ_NEW would
     * rewrite (not those the session's search_path leads elsewhere: {@code chosen} is not the plan's).
     */
    private void sample(RewritePlan plan, Rewrite chosen, MigrationRuntime migration, Phase phase, String sql, ParameterLog parameters) {
        if (SHADOW_READS.runsIn(phase) && chosen == plan.forPhase(phase) && ShadowRead.sampled(migration)
                && plan.forPhase(Phase.READ_NEW) instanceof Rewrite.Rewritten read && read.kind() == Rewrite.Kind.READ_NEW
                && read.parameterSources() == null) {   // the shadow binds the application's parameters in their order
            ShadowRead.compare(connection.delegate, connection.pins, migration, sql, read.sql(), parameters);
        }
    }

    /**
     * Step 4: the rewrite for the phase, counted in the migration's counters; null when the
     * statement runs as written; a refusal throws and changes nothing. With generated keys
     * ({@code returningList} not null) a dual write takes its RETURNING form
     * ({@link RewritePlan#forPhaseReturning}).
     */
    private static Rewrite.Rewritten rewrite(Rewrite rewrite, MigrationRuntime migration, Phase phase) throws SQLException {
        if (rewrite instanceof Rewrite.Rewritten rewritten) {
            if (rewritten.kind() == Rewrite.Kind.READ_NEW) {
                migration.countReadRewritten();
            } else {
                migration.countDualWrite();
            }
            return rewritten;
        }
        if (rewrite instanceof Rewrite.Rejected rejected) {
            migration.countRejected();
            throw Refusals.refused(rejected.reason(), phase, migration);
        }
        return null;
    }

    /**
     * Steps 5 and 6: runs the call; for a rewritten statement counts the execution and a failure
     * (the error-rate watch), and when the rewrite returns the generated keys itself tells PgJDBC,
     * for this call, that it returns keys: PgJDBC recognises only a top-level RETURNING and ours is
     * inside a CTE; it then reports the rows as keys and their number as the update count (per
     * batch entry too), as for the application's statement with PgJDBC's own RETURNING.
     */
    private <S extends Statement, K, T> T execute(S delegate, String sql, K keys, Call<S, K, T> call) throws SQLException {
        MigrationRuntime migration = rewritten;
        if (migration == null) {
            return call.run(delegate, sql, keys);
        }
        migration.countExecution();
        PgStatement keysStatement = emulateKeys ? delegate.unwrap(PgStatement.class) : null;
        if (keysStatement != null) {
            keysStatement.wantsGeneratedKeysAlways = true;
        }
        try {
            return call.run(delegate, sql, keys);
        } catch (SQLException e) {
            String original = applicationSql == null ? null : PrepareOptions.withReturning(applicationSql, returningList);
            migration.countFailure(connection.database, e, applicationSql, sentSql, original == null ? null
                    : parameters == null ? new OriginalStatementCheck.Sent(original) : parameters.sent(original));
            throw ServerErrors.inApplicationTerms(e, migration, translated, applicationSql);
        } finally {
            if (keysStatement != null) {
                keysStatement.wantsGeneratedKeysAlways = false;
            }
        }
    }

    /**
     * Step 7: the application's view of a result set of the last execution: without the trailing
     * hidden columns when they are the ones a dual write with RETURNING adds (so that among several
     * results of one string only the dual write's rows are trimmed). Asking twice for the same
     * result set gives the same wrapper.
     */
    ResultSet results(ResultSet rs) throws SQLException {
        if (rs == null) {
            return null;
        }
        if (rs != raw) {
            wrapped = hide(rs);
            raw = rs;
        }
        return wrapped;
    }

    /** Step 7 for {@code getGeneratedKeys()}. */
    ResultSet keys(ResultSet rs) throws SQLException {
        if (rs == null) {
            return null;
        }
        if (rs != rawKeys) {
            wrappedKeys = hide(rs);
            rawKeys = rs;
        }
        return wrappedKeys;
    }

    /**
     * Step 7 for described result columns ({@code PreparedStatement.getMetaData()}); a prepared
     * statement currently holding READ_NEW's form of a read describes as the application's read.
     *
     * @param preparedSql   the SQL the statement's delegate holds
     * @param preparedPhase the phase it was chosen in: in NEW_ONLY and CONTRACTED a translation, described from the record
     */
    ResultSetMetaData metaData(RewritingPreparedStatement statement, String preparedSql, Phase preparedPhase,
                               ResultSetMetaData md) throws SQLException {
        boolean translation = !preparedSql.equals(statement.applicationSql) && !preparedPhase.writesOld();
        int visible = md == null ? -1 : visibleColumns(md);
        ResultSetMetaData shown = visible < 0 ? md : Wrappers.hidingMetaData(md, visible);
        if (md != null && !translation && statement.plan.forPhase(Phase.READ_NEW) instanceof Rewrite.Rewritten r
                && r.sql().equals(preparedSql) && (r.kind() == Rewrite.Kind.READ_NEW
                || writeReadingNew(statement.plan, r, Phase.READ_NEW, statement.returningList))) {
            return connection.plainReads.of(statement.applicationSql, true, shown, statement.migration, r.origins());
        }
        if (!translation) {
            return shown;
        }
        Rewrite.Rewritten prepared = statement.rewriteOf(statement.plan, preparedPhase) instanceof Rewrite.Rewritten w
                && w.sql().equals(preparedSql) ? w : null;
        String donor = prepared == null ? null : prepared.describedBy();
        ResultSetMetaData described = donor == null || shown == null ? shown
                : connection.plainReads.of(donor, true, shown, null, null);
        return TranslatedResultSet.of(described, connection.recordedTypes, statement.migration,
                prepared == null ? null : prepared.origins());
    }

    /**
     * Without the sync's hidden columns; a read READ_NEW rewrote answers metadata as the
     * application's read ({@link PlainReadMetaData}).
     */
    private ResultSet hide(ResultSet rs) throws SQLException {
        if (rs.getConcurrency() == ResultSet.CONCUR_UPDATABLE) {
            // its changes would bypass the rewrite in every phase, READ_NEW included; also a query that passes
            // through (it names the table, not the column): PgJDBC's own deleteRow() would leave the target's rows
            MigrationRuntime guarded = touched != null ? touched
                    : passedSql == null ? null : connection.database.migrations().namedBy(passedSql);
            if (guarded != null) {
                // a rewritten read's metadata is described from the application's text, as for any result set
                boolean rewrittenRead = readNewSql != null || translated;
                return Wrappers.updatableResultSet(rewrittenRead ? shown(rs) : rs, owner, connection, guarded,
                        touched == null || rowsOnly, rewrittenRead);
            }
        }
        return shown(rs);
    }

    /** The result set as the application sees it: its hidden columns hidden, its metadata the application's query's. */
    private ResultSet shown(ResultSet rs) throws SQLException {
        // without hidden columns the metadata is not looked at: PgJDBC makes it on the first call, most results never need it
        int visible = hidden == 0 ? -1 : visibleColumns(rs.getMetaData());
        ResultSet shown = visible >= 0 ? Wrappers.hidingResultSet(rs, owner, visible) : rs;
        if (readNewSql != null) {
            return Wrappers.readNewResultSet(shown, owner, connection.plainReads, readNewSql, preparedText, touched,
                    origins);
        }
        if (translated) {
            // never described from the application's text: the old column may be gone
            ResultSet described = describedBy == null ? shown
                    : Wrappers.readNewResultSet(shown, owner, connection.plainReads, describedBy, preparedText, null,
                            null);
            return Wrappers.translatedResultSet(described, owner, connection.recordedTypes, touched, origins);
        }
        return shown != rs ? shown : Wrappers.resultSet(rs, owner);
    }

    /** How many columns the application sees, or -1 when it sees them all. */
    private int visibleColumns(ResultSetMetaData md) throws SQLException {
        if (hidden == 0) {
            return -1;
        }
        int n = md.getColumnCount();
        return n >= hidden && DualWriteForm.HIDDEN_KEY.equals(md.getColumnLabel(n - hidden + 1)) ? n - hidden : -1;
    }

    // ---- helpers ----------------------------------------------------------------------------

    /**
     * Steps 1 to 4 for a Statement's SQL; returns what to send.
     *
     * @param pathChangesFirst an earlier entry of the same batch may change the search_path
     */
    private String route(String sql, Object keys, boolean pathChangesFirst) throws SQLException {
        RewritePlan plan = StatementPlans.of(connection, sql, !(owner instanceof DualwriteStatement s) || s.escapeProcessing());
        if (plan == null) {
            touched = null;
            passedSql = sql;
            rewritten = null;
            hidden = 0;
            emulateKeys = false;
            readNewSql = null;
            translated = false;
            Refusals.requireSeen(connection, sql, pathChangesFirst);
            NamedPreparedStatements.RowsOf rows = connection.namedPrepared.rowsReturnedBy(sql);
            if (rows != null) {
                // EXECUTE or FETCH: the rows of a read the driver rewrote, described as a translation's (the application's
                // read cannot be: its text is the PREPARE's or DECLARE's, with $n parameters PgJDBC does not know)
                touched = rows.migration();
                translated = true;
                describedBy = null;
                origins = rows.form().origins();
            }
            return sql;
        }
        returningList = PrepareOptions.returningList(connection.delegate, keys);
        parameters = null;
        plan = StatementPlans.rooted(connection, plan, returningList);
        MigrationRuntime migration = connection.database.migrations().runtimeOf(plan.migration());
        long start = migration.rewriteTime().start();
        touched = migration;
        rowsOnly = false;
        Phase phase = pin(migration);
        Rewrite chosen = choose(plan, migration, phase, sql, returningList, pathChangesFirst);
        Refusals.requireKnown(connection, plan, migration, phase);
        migration.rewriteTime().stop(start); // before the shadow read: its query is not the rewrite's cost
        sample(plan, chosen, migration, phase, sql, null);
        Rewrite.Rewritten rewrite = rewrite(chosen, migration, phase);
        routed(migration, rewrite, returningList != null);
        recordTexts(rewrite, phase, sql, false, writeReadingNew(plan, chosen, phase, returningList));
        return rewrite == null ? sql : rewrite.sql();
    }

    private void left(String sql) {
        left(connection, sql);
    }

    /** After a statement (or a COPY) through the driver: the transaction's pins and the search_path follow what it did. */
    static void left(DualwriteConnection connection, String sql) {
        connection.pins.left();
        connection.searchPath.ran(sql, connection.pins.inTransaction());
    }

    /**
     * @param writeReadingNew {@link #writeReadingNew}: a RETURNING form's columns are then described as the application's
     */
    private void recordTexts(Rewrite.Rewritten rewrite, Phase phase, String application, boolean prepared,
                             boolean writeReadingNew) {
        translated = rewrite != null && !phase.writesOld();
        describedBy = translated ? rewrite.describedBy() : null;
        // any kind of write: READ_NEW's form of one whose main query returns rows (a WITH query that writes) is DUAL_WRITE's
        boolean read = !translated && rewrite != null && (rewrite.kind() == Rewrite.Kind.READ_NEW || writeReadingNew);
        origins = translated || read ? rewrite.origins() : null;
        readNewSql = read ? application : null;
        preparedText = prepared;
        applicationSql = application;
        sentSql = rewrite == null ? null : rewrite.sql();
    }

    /**
     * READ_NEW's own form of a write with its own RETURNING list, whose reads of the column read the new table
     * (NewSchemaTranslator#dualWriteReadingNew): there PostgreSQL reports no origin for the column's subquery, so the
     * result is described as the application's write, as a rewritten read's is. Not generated keys: the application's
     * text has no RETURNING to describe.
     */
    private static boolean writeReadingNew(RewritePlan plan, Rewrite chosen, Phase phase, String returningList) {
        return phase == Phase.READ_NEW && returningList == null && chosen != plan.forPhase(Phase.DUAL_WRITE);
    }

    private void routed(MigrationRuntime migration, Rewrite.Rewritten rewrite, boolean wantsKeys) {
        rewritten = rewrite == null ? null : migration;
        hidden = rewrite == null ? 0 : rewrite.hiddenColumns();
        emulateKeys = wantsKeys && rewrite != null && rewrite.kind() == Rewrite.Kind.DUAL_WRITE_RETURNING;
    }
}
