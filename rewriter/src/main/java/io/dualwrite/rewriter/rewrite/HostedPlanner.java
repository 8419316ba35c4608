package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.analysis.HostedStatement;
import io.dualwrite.rewriter.analysis.Reasons;
import io.dualwrite.rewriter.analysis.Sig;

/**
 * Plans a statement that carries another ({@link HostedStatement}): the inner statement is planned
 * as if it stood alone, and its plan decides the host's.
 * <ul>
 *   <li>EXPLAIN ANALYZE of a write that needs the sync: the inner write is replaced by its dual
 *       write (EXPLAIN ANALYZE executes it, so both sides are written, and the plan shown is the
 *       one that runs); of a refused write: refused. EXPLAIN without ANALYZE runs nothing and
 *       passes through, as does EXPLAIN of a read.</li>
 *   <li>COPY (write … RETURNING …) TO: refused (its rows would carry the sync's hidden columns); COPY (read) TO: the
 *       read's own plan.</li>
 *   <li>PREPARE of a write that needs the sync: refused in every phase, EXPANDED included, because a
 *       prepared statement outlives phase changes and EXECUTE names no table.</li>
 *   <li>CREATE TABLE … AS, DECLARE … CURSOR FOR, PREPARE of a read: the read's own plan (pass-through
 *       while reads stay old, rewritten or refused in READ_NEW); over a write: refused.</li>
 * </ul>
 */
final class HostedPlanner {

    private final StatementPlanner planner;
    private final MigrationSpec spec;

    HostedPlanner(StatementPlanner planner, MigrationSpec spec) {
        this.planner = planner;
        this.spec = spec;
    }

    PhaseRewrites plan(String sql, String statement, int offset, Sig s, HostedStatement h) {
        Sig inner = new Sig(s.tokens().subList(h.inner(), h.end()));
        int start = inner.get(0).start();
        int end = inner.get(inner.size() - 1).end();
        // a cursor's query stays a scan of the table: WHERE CURRENT OF needs one (PostgreSQL: 24000 through a join)
        PhaseRewrites r = planner.plan(sql, statement.substring(start - offset, end - offset), start, inner,
                h.host() == HostedStatement.Host.DECLARE_CURSOR ? ReadRewriter.Joins.SCAN_ONLY : ReadRewriter.Joins.KEEPING_PARAMETERS);
        // the phase that writes new says whether the inner statement is a write the sync must see
        boolean writes = !(r.dualWrite() instanceof Rewrite.PassThrough);
        // the translation of a write the sync need not see (UPDATE … WHERE email = ?) is still a write
        boolean translatedWrite = r.translated() instanceof Rewrite.Rewritten w && w.kind() != Rewrite.Kind.READ_NEW;
        String prefix = statement.substring(0, start - offset);
        String suffix = statement.substring(end - offset);
        String hostName = h.host().toString().replace('_', ' ');
        Rewrite translated = embedded(r.translated(), prefix, suffix, hostName);
        switch (h.host()) {
            case EXPLAIN:
                // without ANALYZE nothing runs, but the plan must be of what would run: the translation
                if (!h.executes() || !writes) {
                    return PhaseRewrites.PASS.translatedAs(translated, null);
                }
                return new PhaseRewrites(embedded(r.dualWrite(), prefix, suffix, "EXPLAIN ANALYZE"),
                        embedded(r.readNew(), prefix, suffix, "EXPLAIN ANALYZE"), null, Rewrite.PASS_THROUGH,
                        translated, null);
            case COPY:
                if (writes) {
                    return reject(statement, "COPY (… RETURNING …) TO of a write to the migrated table: its rows would"
                            + " have to carry the columns the sync needs", "run the write as a statement of its own,"
                            + " with RETURNING through JDBC");
                }
                // a read: as CREATE TABLE … AS, the rows of the read's rewrite (which returns no hidden column)
                return new PhaseRewrites(Rewrite.PASS_THROUGH, embedded(r.readNew(), prefix, suffix, "COPY"), null,
                        Rewrite.PASS_THROUGH, translatedWrite ? rejected(statement, "COPY (… RETURNING …) TO of a write to"
                        + " the migrated table", "run the write as a statement of its own") : translated, null);
            case PREPARE:
                if (writes) {
                    return PhaseRewrites.rejectEveryPhase(reason(statement, "SQL-level PREPARE of a write to the"
                            + " migrated table: the prepared statement outlives phase changes, so a later EXECUTE could"
                            + " write the old column alone", "use a JDBC PreparedStatement (the driver prepares it"
                            + " again when the phase changes)"));
                }
                return new PhaseRewrites(Rewrite.PASS_THROUGH, embedded(r.readNew(), prefix, suffix, "PREPARE"), null,
                        Rewrite.PASS_THROUGH, translatedWrite ? rejected(statement, "SQL-level PREPARE of a write to the"
                        + " migrated table", "use a JDBC PreparedStatement") : translated, null);
            default:
                String host = h.host() == HostedStatement.Host.CREATE_TABLE_AS ? "CREATE TABLE … AS" : "DECLARE … CURSOR";
                if (writes) {
                    return reject(statement, host + " over a write to the migrated table",
                            "run the write as a statement of its own");
                }
                return new PhaseRewrites(Rewrite.PASS_THROUGH, embedded(r.readNew(), prefix, suffix, host), null,
                        Rewrite.PASS_THROUGH, translatedWrite ? rejected(statement, host + " over a write to the migrated"
                        + " table", "run the write as a statement of its own") : translated, null);
        }
    }

    /**
     * The host with the inner statement's rewrite in place. A dual write's text is the inner
     * statement alone and gets the host's text around it; its RETURNING rows never reach the
     * application through the host, so nothing is hidden. A read's rewrite already is the whole text.
     */
    private static Rewrite embedded(Rewrite r, String prefix, String suffix, String host) {
        if (r instanceof Rewrite.Rewritten w) {
            return w.kind() == Rewrite.Kind.READ_NEW ? w
                    : new Rewrite.Rewritten(prefix + w.sql() + suffix, Rewrite.Kind.DUAL_WRITE, 0, w.parameterSources());
        }
        if (r instanceof Rewrite.Rejected x) {
            return new Rewrite.Rejected(host + " of a statement that is refused: " + x.reason());
        }
        return r;
    }

    private String reason(String statement, String shape, String advice) {
        return Reasons.of(shape + " (" + spec.name() + ")", advice, statement);
    }

    private PhaseRewrites reject(String statement, String shape, String advice) {
        return PhaseRewrites.rejectBoth(reason(statement, shape, advice));
    }

    private Rewrite rejected(String statement, String shape, String advice) {
        return new Rewrite.Rejected(reason(statement, shape, advice));
    }
}
