package io.dualwrite.rewriter.cache;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Approximate heap bytes of a cache entry: its texts at their real width (Java 17 stores a string
 * of Latin-1 characters in one byte per character, others in two) plus fixed object overheads,
 * rounded up. An estimate that errs high keeps the heap under the configured size; the benchmark
 * suite compares it with the heap retained after GC.
 */
final class PlanWeigher {

    /** Caffeine's node, the map's node, the key's String object and array header, the plan and its arrays. */
    static final int ENTRY_OVERHEAD = 320;
    /** A record holding a text, with its String object and array header. */
    static final int REWRITE_OVERHEAD = 64;
    /**
     * Per character of the statement, for a plan that keeps the statement's tokens to translate it
     * with a generated-keys list later (a token record, its list slot and two ints of the token
     * analysis: about 44 bytes for a significant token, one per three to four characters).
     */
    static final int TOKENS_PER_CHAR = 12;
    /** A translated generated-keys form is the statement with its columns expanded: bounded by this much more. */
    static final int TRANSLATED_RETURNING_EXTRA = 512;

    private PlanWeigher() {
    }

    /**
     * A plan with rewrites: the key text, each distinct rewrite, and for a dual write the parts the
     * plan keeps to build its generated-keys form later (the statement again) plus one such form
     * (it is cached in the plan when first asked for, after the entry was weighed); for a write the
     * translated phases translate with such a list, the statement's tokens and one translated form.
     */
    static int rewrite(String sql, RewritePlan plan) {
        long bytes = ENTRY_OVERHEAD + textBytes(sql);
        Map<Rewrite, Boolean> seen = new IdentityHashMap<>();
        for (Phase phase : Phase.values()) {
            Rewrite r = plan.forPhase(phase);
            if (seen.put(r, Boolean.TRUE) != null) {
                continue;
            }
            if (r instanceof Rewrite.Rewritten w) {
                bytes += REWRITE_OVERHEAD + textBytes(w.sql());
                if (w.ifNotNull() != null) {
                    bytes += 2 * REWRITE_OVERHEAD + textBytes(w.ifNotNull().form().sql());
                }
                if (w.kind() == Rewrite.Kind.DUAL_WRITE) {
                    bytes += 2 * REWRITE_OVERHEAD + textBytes(sql) + textBytes(w.sql());
                }
            } else if (r instanceof Rewrite.Rejected x) {
                bytes += REWRITE_OVERHEAD + textBytes(x.reason());
            }
        }
        if (plan.translatesReturning()) {
            bytes += TOKENS_PER_CHAR * (long) sql.length() + REWRITE_OVERHEAD + textBytes(sql) + TRANSLATED_RETURNING_EXTRA;
        }
        for (RewritePlan other : plan.alsoRewrittenBy()) {
            bytes += rewrite(sql, other) - ENTRY_OVERHEAD - textBytes(sql) + REWRITE_OVERHEAD;
        }
        if (plan.refusedWithOthers() != null) {
            bytes += REWRITE_OVERHEAD + textBytes(plan.refusedWithOthers().reason());
        }
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }

    /** A text remembered as needing no rewrite: the shared pass-through plan costs nothing. */
    static int passThrough(String sql) {
        return (int) Math.min(Integer.MAX_VALUE, ENTRY_OVERHEAD / 2 + textBytes(sql));
    }

    static long textBytes(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) > 0xFF) {
                return 2L * n;
            }
        }
        return n;
    }
}
