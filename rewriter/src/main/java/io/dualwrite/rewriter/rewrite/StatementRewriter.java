package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import io.dualwrite.rewriter.RelationName;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.analysis.AssumedWithoutColumn;
import io.dualwrite.rewriter.analysis.Reasons;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.cache.NameFilter;
import io.dualwrite.rewriter.cache.PlanCache;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Scan;
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
    /** Per name of {@link #names}: the index of the planner whose table (or descendant) it is. */
    private final int[] nameOwners;
    private final PlanCache cache;
    /** Plans of texts with a backslash, for sessions with standard_conforming_strings off (they read them differently). */
    private final PlanCache backslashEscapingCache;
    private final PlanningObserver observer;
    private final Function<String, RewritePlan> compute = sql -> timed(sql, true);
    private final Function<String, RewritePlan> computeBackslashEscaping = sql -> timed(sql, false);

    /** Told how long each text took to plan (once per text: a cache miss); the driver's metrics hang here. */
    public interface PlanningObserver {
        PlanningObserver NONE = (plan, nanos) -> { };

        void planned(RewritePlan plan, long nanos);
    }

    /** With a plan cache of {@link PlanCache#DEFAULT_MAX_BYTES}. */
    public StatementRewriter(List<SourceTable> migrations) {
        this(migrations, new PlanCache(PlanCache.DEFAULT_MAX_BYTES));
    }

    /** @param cache a new cache for this rewriter alone: its plans are only valid for these migrations */
    public StatementRewriter(List<SourceTable> migrations, PlanCache cache) {
        this(migrations, cache, PlanningObserver.NONE);
    }

    /** @param observer told of every plan computed (not of cache hits), with the time it took */
    public StatementRewriter(List<SourceTable> migrations, PlanCache cache, PlanningObserver observer) {
        this.observer = observer;
        List<String> tableNames = new ArrayList<>(migrations.size());
        List<Integer> owners = new ArrayList<>();
        for (SourceTable t : migrations) {
            planners.add(new StatementPlanner(t));
            tableNames.add(t.spec().sourceTable());
            owners.add(planners.size() - 1);
            String table = t.spec().sourceTable().toLowerCase(Locale.ROOT);
            for (RelationName d : t.rowSharing()) {
                // a text that names a partition, child or view alone must reach the planner too; one whose name
                // contains the table's (users_2024) already does, and each name searched costs every pass-through text
                if (!d.name().toLowerCase(Locale.ROOT).contains(table)) {
                    tableNames.add(d.name());
                    owners.add(planners.size() - 1);
                }
            }
        }
        this.names = new NameFilter(tableNames);
        this.nameOwners = owners.stream().mapToInt(Integer::intValue).toArray();
        this.cache = cache;
        // rare (a backslash in the text of a session with the setting off): a small share of the budget
        this.backslashEscapingCache = new PlanCache(cache.maxBytes() / 8);
    }

    /**
     * The plan for a session with {@code standard_conforming_strings = on} (PostgreSQL's default). A
     * text that may name no migrated table passes through on the name check alone and is never cached;
     * the others are planned once and cached by their exact text.
     */
    public RewritePlan plan(String sql) {
        if (!names.mayMention(sql)) {
            return RewritePlan.PASS_THROUGH;
        }
        return cache.get(sql, compute);
    }

    /**
     * The plan for a session whose {@code standard_conforming_strings} is as given (PgJDBC knows
     * it: {@code BaseConnection.getStandardConformingStrings()}). Only a text with a backslash can
     * read differently, so the others share one cache entry.
     */
    public RewritePlan plan(String sql, boolean standardConformingStrings) {
        if (standardConformingStrings || sql.indexOf('\\') < 0) {
            return plan(sql);
        }
        if (!names.mayMention(sql)) {
            return RewritePlan.PASS_THROUGH;
        }
        return backslashEscapingCache.get(sql, computeBackslashEscaping);
    }

    /** Texts cached with a rewrite (for metrics). */
    public long cachedPlans() {
        return cache.rewrites();
    }

    /** The plan cache's estimated size in bytes (for metrics). */
    public long cachedBytes() {
        return cache.weightedBytes();
    }

    private RewritePlan timed(String sql, boolean standardConformingStrings) {
        long start = System.nanoTime();
        RewritePlan plan = AssumedWithoutColumn.collect(() -> compute(sql, standardConformingStrings),
                RewritePlan::assumingWithoutColumn).withEachRewrite(r -> ParameterLimit.check(r, sql));
        observer.planned(plan, System.nanoTime() - start);
        return plan;
    }

    private RewritePlan compute(String sql, boolean standardConformingStrings) {
        Scan scan = Lexer.scan(sql, standardConformingStrings);
        if (!scan.certain()) {
            return refusedByEvery(sql, Reasons.of("a text that PostgreSQL may read differently from dualwrite's scanner ("
                    + scan.uncertainty() + ") and that could touch a migrated table", "write it without the unusual spelling", sql));
        }
        try {
            return computeCertain(sql, scan, standardConformingStrings);
        } catch (RuntimeException | StackOverflowError e) {
            // a text the planners misread (a malformed statement they did not expect): refused, never an unchecked error
            return refusedByEvery(sql, Reasons.of("a text dualwrite could not read (" + e + ") and that could touch a"
                    + " migrated table", "check the statement; report it if PostgreSQL accepts it", sql));
        }
    }

    /** Refused for whichever migration is past EXPANDED: any of them may be what PostgreSQL reads in {@code sql}. */
    private RewritePlan refusedByEvery(String sql, String reason) {
        StatementPlanner named = planners.get(nameOwners[Math.max(0, names.firstNamed(sql))]);
        List<RewritePlan> others = new ArrayList<>();
        for (StatementPlanner p : planners) {
            if (p != named) {
                others.add(plan(p.names().spec(), PhaseRewrites.rejectBoth(reason)));
            }
        }
        RewritePlan first = plan(named.names().spec(), PhaseRewrites.rejectBoth(reason));
        return others.isEmpty() ? first : first.alsoRewrittenBy(others, reason);
    }

    private RewritePlan computeCertain(String sql, Scan scan, boolean standardConformingStrings) {
        List<List<Token>> statements = Statements.split(scan.tokens());
        List<Sig> sigs = new ArrayList<>(statements.size());
        for (List<Token> st : statements) {
            sigs.add(new Sig(Statements.significant(st)));
        }
        List<StatementPlanner> touching = new ArrayList<>(1);
        boolean[] mentions = new boolean[sigs.size()];
        for (StatementPlanner p : planners) {
            boolean touches = false;
            for (int i = 0; i < sigs.size(); i++) {
                boolean named = p.touches(sigs.get(i));
                mentions[i] |= named;
                touches |= named || doBlockMentions(sigs.get(i), p);
            }
            if (touches) {
                touching.add(p);
            }
        }
        if (touching.isEmpty()) {
            return RewritePlan.PASS_THROUGH;
        }
        List<Token> tableQueries = new ArrayList<>();
        for (int i = 0; i < sigs.size(); i++) {
            if (mentions[i]) {
                TableQueries.collect(sigs.get(i), tableQueries);
            }
        }
        if (!tableQueries.isEmpty()) {
            return compute(TableQueries.spelledAsSelect(sql, tableQueries), standardConformingStrings);
        }
        if (touching.size() == 1) {
            return plan(touching.get(0), rewrites(touching.get(0), sql, scan, statements, sigs, standardConformingStrings));
        }
        // the tables of several migrations: each plans the statement for its own column, and most leave it alone (a
        // join of two migrated tables that reads one migrated column); those that do not are refused together
        RewritePlan first = null;
        List<RewritePlan> others = new ArrayList<>();
        List<String> rewriting = new ArrayList<>();
        for (StatementPlanner p : touching) {
            RewritePlan plan = plan(p, rewrites(p, sql, scan, statements, sigs, standardConformingStrings));
            if (plan.passThrough()) {
                continue;
            }
            rewriting.add(p.names().spec().name());
            if (first == null) {
                first = plan;
            } else {
                others.add(plan);
            }
        }
        if (first == null || others.isEmpty()) {
            return first == null ? RewritePlan.PASS_THROUGH : first;
        }
        return first.alsoRewrittenBy(others, Reasons.of("a statement that more than one migration rewrites in its"
                + " current phase (" + String.join(", ", rewriting) + "); dualwrite does not combine two migrations' rewrites"
                + " in one statement", "split it so that each statement reads or writes one migrated column", sql));
    }

    /** What {@code p} makes of the text for its own migration, in every phase. */
    private PhaseRewrites rewrites(StatementPlanner p, String sql, Scan scan, List<List<Token>> statements, List<Sig> sigs,
                                   boolean standardConformingStrings) {
        if (statements.size() > 1) {
            return multiple(p, sql, statements, sigs, standardConformingStrings);
        }
        Sig s = sigs.get(0);
        int start = statements.get(0).get(0).start();
        int end = s.get(s.size() - 1).end();
        PhaseRewrites r = p.plan(sql, sql.substring(start, end), start, s, ReadRewriter.Joins.MOVING_PARAMETERS);
        return commentBetweenSemicolons(scan.tokens(), s) ? keepAround(r, sql.substring(0, s.get(0).start()), sql.substring(end)) : r;
    }

    private static RewritePlan plan(StatementPlanner touched, PhaseRewrites r) {
        return plan(touched.names().spec(), touched.syncedByTrigger() ? r.syncedByTrigger() : r);
    }

    /**
     * Several statements in one string: each statement is planned on its own and its rewrite (or
     * its text) is spliced back in place, separators and trivia kept. Any refused statement refuses
     * the whole string; so does one that would return rows with hidden columns (RETURNING).
     */
    private static PhaseRewrites multiple(StatementPlanner p, String sql, List<List<Token>> statements, List<Sig> sigs,
                                          boolean standardConformingStrings) {
        Combined expanded = new Combined();
        Combined dualWrite = new Combined();
        Combined readNew = new Combined();
        Combined translated = new Combined();
        boolean translatedWrite = false;
        List<Combined> phases = List.of(expanded, dualWrite, readNew, translated);
        for (int i = 0; i < sigs.size(); i++) {
            Sig s = sigs.get(i);
            int markers = 0;
            for (Token t : s.tokens()) {
                markers += t.kind() == TokenKind.PARAMETER && t.text().equals("?") ? 1 : 0;
            }
            if (!p.touches(s) && !doBlockMentions(s, p)) {
                for (Combined c : phases) {
                    c.keepParameters(markers);
                }
                continue;
            }
            int start = s.get(0).start();
            int end = s.get(s.size() - 1).end();
            String statement = sql.substring(start, end);
            PhaseRewrites r = p.plan(statement, statement, 0, new Sig(Statements.significant(
                    Lexer.scan(statement, standardConformingStrings).tokens())));
            expanded.add(r.expanded(), start, end, statement, markers);
            dualWrite.add(r.dualWrite(), start, end, statement, markers);
            readNew.add(r.readNew(), start, end, statement, markers);
            translated.add(r.translated(), start, end, statement, markers);
            translatedWrite |= r.translatedReturning() != null;
        }
        Rewrite dw = dualWrite.result(sql);
        Rewrite rn = readNew.result(sql);
        Function<String, Rewrite> withReturning = null;
        if (dw instanceof Rewrite.Rewritten w && w.kind() == Rewrite.Kind.DUAL_WRITE) {
            Rewrite refused = new Rewrite.Rejected(Reasons.of("generated keys requested for several statements in one"
                    + " string that write " + p.names().spec().name(), "send the write as a statement of its own", sql));
            withReturning = list -> refused;
        }
        Rewrite tr = translated.result(sql);
        Function<String, Rewrite> translatedReturning = null;
        if (translatedWrite || (tr instanceof Rewrite.Rewritten w && w.kind() == Rewrite.Kind.DUAL_WRITE)) {
            Rewrite refused = new Rewrite.Rejected(Reasons.of("generated keys requested for several statements in one"
                    + " string that write " + p.names().spec().name(), "send the write as a statement of its own", sql));
            translatedReturning = list -> refused;
        }
        return new PhaseRewrites(dw, rn, withReturning, expanded.result(sql), tr, translatedReturning);
    }

    /**
     * PgJDBC sends a comment that stands between semicolons as a query of its own (the application
     * sees one more, empty, result), so the rewrite of such a text keeps everything around the statement.
     */
    private static boolean commentBetweenSemicolons(List<Token> tokens, Sig statement) {
        int first = statement.get(0).start();
        int last = statement.get(statement.size() - 1).end();
        boolean semicolon = false;
        for (Token t : tokens) {
            if (t.start() >= last) {
                semicolon |= t.kind() == TokenKind.SEMICOLON;
                if (semicolon && t.kind() != TokenKind.SEMICOLON && t.kind() != TokenKind.WHITESPACE) {
                    return true;
                }
            }
        }
        semicolon = false;
        for (int i = tokens.size() - 1; i >= 0; i--) {
            Token t = tokens.get(i);
            if (t.end() <= first) {
                semicolon |= t.kind() == TokenKind.SEMICOLON;
                if (semicolon && t.kind() != TokenKind.SEMICOLON && t.kind() != TokenKind.WHITESPACE) {
                    return true;
                }
            }
        }
        return false;
    }

    private static PhaseRewrites keepAround(PhaseRewrites r, String before, String after) {
        // write forms are built from the statement alone; read rewrites already keep the whole text
        Function<Rewrite, Rewrite> wrap = x -> x instanceof Rewrite.Rewritten w && w.kind() != Rewrite.Kind.READ_NEW
                ? w.around(before, after) : x;
        Function<String, Rewrite> returning = r.withReturning() == null ? null
                : r.withReturning().andThen(wrap);
        Function<String, Rewrite> translatedReturning = r.translatedReturning() == null ? null
                : r.translatedReturning().andThen(wrap);
        return new PhaseRewrites(wrap.apply(r.dualWrite()), wrap.apply(r.readNew()), returning, r.expanded(),
                wrap.apply(r.translated()), translatedReturning);
    }

    /**
     * The per-statement rewrites of one phase, spliced into the whole string; where one moves parameters
     * ({@link Rewrite.Rewritten#parameterSources}), the map of the whole string: PgJDBC numbers the markers across all
     * its statements, so each statement's map is offset by the markers before it.
     */
    private static final class Combined {
        private final Splice splice = new Splice();
        private final List<Integer> parameterSources = new ArrayList<>();
        private int markers;
        private boolean parametersMoved;
        private Rewrite rejected;
        private boolean dualWrite;
        private final List<Rewrite.Origins> origins = new ArrayList<>();

        void add(Rewrite r, int start, int end, String statement, int statementMarkers) {
            if (rejected != null) {
                return;
            }
            if (r instanceof Rewrite.Rejected x) {
                rejected = new Rewrite.Rejected("several statements in one string, one of them refused: " + x.reason());
            } else if (r instanceof Rewrite.Rewritten w) {
                if (w.hiddenColumns() > 0 || w.kind() == Rewrite.Kind.DUAL_WRITE_RETURNING) {
                    rejected = new Rewrite.Rejected(Reasons.of("a write with RETURNING among several statements in"
                                    + " one string", "send the statement with RETURNING on its own", statement));
                    return;
                }
                if (w.parameterSources() != null) {
                    for (int source : w.parameterSources()) {
                        parameterSources.add(markers + source);
                    }
                    markers += statementMarkers;
                    parametersMoved = true;
                } else {
                    keepParameters(statementMarkers);
                }
                dualWrite |= w.kind() == Rewrite.Kind.DUAL_WRITE;
                origins.add(w.origins());
                splice.replace(start, end, w.sql());
            } else {
                keepParameters(statementMarkers);
            }
        }

        /** A statement whose markers stay as they are. */
        void keepParameters(int statementMarkers) {
            for (int k = 1; k <= statementMarkers; k++) {
                parameterSources.add(markers + k);
            }
            markers += statementMarkers;
        }

        Rewrite result(String sql) {
            if (rejected != null) {
                return rejected;
            }
            if (splice.isEmpty()) {
                return Rewrite.PASS_THROUGH;
            }
            return new Rewrite.Rewritten(splice.apply(sql), dualWrite ? Rewrite.Kind.DUAL_WRITE : Rewrite.Kind.READ_NEW, 0,
                    parametersMoved ? parameterSources.stream().mapToInt(Integer::intValue).toArray() : null, null, null,
                    Rewrite.Origins.ofSeveral(origins));
        }
    }

    /**
     * A DO block runs its body now; if the body names the table it may write it unseen. A function or procedure whose
     * body (a string) names the table and the column would read or write the column when called, where the driver
     * does not see it: planned as other DDL that names the table (refused from DUAL_WRITE on). A body naming a relation
     * that shares the table's rows counts as naming the table; one naming a view over the column need not name the
     * column (the view may rename it).
     */
    private static boolean doBlockMentions(Sig s, StatementPlanner p) {
        boolean routine = s.is(0, "create") && (s.is(1, "function") || s.is(1, "procedure") || s.is(1, "or")
                && s.is(2, "replace") && (s.is(3, "function") || s.is(3, "procedure")));
        if (!s.is(0, "do") && !routine) {
            return false;
        }
        String table = p.names().spec().sourceTable().toLowerCase(Locale.ROOT);
        String column = p.names().spec().sourceColumn().toLowerCase(Locale.ROOT);
        for (Token t : s.tokens()) {
            String body = t.text().toLowerCase(Locale.ROOT);
            if ((t.kind() == TokenKind.DOLLAR_STRING || t.kind() == TokenKind.STRING
                    || t.kind() == TokenKind.ESCAPE_STRING)
                    && ((body.contains(table) || p.rowSharing().inDescendantOrViewText(body))
                            && (!routine || body.contains(column)) || p.rowSharing().inColumnRuleText(body))) {
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
            byPhase[phase.ordinal()] = !phase.writesNew() ? r.expanded()
                    : !phase.writesOld() ? r.translated()
                    : phase.readsNew() ? r.readNew() : r.dualWrite();
        }
        return new RewritePlan(spec, byPhase, r.withReturning(), r.translatedReturning());
    }
}
