package io.dualwrite.driver.runtime;

import io.dualwrite.control.CaptureTrigger;
import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.ControlTables;
import io.dualwrite.control.DeletedKeysTrigger;
import io.dualwrite.control.MigrationState;
import io.dualwrite.control.Secrets;
import io.dualwrite.control.SourceRelatives;
import io.dualwrite.control.TranslatedSync;
import io.dualwrite.control.ValueIndexes;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.RelationName;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.cache.PlanCache;
import io.dualwrite.rewriter.rewrite.StatementRewriter;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything the driver knows about one database (one PgJDBC URL): its migrations, their phases,
 * and the rewriter built for them. Connections read {@link #migrations()} per statement; a refresh
 * replaces it wholesale, so readers never see half an update.
 */
public final class DatabaseRuntime {

    private final String pgUrl;
    private final Properties connectProperties;
    /** Null when none is configured: then phase changes from this JVM (JMX) are refused. */
    private final OperatorCredential operator;
    private final Map<String, MigrationRuntime> byName = new HashMap<>();
    private volatile Migrations migrations = Migrations.NONE;
    private final Set<ConnectionPins> openConnections = ConcurrentHashMap.newKeySet();

    /** The rewriter, the runtimes of the migrations it was built for and what it knows of their tables, swapped as one. */
    public record Migrations(StatementRewriter rewriter, MigrationRuntime[] runtimes, List<SourceTable> tables) {
        static final Migrations NONE = new Migrations(null, new MigrationRuntime[0], List.of());

        /**
         * A rewriter that also knows these relations have a column named like each migration's (a session sees them
         * where the catalog read behind {@link #rewriter} did not): for the few texts whose plan took them to lack it.
         * Its plans are not shared.
         */
        public StatementRewriter rewriterAlsoKnowing(Map<MigrationSpec, Set<RelationName>> withColumn) {
            List<SourceTable> known = new ArrayList<>(tables.size());
            for (SourceTable t : tables) {
                Set<RelationName> more = withColumn.get(t.spec());
                known.add(more == null || t.relationsWithColumn() == null ? t : t.withRelationsWithColumn(more));
            }
            return new StatementRewriter(known, new PlanCache(PlanCache.DEFAULT_MAX_BYTES / 64));
        }

        /** The runtime of the migration a plan refers to: identity first (the usual case), then equality. */
        public MigrationRuntime runtimeOf(MigrationSpec spec) {
            for (MigrationRuntime r : runtimes) {
                if (r.spec() == spec) {
                    return r;
                }
            }
            for (MigrationRuntime r : runtimes) {
                if (r.spec().equals(spec)) {
                    return r;
                }
            }
            throw new IllegalStateException("migration " + spec.name() + " is no longer registered");
        }

        public boolean isEmpty() {
            return runtimes.length == 0;
        }

        /**
         * The migration whose source table {@code sql} names (an identifier spelled as the table), or null. For the rare
         * statement that needs it whatever its plan: an updatable result set, whose {@code deleteRow} PgJDBC runs itself.
         */
        public MigrationRuntime namedBy(String sql) {
            if (runtimes.length == 0) {
                return null;
            }
            for (Token t : Lexer.tokenize(sql)) {
                if (t.kind() == TokenKind.IDENTIFIER || t.kind() == TokenKind.QUOTED_IDENTIFIER) {
                    for (MigrationRuntime r : runtimes) {
                        if (t.normalized().equals(r.spec().sourceTable())) {
                            return r;
                        }
                    }
                }
            }
            return null;
        }
    }

    private final String instanceName;
    /**
     * This process's instance for the database, for its whole life: a pool that closes every connection and
     * later opens new ones (the follower rests in between) is still the same instance in {@code dualwrite.instance}.
     */
    private final String instanceId;
    private final Instant startedAt = Instant.now();
    /** Guarded by {@code this}: the running follower, or null while the database has no open connection. */
    PhaseFollower follower;

    /** {@link PlanCacheSize}: bounds the plan cache of each rewriter built here. */
    private final long planCacheBytes;
    private final StatementEvidence evidence;
    private final PhaseFreshness freshness;
    private final OriginalStatementCheck originalStatementCheck = new OriginalStatementCheck(this);

    DatabaseRuntime(String pgUrl, String instanceName, Properties connectProperties, OperatorCredential operator,
                    long planCacheBytes, long phaseBoundMillis) {
        this.pgUrl = pgUrl;
        this.operator = operator;
        this.instanceName = instanceName;
        this.instanceId = (instanceName == null ? "" : instanceName + "-") + UUID.randomUUID();
        this.connectProperties = connectProperties;
        this.planCacheBytes = planCacheBytes;
        this.evidence = new StatementEvidence(StatementEvidence.enabled(pgUrl, connectProperties));
        this.freshness = new PhaseFreshness(displayUrl(), phaseBoundMillis, () -> !openConnections.isEmpty());
    }

    /** Whether this instance knows the phases now, and what runs while it does not. */
    public PhaseFreshness freshness() {
        return freshness;
    }

    /** The statements of this database that touch a migration, as evidence for the gates of NEW_ONLY and CONTRACTED. */
    public StatementEvidence evidence() {
        return evidence;
    }

    /** Whether a failed rewritten statement fails alike as the application wrote it ({@link RewriteFailures}). */
    OriginalStatementCheck originalStatementCheck() {
        return originalStatementCheck;
    }

    /** The {@value RuntimeRegistry#INSTANCE_PROPERTY} connection property, or null. */
    public String instanceName() {
        return instanceName;
    }

    /** The id this process heartbeats under in {@code dualwrite.instance}. */
    public String instanceId() {
        return instanceId;
    }

    Instant startedAt() {
        return startedAt;
    }

    /** The URL for logs, thread names and JMX: a password given in the URL is masked. */
    public String displayUrl() {
        return Secrets.redact(pgUrl);
    }

    /** The operator's credential for phase changes from this JVM, or null when none is configured. */
    public OperatorCredential operator() {
        return operator;
    }

    public String pgUrl() {
        return pgUrl;
    }

    Properties connectProperties() {
        return connectProperties;
    }

    /**
     * Tracks an application connection; the phase follower rests while there is none. With migrations, a
     * connection waits (at most the freshness bound) until the follower has read and acknowledged the phases,
     * so that after a restart or a rest it starts from the phase in the control schema, not a remembered one.
     */
    public void connectionOpened(ConnectionPins connection) {
        openConnections.add(connection);
        PhaseFollower.ensureRunning(this);
        if (!migrations.isEmpty()) {
            freshness.awaitKnown();
        }
    }

    public void connectionClosed(ConnectionPins connection) {
        openConnections.remove(connection);
    }

    int openConnections() {
        return openConnections.size();
    }

    Iterable<ConnectionPins> openConnectionsPins() {
        return openConnections;
    }

    /**
     * The phase this instance can acknowledge for a migration: the live phase, unless an open
     * transaction is still pinned to another one (then that one, so that gates wait for it).
     */
    Phase appliedPhase(MigrationRuntime migration) {
        Phase live = migration.phase();
        for (ConnectionPins c : openConnections) {
            Phase pinned = c.pinnedPhase(migration);
            if (pinned != null && pinned != live) {
                return pinned;
            }
        }
        return live;
    }

    public Migrations migrations() {
        return migrations;
    }

    /** Every relation the last read of the catalog found ({@link ColumnNameOwners}). */
    public CatalogRelations catalogRelations() {
        return columnNameOwners.relations();
    }

    /**
     * Reloads migrations and phases from the control schema through {@code c}. The rewriter is
     * rebuilt only when the set of migrations or what it knows of the tables changed (the source tables' columns,
     * {@link SourceColumns}: the original order, also after the contract; the other relations with a column of the
     * migrated column's name, {@link ColumnNameOwners}), so its plan cache survives phase changes (plans hold every
     * phase's rewrite).
     */
    List<MigrationRuntime> refresh(Connection c) throws SQLException {
        synchronized (refreshLock) {
            return refreshLocked(c);
        }
    }

    private final Object refreshLock = new Object();
    /** Guarded by {@link #refreshLock}: the control schema was found at this code's version, so refreshes stop checking. */
    private boolean controlSchemaCurrent;

    private List<MigrationRuntime> refreshLocked(Connection c) throws SQLException {
        if (!controlSchemaCurrent) {
            controlSchemaCurrent = ControlTables.upgradeOlder(c);
        }
        List<MigrationState> states = ControlSchema.load(c);
        List<MigrationRuntime> created = new ArrayList<>();
        List<MigrationRuntime> runtimes = new ArrayList<>();
        List<SourceTable> tables = new ArrayList<>();
        boolean changed = states.size() != migrations.runtimes().length;
        boolean mergeReturns = c.getMetaData().getDatabaseMajorVersion() >= 17;
        for (MigrationState state : states) {
            MigrationRuntime runtime = byName.get(state.spec().name());
            if (runtime == null || !runtime.spec().equals(state.spec())) {
                runtime = new MigrationRuntime(state.spec(), state.phase());
                byName.put(state.spec().name(), runtime);
                created.add(runtime);
                changed = true;
            }
            runtime.shadowSampleRate(state.shadowSampleRate());
            runtime.lastParityMismatches(state.lastParityMismatches());
            runtimes.add(runtime);
            SourceColumns columns = SourceColumns.read(c, runtime.spec());
            runtime.columns(columns);
            SourceColumns.Column old = columns.old();
            Set<RelationName> columnRules = SourceRelatives.columnRules(c, runtime.spec());
            List<String> uniqueIndexes = ValueIndexes.valueUniqueIndexes(c, runtime.spec());
            if (!uniqueIndexes.equals(runtime.valueUniqueIndexes())) {
                // the twins' old names are read again only when the names change: it reads each index's definition
                runtime.uniqueIndexes(uniqueIndexes, twinSources(c, runtime.spec()),
                        ValueIndexes.valueUniqueConstraints(c, runtime.spec()));
            }
            boolean deletesFollowed = DeletedKeysTrigger.installed(c, runtime.spec());
            runtime.deletesFollowed(deletesFollowed);
            tables.add(new SourceTable(runtime.spec(), columns.names(), old == null ? null : old.type(),
                    old == null ? null : old.defaultSql(), CaptureTrigger.coversEveryRow(c, runtime.spec()),
                    TranslatedSync.targetHasColumnType(c, runtime.spec()), TranslatedSync.storedMayDiffer(c, runtime.spec()),
                    columns.keyDefault(), uniqueIndexes,
                    columnNameOwners.of(c, runtime.spec()), TranslatedSync.rowVersionColumn(c, runtime.spec()),
                    TranslatedSync.generatedColumns(c, runtime.spec()), deletesFollowed,
                    SourceRelatives.descendants(c, runtime.spec()), columnRules,
                    SourceRelatives.views(c, runtime.spec(), columnRules), mergeReturns, runtime.valueUniqueConstraints(),
                    columns.baseTypes(), old != null && old.notNull()));
        }
        if (!changed && !tables.equals(currentTables)) {
            changed = true;
        }
        if (changed) {
            currentTables = tables;
            MigrationRuntime[] loaded = runtimes.toArray(new MigrationRuntime[0]);
            migrations = runtimes.isEmpty() ? Migrations.NONE
                    : new Migrations(new StatementRewriter(tables, new PlanCache(planCacheBytes), planningTimes(loaded)), loaded,
                    List.copyOf(tables));
        }
        // the phases last: a statement planned in between reads the tables as they are now, in the phase they were
        // changed from (the contract's NEW_ONLY translates as CONTRACTED does); the other way round a new phase would
        // meet tables read before it (at the contract: the unique indexes of a column that is gone)
        for (int i = 0; i < states.size(); i++) {
            runtimes.get(i).phase(states.get(i).phase());
        }
        return created;
    }

    private List<SourceTable> currentTables = List.of();
    /** Guarded by {@link #refreshLock}. */
    private final ColumnNameOwners columnNameOwners = new ColumnNameOwners();

    /** Planning time goes to the migration the plan touches; texts that touch none (they only name the table) to none. */
    private static StatementRewriter.PlanningObserver planningTimes(MigrationRuntime[] runtimes) {
        return (plan, nanos) -> {
            for (MigrationRuntime r : runtimes) {
                if (r.spec() == plan.migration() || r.spec().equals(plan.migration())) {
                    r.planningTime().record(nanos);
                    return;
                }
            }
        };
    }

    /** Applies a phase change made in this JVM (JMX) to every connection at once. */
    void applyPhase(String migration, Phase phase) {
        MigrationRuntime runtime = byName.get(migration);
        if (runtime != null) {
            runtime.phase(phase);
        }
    }

    /** Each present unique twin that does not bear its old index's name (NEW_ONLY), by name: the old index's name. */
    private static Map<String, String> twinSources(Connection c, MigrationSpec spec) throws SQLException {
        Map<String, String> out = new HashMap<>();
        for (ValueIndexes.UniqueTwin t : ValueIndexes.uniqueTwins(c, spec)) {
            if (t.present() && !t.name().equals(t.sourceName())) {
                out.put(t.name(), t.sourceName());
            }
        }
        return out;
    }
}
