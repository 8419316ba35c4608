package io.dualwrite.rewriter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** Everything the driver needs for one SQL text, computed once: the rewrite for each phase. */
public final class RewritePlan {

    private static final Rewrite[] ALL_PASS_THROUGH = filled(Rewrite.PASS_THROUGH);
    /** The plan of every statement that touches no migrated table. */
    public static final RewritePlan PASS_THROUGH = new RewritePlan(null, ALL_PASS_THROUGH, null);

    private final MigrationSpec migration;
    private final Rewrite[] byPhase;
    /** For a dual write without RETURNING of its own: list -> RETURNING form; null if none. */
    private final Function<String, Rewrite> withReturning;
    /** For a translated write without RETURNING of its own: list -> its translation returning it; null if none. */
    private final Function<String, Rewrite> translatedReturning;
    /** The plans of the other migrations whose tables the statement names and that rewrite it in some phase. */
    private final List<RewritePlan> alsoRewrittenBy;
    /** The refusal when one of {@link #alsoRewrittenBy} rewrites it in its phase; null when there are none. */
    private final Rewrite.Rejected refusedWithOthers;
    /**
     * Per migration, the relations planning took to have no column named like the migrated one
     * ({@link SourceTable#relationsWithColumn} did not list them): a session may see one that the catalog read behind it
     * could not (created since, or a temporary table of its own). Empty for almost every statement.
     */
    private final Map<MigrationSpec, Set<RelationName>> assumedWithoutColumn;
    /** Per element of {@link #alsoRewrittenBy}, this plan rooted at its migration, made at the first ask: one object each. */
    private volatile RewritePlan[] rootedPlans;
    private final ConcurrentHashMap<String, Rewrite> returningCache = new ConcurrentHashMap<>(4);
    private static final int MAX_RETURNING_CACHED = 16;

    /**
     * @param migration     the migration the statement touches
     * @param byPhase       one rewrite per {@link Phase}, indexed by ordinal
     * @param withReturning for a dual write without RETURNING of its own: list -> RETURNING form; null if none
     */
    public RewritePlan(MigrationSpec migration, Rewrite[] byPhase, Function<String, Rewrite> withReturning) {
        this(migration, byPhase, withReturning, null);
    }

    /**
     * @param translatedReturning in the phases that no longer write the old column: for a write on the
     *                            source table without RETURNING of its own, list -> its translation
     *                            returning that list; null if none
     */
    public RewritePlan(MigrationSpec migration, Rewrite[] byPhase, Function<String, Rewrite> withReturning,
                       Function<String, Rewrite> translatedReturning) {
        this(migration, byPhase, withReturning, translatedReturning, List.of(), null, Map.of());
    }

    private RewritePlan(MigrationSpec migration, Rewrite[] byPhase, Function<String, Rewrite> withReturning,
                        Function<String, Rewrite> translatedReturning, List<RewritePlan> alsoRewrittenBy,
                        Rewrite.Rejected refusedWithOthers, Map<MigrationSpec, Set<RelationName>> assumedWithoutColumn) {
        if (byPhase.length != Phase.values().length) {
            throw new IllegalArgumentException("one rewrite per phase expected");
        }
        for (Rewrite r : byPhase) {
            Objects.requireNonNull(r, "rewrite");
        }
        this.migration = migration;
        this.byPhase = byPhase.clone();
        this.withReturning = withReturning;
        this.translatedReturning = translatedReturning;
        this.alsoRewrittenBy = alsoRewrittenBy;
        this.refusedWithOthers = refusedWithOthers;
        this.assumedWithoutColumn = assumedWithoutColumn;
    }

    /** This plan, made on the assumption that these relations have no column named like the migrated one. */
    public RewritePlan assumingWithoutColumn(Map<MigrationSpec, Set<RelationName>> relations) {
        return passThrough() || relations.isEmpty() ? this : new RewritePlan(migration, byPhase, withReturning,
                translatedReturning, alsoRewrittenBy, refusedWithOthers, Map.copyOf(relations));
    }

    /** {@link #assumedWithoutColumn}: per migration, relations the plan took to lack its column; usually empty. */
    public Map<MigrationSpec, Set<RelationName>> assumedWithoutColumn() {
        return assumedWithoutColumn;
    }

    /**
     * This plan for a statement that also names the tables of other migrations, each of which rewrites it in some phase
     * ({@code others}, each its own plan of the statement). The driver applies this plan's rewrite while every other
     * migration's rewrite, in that migration's phase, is to pass it through; else it refuses it with {@code reason}:
     * the rewrites of two migrations are not combined into one statement.
     */
    public RewritePlan alsoRewrittenBy(List<RewritePlan> others, String reason) {
        return new RewritePlan(migration, byPhase, withReturning, translatedReturning, List.copyOf(others),
                new Rewrite.Rejected(reason), assumedWithoutColumn);
    }

    /**
     * The same statement's plan with {@code root} as the migration it belongs to and this plan's migration among the
     * others: the driver roots a statement at the migration that rewrites it in the phase of the moment. This plan
     * when {@code root} is its migration or none of the others'. The same object for the same root every time (the
     * driver keys its statement evidence by plan).
     */
    public RewritePlan rootedAt(MigrationSpec root) {
        if (root.equals(migration)) {
            return this;
        }
        for (int i = 0; i < alsoRewrittenBy.size(); i++) {
            RewritePlan other = alsoRewrittenBy.get(i);
            if (root.equals(other.migration)) {
                RewritePlan[] made = rootedPlans;
                if (made == null) {
                    made = new RewritePlan[alsoRewrittenBy.size()];
                    rootedPlans = made;
                }
                if (made[i] == null) {   // a race makes two equal plans; one of them stays
                    List<RewritePlan> rest = new ArrayList<>(alsoRewrittenBy);
                    rest.set(i, new RewritePlan(migration, byPhase, withReturning, translatedReturning));
                    made[i] = new RewritePlan(other.migration, other.byPhase, other.withReturning, other.translatedReturning,
                            List.copyOf(rest), refusedWithOthers, assumedWithoutColumn);
                }
                return made[i];
            }
        }
        return this;
    }

    /** The plans of the other migrations that rewrite this statement in some phase (empty for most statements). */
    public List<RewritePlan> alsoRewrittenBy() {
        return alsoRewrittenBy;
    }

    /** The refusal of this statement while another migration of {@link #alsoRewrittenBy} rewrites it; null if none. */
    public Rewrite.Rejected refusedWithOthers() {
        return refusedWithOthers;
    }

    /**
     * The plan of a statement that names {@code migration}'s table and passes through in every phase, for a driver that
     * must still know the migration: an updatable result set's own writes bypass every rewrite.
     */
    public static RewritePlan passingThrough(MigrationSpec migration) {
        return new RewritePlan(Objects.requireNonNull(migration, "migration"), ALL_PASS_THROUGH, null);
    }

    private static Rewrite[] filled(Rewrite r) {
        Rewrite[] out = new Rewrite[Phase.values().length];
        Arrays.fill(out, r);
        return out;
    }

    /** Whether this is a {@link #passingThrough} plan: a migration's, and unchanged in every phase. */
    public boolean passesThroughEverywhere() {
        if (migration == null || withReturning != null || translatedReturning != null || !alsoRewrittenBy.isEmpty()) {
            return false;
        }
        for (Rewrite r : byPhase) {
            if (!(r instanceof Rewrite.PassThrough)) {
                return false;
            }
        }
        return true;
    }

    /** True when the statement reaches PostgreSQL unchanged in every phase. */
    public boolean passThrough() {
        return migration == null;
    }

    /** The migration the statement touches; null for pass-through. */
    public MigrationSpec migration() {
        return migration;
    }

    public Rewrite forPhase(Phase phase) {
        return byPhase[phase.ordinal()];
    }

    /**
     * The rewrite for a write that the application runs with generated keys (PgJDBC would append
     * {@code RETURNING returningList}), the statement having no RETURNING of its own. For a dual
     * write: the RETURNING form ({@link Rewrite.Kind#DUAL_WRITE_RETURNING}) whose first columns
     * are {@code returningList} and whose last two are hidden. In pass-through phases:
     * {@link Rewrite#PASS_THROUGH} (PgJDBC adds its RETURNING). Otherwise {@link #forPhase}
     * unchanged; several statements in one string with a dual write are rejected. In the phases that
     * no longer write the old column, every write on the source table is translated with the list
     * (a {@code *} must return the old column too; {@link Rewrite.Kind#DUAL_WRITE_RETURNING}, with 2
     * hidden columns when the write feeds the sync view, else none), or passes through when the
     * list reads nothing the translation changes. Cached per (phase, list); thread-safe.
     *
     * @param returningList e.g. {@code *} or {@code "id", "name"}, spliced verbatim
     */
    public Rewrite forPhaseReturning(Phase phase, String returningList) {
        Objects.requireNonNull(returningList, "returningList");
        Function<String, Rewrite> returning;
        if (!phase.writesOld() && translatedReturning != null) {
            returning = translatedReturning;
        } else {
            Rewrite r = forPhase(phase);
            if (r instanceof Rewrite.PassThrough) {
                return Rewrite.PASS_THROUGH;
            }
            if (!(r instanceof Rewrite.Rewritten w) || w.kind() != Rewrite.Kind.DUAL_WRITE || withReturning == null) {
                return r;
            }
            returning = withReturning;
        }
        String key = phase.ordinal() + ":" + returningList;
        Rewrite cached = returningCache.get(key);
        if (cached != null) {
            return cached;
        }
        Rewrite computed = Objects.requireNonNull(returning.apply(returningList), "returning rewrite");
        if (returningCache.size() < MAX_RETURNING_CACHED) {
            Rewrite prev = returningCache.putIfAbsent(key, computed);
            return prev != null ? prev : computed;
        }
        return computed;
    }

    /**
     * This plan with each of its rewrites, in every phase and generated-keys form, passed through {@code check} (which
     * may refuse one); this plan itself when it passes through.
     */
    public RewritePlan withEachRewrite(UnaryOperator<Rewrite> check) {
        if (passThrough()) {
            return this;
        }
        Rewrite[] checked = new Rewrite[byPhase.length];
        for (int i = 0; i < byPhase.length; i++) {
            checked[i] = check.apply(byPhase[i]);
        }
        return new RewritePlan(migration, checked, withReturning == null ? null : withReturning.andThen(check),
                translatedReturning == null ? null : translatedReturning.andThen(check), alsoRewrittenBy, refusedWithOthers,
                assumedWithoutColumn);
    }

    /** Whether the plan keeps what it needs to translate the statement with a generated-keys list (for the cache's weigher). */
    public boolean translatesReturning() {
        return translatedReturning != null;
    }

    @Override
    public String toString() {
        return passThrough() ? "RewritePlan[pass-through]"
                : "RewritePlan[" + migration.name() + ", " + Arrays.toString(byPhase)
                        + (alsoRewrittenBy.isEmpty() ? "" : ", also rewritten by " + alsoRewrittenBy) + "]";
    }
}
