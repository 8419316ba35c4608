package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import org.postgresql.copy.CopyDual;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.CopyOperation;
import org.postgresql.copy.CopyOut;
import org.postgresql.core.BaseConnection;
import org.postgresql.jdbc.PgConnection;

import java.lang.reflect.Field;
import java.sql.SQLException;

/**
 * PgJDBC's COPY API on a dualwrite connection: what {@code connection.unwrap(PGConnection.class).getCopyAPI()} returns,
 * and what PgJDBC's {@code PGCopyInputStream} and {@code PGCopyOutputStream} use. A COPY text that names a migrated
 * table follows the phase as the same text sent through a {@link java.sql.Statement} would (the plan, the pin, the
 * refusal), except that {@code COPY table … FROM STDIN}, which the COPY protocol keeps out of reach of any rewrite,
 * is {@linkplain StagedCopyIn staged} and written through the driver wherever the plan would not pass it through.
 *
 * <p>Installed in the PgJDBC connection's own field (which {@code getCopyAPI()} fills lazily), so that everything the
 * application unwraps stays PgJDBC's own class. A {@code new CopyManager(baseConnection)} the application builds itself
 * still bypasses the driver (and so would a PgJDBC without that field: the driver then logs it once).
 */
final class RoutedCopyManager extends CopyManager {

    private static final System.Logger LOG = System.getLogger("io.dualwrite.driver");
    private static final Field COPY_MANAGER = copyManagerField();

    private final DualwriteConnection connection;

    private RoutedCopyManager(BaseConnection physical, DualwriteConnection connection) throws SQLException {
        super(physical);
        this.connection = connection;
    }

    /** Makes {@code physical.getCopyAPI()} answer with a manager that routes through {@code connection}. */
    static void install(BaseConnection physical, DualwriteConnection connection) throws SQLException {
        if (COPY_MANAGER != null && physical instanceof PgConnection) {
            try {
                COPY_MANAGER.set(physical, new RoutedCopyManager(physical, connection));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("made accessible at class-init", e);
            }
        }
    }

    private static Field copyManagerField() {
        try {
            Field f = PgConnection.class.getDeclaredField("copyManager");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "dualwrite cannot route PgJDBC's COPY API on this PgJDBC version ({0});"
                    + " a COPY through getCopyAPI() bypasses the driver", e.toString());
            return null;
        }
    }

    @Override
    public CopyIn copyIn(String sql) throws SQLException {
        return (CopyIn) routed(sql, Direction.IN);
    }

    @Override
    public CopyOut copyOut(String sql) throws SQLException {
        return (CopyOut) routed(sql, Direction.OUT);
    }

    @Override
    public CopyDual copyDual(String sql) throws SQLException {
        return (CopyDual) routed(sql, Direction.DUAL);
    }

    /** {@code COPY … FROM STDIN} as written, for the staging table: named by the driver, it touches no migration. */
    CopyIn copyInAsWritten(String sql) throws SQLException {
        return super.copyIn(sql);
    }

    /** Which of PgJDBC's three copy calls the application made. */
    private enum Direction { IN, OUT, DUAL }

    private CopyOperation asWritten(String sql, Direction direction) throws SQLException {
        return switch (direction) {
            case IN -> super.copyIn(sql);
            case OUT -> super.copyOut(sql);
            case DUAL -> super.copyDual(sql);
        };
    }

    /**
     * Steps 1, 2 and 4 of the {@link StatementPipeline} for a COPY text: its plan, the phase pinned (until the copy
     * ends), the statement counted as evidence, the phase's SQL or its refusal. Where the phase refuses the text:
     * {@code COPY table … FROM STDIN} is {@linkplain StagedCopyIn staged} (its statements go through the pipeline, and
     * are the evidence); {@code COPY table [(columns)] TO STDOUT} is sent as the same rows of a query ({@code COPY
     * (SELECT columns FROM ONLY table) TO STDOUT}: COPY of a table reads no inheritance child; a partitioned table's
     * rows are its partitions', so there without ONLY), which the phase rewrites as any read, and is judged as that
     * query from {@code DUAL_WRITE} on.
     */
    private CopyOperation routed(String sql, Direction direction) throws SQLException {
        RewritePlan plan = planOf(sql);
        if (plan == null) {
            return asWritten(sql, direction);
        }
        MigrationRuntime migration = connection.database.migrations().runtimeOf(plan.migration());
        connection.pins.entering();
        PinnedCopy pinned = null;
        try {
            Phase phase = connection.phaseOf(migration);
            Rewrite rewrite = chosen(plan, migration, phase, sql);
            boolean standard = StatementPlans.standardConformingStrings(connection.delegate);
            CopyOfTable copy = rewrite instanceof Rewrite.Rejected
                    || (phase.writesNew() && plan.forPhase(Phase.CONTRACTED) instanceof Rewrite.Rejected)
                    ? CopyOfTable.parse(sql, standard) : null;
            String sent = sql;
            if (direction == Direction.IN && copy != null && copy.in()) {
                if (rewrite instanceof Rewrite.Rejected) {
                    String option = copy.optionTheStagingTableChanges(standard);
                    if (option != null) {
                        migration.countRejected();
                        throw Refusals.refused("COPY … FROM STDIN with " + option + ": the driver copies the rows into a"
                                + " staging table of its own, where " + option + " means something else (FREEZE applies"
                                + " to the new staging table, DEFAULT finds no column default there); copy without it",
                                phase, migration);
                    }
                    return StagedCopyIn.start(connection, this, copy);
                }
                // as written in this phase, staged wherever it would be refused: nothing to judge
            } else if (direction != Direction.IN && copy != null && !copy.in()) {
                CopyOfTable.Columns columns = copy.columnsOn(connection);
                String query = "COPY (SELECT " + columns.list() + " FROM " + (columns.partitioned() ? "" : "ONLY ")
                        + copy.table() + ") " + copy.rest();
                RewritePlan queryPlan = StatementPlans.of(connection, query);
                if (queryPlan != null) {
                    connection.database.evidence().seen(queryPlan, phase, query, standard);
                }
                if (rewrite instanceof Rewrite.Rejected) {
                    sent = query;
                    rewrite = queryPlan == null ? Rewrite.PASS_THROUGH : chosen(queryPlan, migration, phase, query);
                }
            } else {
                connection.database.evidence().seen(plan, phase, sql, standard);
            }
            if (rewrite instanceof Rewrite.Rejected rejected) {
                migration.countRejected();
                throw Refusals.refused(rejected.reason(), phase, migration);
            }
            pinned = new PinnedCopy(asWritten(rewrite instanceof Rewrite.Rewritten r ? r.sql() : sent, direction), connection, sql);
            return pinned;
        } finally {
            if (pinned == null) {
                StatementPipeline.left(connection, sql);
            }
        }
    }

    /** The plan of a COPY text, or null when it names no migration (and the session's search_path leads to none). */
    private RewritePlan planOf(String sql) throws SQLException {
        RewritePlan plan = StatementPlans.rooted(connection, StatementPlans.of(connection, sql));
        if (plan == null) {
            Refusals.requireSeen(connection, sql);
        }
        return plan;
    }

    /** The phase's rewrite, as the pipeline chooses it (search_path, an instance that does not know the phase). */
    private Rewrite chosen(RewritePlan plan, MigrationRuntime migration, Phase phase, String sql) throws SQLException {
        Rewrite rewrite = connection.searchPath.adjust(migration, sql,
                StatementPlans.withOtherMigrations(connection, plan, plan.forPhase(phase), null, sql, false), phase, false);
        Refusals.requireKnown(connection, plan, migration, phase);
        return rewrite;
    }

    /**
     * A COPY that runs as written (or as the phase rewrote it) on a migrated table: its phase stays pinned, so that
     * this instance keeps acknowledging it, until the copy ends.
     */
    private static final class PinnedCopy implements CopyDual {
        private final CopyOperation copy;
        private final DualwriteConnection connection;
        private final String sql;
        private boolean released;

        PinnedCopy(CopyOperation copy, DualwriteConnection connection, String sql) {
            this.copy = copy;
            this.connection = connection;
            this.sql = sql;
        }

        private void releasedIfOver() {
            if (!released && !copy.isActive()) {
                released = true;
                StatementPipeline.left(connection, sql);
            }
        }

        @Override
        public void writeToCopy(byte[] buf, int off, int siz) throws SQLException {
            try {
                ((CopyIn) copy).writeToCopy(buf, off, siz);
            } finally {
                releasedIfOver();
            }
        }

        @Override
        public void writeToCopy(org.postgresql.util.ByteStreamWriter from) throws SQLException {
            try {
                ((CopyIn) copy).writeToCopy(from);
            } finally {
                releasedIfOver();
            }
        }

        @Override
        public void flushCopy() throws SQLException {
            try {
                ((CopyIn) copy).flushCopy();
            } finally {
                releasedIfOver();
            }
        }

        @Override
        public long endCopy() throws SQLException {
            try {
                return ((CopyIn) copy).endCopy();
            } finally {
                releasedIfOver();
            }
        }

        @Override
        public byte[] readFromCopy() throws SQLException {
            try {
                return ((CopyOut) copy).readFromCopy();
            } finally {
                releasedIfOver();
            }
        }

        @Override
        public byte[] readFromCopy(boolean block) throws SQLException {
            try {
                return ((CopyOut) copy).readFromCopy(block);
            } finally {
                releasedIfOver();
            }
        }

        @Override
        public void cancelCopy() throws SQLException {
            try {
                copy.cancelCopy();
            } finally {
                releasedIfOver();
            }
        }

        @Override
        public int getFieldCount() {
            return copy.getFieldCount();
        }

        @Override
        public int getFormat() {
            return copy.getFormat();
        }

        @Override
        public int getFieldFormat(int field) {
            return copy.getFieldFormat(field);
        }

        @Override
        public boolean isActive() {
            return copy.isActive();
        }

        @Override
        public long getHandledRowCount() {
            return copy.getHandledRowCount();
        }
    }
}
