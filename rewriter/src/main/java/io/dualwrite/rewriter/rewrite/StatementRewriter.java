package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.analysis.Reasons;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.cache.NameFilter;
import io.dualwrite.rewriter.cache.PlanCache;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Entry point for the driver: the rewrite plan of a SQL text, computed once and cached by the
 * exact text. Thread-safe.
 */
public final class StatementRewriter {

    private final List<StatementPlanner> planners = new ArrayList<>();
    private final NameFilter names;
    private final PlanCache cache;
    private final Function<String, RewritePlan> compute = this::compute;

    /** With a plan cache of {@link PlanCache#DEFAULT_MAX_BYTES}. */
    public StatementRewriter(List<SourceTable> migrations) {
        this(migrations, new PlanCache(PlanCache.DEFAULT_MAX_BYTES));
    }

    /** @param cache a new cache for this rewriter alone: its plans are only valid for these migrations */
    public StatementRewriter(List<SourceTable> migrations, PlanCache cache) {
        List<String> tableNames = new ArrayList<>(migrations.size());
        for (SourceTable t : migrations) {
            planners.add(new StatementPlanner(t.spec(), t.columns()));
            tableNames.add(t.spec().sourceTable());
        }
        this.names = new NameFilter(tableNames);
        this.cache = cache;
    }

    /**
     * A text that contains no migrated table's name passes through on the name check alone and is
     * never cached; the others are planned once and cached by their exact text.
     */
    public RewritePlan plan(String sql) {
        if (!names.mayMention(sql)) {
            return RewritePlan.PASS_THROUGH;
        }
        return cache.get(sql, compute);
    }

    /** Texts cached with a rewrite (for metrics). */
    public long cachedPlans() {
        return cache.rewrites();
    }

    /** The plan cache's estimated size in bytes (for metrics). */
    public long cachedBytes() {
        return cache.weightedBytes();
    }

    private RewritePlan compute(String sql) {
        List<Token> tokens = Lexer.tokenize(sql);
        List<List<Token>> statements = Statements.split(tokens);
        List<Sig> sigs = new ArrayList<>(statements.size());
        for (List<Token> st : statements) {
            sigs.add(new Sig(Statements.significant(st)));
        }
        StatementPlanner touched = null;
        for (StatementPlanner p : planners) {
            for (int i = 0; i < sigs.size(); i++) {
                if (p.names().mentionsTable(sigs.get(i)) || doBlockMentions(sigs.get(i), p)) {
                    if (touched != null && touched != p) {
                        return plan(touched.names().spec(), PhaseRewrites.rejectBoth(Reasons.of(
                                "a statement touching more than one migrated table (" + touched.names().spec().name()
                                        + ", " + p.names().spec().name() + ")",
                                "split it, or migrate one table at a time", sql)));
                    }
                    touched = p;
                }
            }
        }
        if (touched == null) {
            return RewritePlan.PASS_THROUGH;
        }
        if (statements.size() == 1) {
            Sig s = sigs.get(0);
            int start = statements.get(0).get(0).start();
            String statement = sql.substring(start, s.get(s.size() - 1).end());
            return plan(touched.names().spec(), touched.plan(sql, statement, start, s));
        }
        return plan(touched.names().spec(), multiple(touched, sql, statements, sigs));
    }

    /**
     * Several statements in one string: each statement is planned on its own and its rewrite (or
     * its text) is spliced back in place, separators and trivia kept. Any refused statement refuses
     * the whole string; so does one that would return rows with hidden columns (RETURNING).
     */
    private static PhaseRewrites multiple(StatementPlanner p, String sql, List<List<Token>> statements, List<Sig> sigs) {
        Combined expanded = new Combined();
        Combined dualWrite = new Combined();
        Combined readNew = new Combined();
        for (int i = 0; i < sigs.size(); i++) {
            Sig s = sigs.get(i);
            if (!p.names().mentionsTable(s) && !doBlockMentions(s, p)) {
                continue;
            }
            int start = s.get(0).start();
            int end = s.get(s.size() - 1).end();
            String statement = sql.substring(start, end);
            PhaseRewrites r = p.plan(statement, statement, 0, new Sig(Statements.significant(Lexer.tokenize(statement))));
            expanded.add(r.expanded(), start, end, statement, p);
            dualWrite.add(r.dualWrite(), start, end, statement, p);
            readNew.add(r.readNew(), start, end, statement, p);
        }
        Rewrite dw = dualWrite.result(sql);
        Rewrite rn = readNew.result(sql);
        Function<String, Rewrite> withReturning = null;
        if (dw instanceof Rewrite.Rewritten w && w.kind() == Rewrite.Kind.DUAL_WRITE) {
            Rewrite refused = new Rewrite.Rejected(Reasons.of("generated keys requested for several statements in one"
                    + " string that write " + p.names().spec().name(), "send the write as a statement of its own", sql));
            withReturning = list -> refused;
        }
        return new PhaseRewrites(dw, rn, withReturning, expanded.result(sql));
    }

    /** The per-statement rewrites of one phase, spliced into the whole string. */
    private static final class Combined {
        private final Splice splice = new Splice();
        private Rewrite rejected;
        private boolean dualWrite;

        void add(Rewrite r, int start, int end, String statement, StatementPlanner p) {
            if (rejected != null) {
                return;
            }
            if (r instanceof Rewrite.Rejected x) {
                rejected = new Rewrite.Rejected("several statements in one string, one of them refused: " + x.reason());
            } else if (r instanceof Rewrite.Rewritten w) {
                if (w.hiddenColumns() > 0 || w.kind() == Rewrite.Kind.DUAL_WRITE_RETURNING) {
                    rejected = new Rewrite.Rejected(Reasons.of("a write with RETURNING among several statements in"
                                    + " one string (" + p.names().spec().name() + ")",
                            "send the statement with RETURNING on its own", statement));
                    return;
                }
                dualWrite |= w.kind() == Rewrite.Kind.DUAL_WRITE;
                splice.replace(start, end, w.sql());
            }
        }

        Rewrite result(String sql) {
            if (rejected != null) {
                return rejected;
            }
            if (splice.isEmpty()) {
                return Rewrite.PASS_THROUGH;
            }
            return new Rewrite.Rewritten(splice.apply(sql), dualWrite ? Rewrite.Kind.DUAL_WRITE : Rewrite.Kind.READ_NEW);
        }
    }

    /** A DO block runs its body now; if the body names the table it may write it unseen. */
    private static boolean doBlockMentions(Sig s, StatementPlanner p) {
        if (!s.is(0, "do")) {
            return false;
        }
        String table = p.names().spec().sourceTable().toLowerCase(Locale.ROOT);
        for (Token t : s.tokens()) {
            if ((t.kind() == TokenKind.DOLLAR_STRING || t.kind() == TokenKind.STRING
                    || t.kind() == TokenKind.ESCAPE_STRING) && t.text().toLowerCase(Locale.ROOT).contains(table)) {
                return true;
            }
        }
        return false;
    }

    private static RewritePlan plan(MigrationSpec spec, PhaseRewrites r) {
        if (r.isPassThrough()) {
            return RewritePlan.PASS_THROUGH;
        }
        Rewrite[] byPhase = new Rewrite[Phase.values().length];
        for (Phase phase : Phase.values()) {
            byPhase[phase.ordinal()] = switch (phase) {
                case EXPANDED -> r.expanded();
                case DUAL_WRITE -> r.dualWrite();
                case READ_NEW -> r.readNew();
                case NEW_ONLY, CONTRACTED -> new Rewrite.Rejected("phase " + phase
                        + " is not supported by this version of dualwrite (statement touches " + spec.name() + ")");
            };
        }
        return new RewritePlan(spec, byPhase, r.withReturning());
    }
}
