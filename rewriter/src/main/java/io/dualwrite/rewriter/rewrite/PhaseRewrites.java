package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Rewrite;
import java.util.function.Function;

/**
 * The rewrites that matter for a statement touching a migration: in the phase that writes
 * both sides and reads old ({@code DUAL_WRITE}), in the one that also reads new ({@code READ_NEW}),
 * in {@code EXPANDED}, where everything passes through except what would outlive the phase
 * (a SQL-level PREPARE of a write), and in the phases that no longer write the old column
 * ({@code NEW_ONLY}, {@code CONTRACTED}: one translation for both, so moving between them changes
 * nothing).
 *
 * @param withReturning       for a dual write without RETURNING of its own: the rewrite that returns
 *                            the given list (generated keys); null when not applicable
 * @param translated          the statement translated into the new schema
 * @param translatedReturning for a write on the source table without RETURNING of its own: its
 *                            translation returning the given list (generated keys); null when not applicable
 */
public record PhaseRewrites(Rewrite dualWrite, Rewrite readNew, Function<String, Rewrite> withReturning,
                            Rewrite expanded, Rewrite translated, Function<String, Rewrite> translatedReturning) {

    /** A statement whose translation is its {@code READ_NEW} form (a read, a refusal, a TRUNCATE of both tables). */
    public PhaseRewrites(Rewrite dualWrite, Rewrite readNew, Function<String, Rewrite> withReturning, Rewrite expanded) {
        this(dualWrite, readNew, withReturning, expanded, readNew, null);
    }

    public PhaseRewrites(Rewrite dualWrite, Rewrite readNew, Function<String, Rewrite> withReturning) {
        this(dualWrite, readNew, withReturning, Rewrite.PASS_THROUGH);
    }

    public PhaseRewrites(Rewrite dualWrite, Rewrite readNew) {
        this(dualWrite, readNew, null);
    }

    public static final PhaseRewrites PASS = new PhaseRewrites(Rewrite.PASS_THROUGH, Rewrite.PASS_THROUGH);

    public static PhaseRewrites both(Rewrite r) {
        return new PhaseRewrites(r, r);
    }

    public static PhaseRewrites rejectBoth(String reason) {
        return both(new Rewrite.Rejected(reason));
    }

    /** Refused in every phase, {@code EXPANDED} included. */
    public static PhaseRewrites rejectEveryPhase(String reason) {
        Rewrite r = new Rewrite.Rejected(reason);
        return new PhaseRewrites(r, r, null, r);
    }

    /** The same rewrites with another translation. */
    public PhaseRewrites translatedAs(Rewrite translation, Function<String, Rewrite> returning) {
        return new PhaseRewrites(dualWrite, readNew, withReturning, expanded, translation, returning);
    }

    /**
     * The same rewrites with {@code rewrite} in {@code READ_NEW}: a write whose reads of the column read the new table
     * there. Generated keys (one form serves both phases that write old) take the dual write's RETURNING form, or the
     * statement as written where it has none: their WHERE then reads the old column, as it did.
     */
    public PhaseRewrites readingNew(Rewrite rewrite) {
        Function<String, Rewrite> returning = withReturning != null ? withReturning : list -> Rewrite.PASS_THROUGH;
        return new PhaseRewrites(dualWrite, rewrite, returning, expanded, translated, translatedReturning);
    }

    /**
     * For a table whose writes a trigger on the source syncs (row-level security, {@link io.dualwrite.rewriter.SourceTable#syncedByTrigger}):
     * in the phases that write both sides every write reaches PostgreSQL as the application sent it (the trigger keeps the
     * target in step with exactly the rows it changed); reads still read the target in {@code READ_NEW}. What is refused
     * in every phase stays refused (it would outlive the phase), and so do the phases without the old column.
     */
    public PhaseRewrites syncedByTrigger() {
        if (!(expanded instanceof Rewrite.PassThrough) || dualWrite instanceof Rewrite.PassThrough) {
            return this; // refused everywhere, or a read (which passes through in DUAL_WRITE and reads new in READ_NEW)
        }
        return new PhaseRewrites(Rewrite.PASS_THROUGH, Rewrite.PASS_THROUGH, null, expanded, translated, translatedReturning);
    }

    /** The same, with {@code refusal} wherever a phase would rewrite the statement. */
    public PhaseRewrites refusingRewrites(Rewrite.Rejected refusal) {
        return new PhaseRewrites(refusedIfRewritten(dualWrite, refusal), refusedIfRewritten(readNew, refusal),
                withReturning == null ? null : list -> refusal, expanded, refusedIfRewritten(translated, refusal),
                translatedReturning == null ? null : list -> refusal);
    }

    private static Rewrite refusedIfRewritten(Rewrite r, Rewrite.Rejected refusal) {
        return r instanceof Rewrite.Rewritten ? refusal : r;
    }

    public boolean isPassThrough() {
        return dualWrite instanceof Rewrite.PassThrough && readNew instanceof Rewrite.PassThrough
                && expanded instanceof Rewrite.PassThrough && translated instanceof Rewrite.PassThrough
                && translatedReturning == null;
    }
}
