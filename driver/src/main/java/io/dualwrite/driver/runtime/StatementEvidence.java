package io.dualwrite.driver.runtime;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import io.dualwrite.rewriter.analysis.StatementFingerprint;
import org.postgresql.Driver;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The statement evidence of one database: from DUAL_WRITE on, each distinct statement this instance runs
 * whose plan touches a migration (it names the migrated column, or needs translation: {@code *}, a positional
 * INSERT), by {@link StatementFingerprint}, with its executions and whether NEW_ONLY and CONTRACTED can
 * translate it. The gates of those phases read what the fleet recorded ({@code dualwrite.statement_evidence}).
 *
 * <p>Connection property {@value #PROPERTY} (also in the URL): {@code false} records nothing; default
 * {@code true}. Read by the first connection to a database, like the plan cache's size. Turning it off
 * leaves the gates blind to this instance: they pass on what the others recorded.
 *
 * <p>The statement path makes one lookup in a bounded map keyed by the plan's identity and increments a
 * counter: no lock, no allocation once the plan was seen. The phase follower's thread writes the counts
 * ({@link #flush}), on its own connection, never in the application's transaction; a failed write keeps them
 * for the next round and never reaches the application.
 */
public final class StatementEvidence {

    static final String PROPERTY = "dualwriteEvidence";
    /** Distinct statements kept per database; more are not recorded (and said so once in the log). */
    static final int MAX_STATEMENTS = 10_000;
    /** Plans remembered; a plan evicted here is fingerprinted again when it comes back, its statement kept. */
    private static final int MAX_PLANS = 4_096;

    private static final System.Logger LOG = System.getLogger("io.dualwrite.driver");

    private final boolean enabled;
    private final Cache<RewritePlan, Tally> byPlan = Caffeine.newBuilder().maximumSize(MAX_PLANS).build();
    private final ConcurrentHashMap<String, Tally> byFingerprint = new ConcurrentHashMap<>();
    private volatile boolean overflowLogged;

    /** One statement (migration, fingerprint): what is written, and the executions not yet written. */
    private static final class Tally {
        final String migration;
        final String fingerprint;
        final String sample;
        final LongAdder unwritten = new LongAdder();
        /** Null while every plan of the statement translates; once one does not, its reason (never reset). */
        volatile String refusal;

        Tally(String migration, StatementFingerprint f) {
            this.migration = migration;
            this.fingerprint = f.hash();
            this.sample = f.sample();
        }
    }

    StatementEvidence(boolean enabled) {
        this.enabled = enabled;
    }

    /** Whether {@value #PROPERTY} leaves recording on for this database (URL or connection properties). */
    static boolean enabled(String pgUrl, Properties info) {
        String value = info == null ? null : info.getProperty(PROPERTY);
        if (value == null) {
            Properties fromUrl = Driver.parseURL(pgUrl, null);
            value = fromUrl == null ? null : fromUrl.getProperty(PROPERTY);
        }
        return value == null || !value.trim().equalsIgnoreCase("false");
    }

    /**
     * One execution of {@code sql}, whose plan touches a migration, in {@code phase}.
     *
     * @param standardConformingStrings the session's, to read the text as it does (only the first time)
     */
    public void seen(RewritePlan plan, Phase phase, String sql, boolean standardConformingStrings) {
        if (!enabled || !phase.writesNew()) {
            return;
        }
        Tally tally = byPlan.getIfPresent(plan);
        if (tally == null) {
            tally = tallyOf(plan, sql, standardConformingStrings);
            if (tally == null) {
                return;
            }
            byPlan.put(plan, tally);
        }
        tally.unwritten.increment();
    }

    private Tally tallyOf(RewritePlan plan, String sql, boolean standardConformingStrings) {
        StatementFingerprint f = StatementFingerprint.of(sql, standardConformingStrings);
        String migration = plan.migration().name();
        String key = migration + '\u0000' + f.hash();
        Tally tally = byFingerprint.get(key);
        if (tally == null) {
            if (byFingerprint.size() >= MAX_STATEMENTS) {
                if (!overflowLogged) {
                    overflowLogged = true;
                    LOG.log(System.Logger.Level.WARNING, "dualwrite: more than " + MAX_STATEMENTS + " distinct statements"
                            + " touch a migration; statements beyond them are not recorded as evidence (first left out: "
                            + f.sample() + ")");
                }
                return null;
            }
            tally = byFingerprint.computeIfAbsent(key, k -> new Tally(migration, f));
        }
        if (plan.forPhase(Phase.CONTRACTED) instanceof Rewrite.Rejected rejected && tally.refusal == null) {
            tally.refusal = rejected.reason();
        }
        return tally;
    }

    /**
     * Writes the executions counted since the last flush into {@code dualwrite.statement_evidence} as
     * {@code instance} (adding counts, last seen = now), in one statement on the follower's connection.
     * On failure the counts stay for the next round.
     */
    void flush(Connection c, String instance) throws SQLException {
        List<Tally> tallies = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (Tally t : byFingerprint.values()) {
            long n = t.unwritten.sumThenReset();
            if (n > 0) {
                tallies.add(t);
                counts.add(n);
            }
        }
        if (tallies.isEmpty()) {
            return;
        }
        try (PreparedStatement p = c.prepareStatement("""
                INSERT INTO dualwrite.statement_evidence AS e
                  (migration, fingerprint, instance, sample, executions, translatable, refusal)
                SELECT u.m, u.f, ?, u.s, u.n, u.r IS NULL, u.r
                FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[]) AS u(m, f, s, n, r)
                WHERE EXISTS (SELECT 1 FROM dualwrite.migration WHERE name = u.m)
                ON CONFLICT (migration, fingerprint, instance) DO UPDATE
                  SET executions = e.executions + EXCLUDED.executions, last_seen = now(),
                      translatable = EXCLUDED.translatable, refusal = EXCLUDED.refusal""")) {
            p.setString(1, instance);
            p.setArray(2, c.createArrayOf("text", tallies.stream().map(t -> t.migration).toArray()));
            p.setArray(3, c.createArrayOf("text", tallies.stream().map(t -> t.fingerprint).toArray()));
            p.setArray(4, c.createArrayOf("text", tallies.stream().map(t -> t.sample).toArray()));
            p.setArray(5, c.createArrayOf("int8", counts.toArray()));
            p.setArray(6, c.createArrayOf("text", tallies.stream().map(t -> t.refusal).toArray()));
            p.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            for (int i = 0; i < tallies.size(); i++) {
                tallies.get(i).unwritten.add(counts.get(i));
            }
            throw e;
        }
    }
}
