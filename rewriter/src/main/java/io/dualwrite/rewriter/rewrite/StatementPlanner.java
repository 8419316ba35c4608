package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.analysis.JooqView;
import io.dualwrite.rewriter.analysis.Reasons;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import io.dualwrite.rewriter.analysis.StatementClass;
import io.dualwrite.rewriter.analysis.WriteAnalyzer;
import io.dualwrite.rewriter.analysis.WriteScan;
import io.dualwrite.rewriter.analysis.WriteShape;
import java.util.List;
import org.jooq.Query;

/**
 * Decides, for one statement that mentions a migration's source table, what to send in the
 * phases that write new. Writes fail closed: anything not understood with certainty is refused.
 */
public final class StatementPlanner {

    private final SourceNames names;
    private final MigrationSpec spec;
    private final WriteAnalyzer writes;
    private final ReadRewriter reads;

    public StatementPlanner(MigrationSpec spec, List<String> columns) {
        this.spec = spec;
        this.names = new SourceNames(spec);
        this.writes = new WriteAnalyzer(names);
        this.reads = new ReadRewriter(names, columns);
    }

    public SourceNames names() {
        return names;
    }

    /**
     * @param sql       the whole SQL text (offsets of {@code s} refer to it)
     * @param statement the statement's own text, without its semicolon and trailing trivia
     * @param offset    where {@code statement} starts in {@code sql}
     */
    public PhaseRewrites plan(String sql, String statement, int offset, Sig s) {
        StatementClass kind = StatementClass.of(s);
        switch (kind) {
            case INSERT, UPDATE, DELETE:
                return write(statement, offset, s, kind);
            case WITH:
                if (WriteScan.writesSource(s, names)) {
                    return reject(statement, "a statement with its own WITH clause that writes the migrated table",
                            "move the write out of the WITH clause (a later version will support it)");
                }
                return hasDepthZeroWrite(s) ? PhaseRewrites.PASS : read(sql, statement, offset, s);
            case READ:
                return read(sql, statement, offset, s);
            case TABLE:
                return new PhaseRewrites(Rewrite.PASS_THROUGH, rejected(statement,
                        "TABLE on the migrated table reads the old column", "write it as SELECT with a column list"));
            case MERGE:
                return WriteScan.writesSource(s, names)
                        ? reject(statement, "MERGE into the migrated table", "use INSERT … ON CONFLICT or UPDATE instead")
                        : PhaseRewrites.PASS;
            case TRUNCATE:
                return reject(statement, "TRUNCATE of the migrated table",
                        "use DELETE, or truncate the target table too in the EXPANDED phase");
            case COPY:
                if (s.find("from", 1, s.size(), 0) >= 0 && !s.isSymbol(1, "(")) {
                    return reject(statement, "COPY … FROM into the migrated table",
                            "load with INSERT statements, or load before the DUAL_WRITE phase and run the backfill");
                }
                return new PhaseRewrites(Rewrite.PASS_THROUGH, rejected(statement,
                        "COPY … TO reading the migrated table is not rewritten", "use a SELECT, or run it in a phase that reads old"));
            case EXPLAIN:
                if (s.find("analyze", 1, s.size(), 0) >= 0 || s.find("analyze", 1, s.size(), 1) >= 0) {
                    if (WriteScan.writesSource(s, names)) {
                        return reject(statement, "EXPLAIN ANALYZE executes a write to the migrated table",
                                "EXPLAIN without ANALYZE, or run it in the EXPANDED phase");
                    }
                }
                return PhaseRewrites.PASS;
            case HARMLESS:
                return PhaseRewrites.PASS;
            default:
                return reject(statement, s.get(0).text().toUpperCase(java.util.Locale.ROOT)
                                + " statement that names the migrated table (DDL, rules, DO blocks, PREPARE …)",
                        "run it in the EXPANDED phase or through the migrator; it could change the migrated column"
                                + " behind the dual write");
        }
    }

    private PhaseRewrites write(String statement, int offset, Sig s, StatementClass kind) {
        WriteShape shape = writes.analyze(s);
        if (shape == null) {
            if (targetLooksLikeSource(s, kind)) {
                return reject(statement, kind + " on the migrated table whose structure was not recognised",
                        "simplify the statement");
            }
            return PhaseRewrites.PASS; // writes another table; reading the old column is still correct
        }
        Query parsed = JooqView.parse(withoutOnly(statement, offset, s, kind));
        if (parsed != null) {
            String target = JooqView.targetTable(parsed);
            boolean agree = (spec.sourceSchema() + "." + spec.sourceTable()).equals(target)
                    && JooqView.hasReturning(parsed) == shape.hasReturning()
                    && !JooqView.hasWith(parsed)
                    && sameRelevantColumns(JooqView.assigned(parsed), shape);
            if (!agree) {
                return reject(statement, kind + " on the migrated table that jOOQ and the token analysis"
                        + " read differently", "simplify the statement, or report it as a dualwrite bug");
            }
        } else if (kind == StatementClass.UPDATE && !assignsColumn(shape) && !assignsKey(shape)
                && WriteScan.mayReadColumn(s, names)) {
            return reject(statement, "an UPDATE of the migrated table that the parser could not read and that"
                    + " mentions the migrated column", "simplify the statement");
        }
        if (shape.hasReturning()) {
            return reject(statement, kind + " … RETURNING on a migrated table is not supported yet",
                    "drop RETURNING and read the row back in the same transaction");
        }
        switch (shape.verb()) {
            case INSERT:
                if (assignsKey(shape)) {
                    return reject(statement, "INSERT … ON CONFLICT DO UPDATE that sets the key column",
                            "do not change the key of a migrated table");
                }
                return PhaseRewrites.both(dualWrite(DualWriteForm.upsert(spec, statement,
                        shape.hasAlias() ? shape.qualifier() : null)));
            case UPDATE:
                if (assignsKey(shape)) {
                    return reject(statement, "UPDATE that sets the key column of the migrated table",
                            "do not change the key of a migrated table");
                }
                return assignsColumn(shape)
                        ? PhaseRewrites.both(dualWrite(DualWriteForm.upsert(spec, statement, shape.qualifier())))
                        : PhaseRewrites.PASS;
            default:
                return PhaseRewrites.both(dualWrite(DualWriteForm.delete(spec, statement, shape.qualifier())));
        }
    }

    private boolean sameRelevantColumns(java.util.Set<String> jooq, WriteShape shape) {
        return jooq.contains(spec.sourceColumn()) == assignsColumn(shape)
                && jooq.contains(spec.keyColumn()) == assignsKey(shape);
    }

    private boolean assignsColumn(WriteShape shape) {
        return shape.assigned().contains(spec.sourceColumn());
    }

    private boolean assignsKey(WriteShape shape) {
        return shape.assigned().contains(spec.keyColumn());
    }

    /**
     * jOOQ 3.19 reads {@code UPDATE ONLY users} as table "only" aliased "users"; ONLY does not
     * change which table is written, so jOOQ gets the text without it (PostgreSQL gets it unchanged).
     */
    private static String withoutOnly(String statement, int offset, Sig s, StatementClass kind) {
        int at = kind == StatementClass.UPDATE ? 1 : 2;
        if (!s.is(at, "only")) {
            return statement;
        }
        int start = s.get(at).start() - offset;
        int end = s.get(at).end() - offset;
        if (start < 0 || end > statement.length()) {
            return statement;
        }
        return statement.substring(0, start) + " ".repeat(end - start) + statement.substring(end);
    }

    private boolean targetLooksLikeSource(Sig s, StatementClass kind) {
        int at = kind == StatementClass.UPDATE ? 1 : 2;
        if (s.is(at, "only")) {
            at++;
        }
        return names.tableAt(s, at) > 0;
    }

    private static boolean hasDepthZeroWrite(Sig s) {
        for (int i = 0; i < s.size(); i++) {
            if (s.depth(i) == 0 && (s.is(i, "insert") || s.is(i, "update") || s.is(i, "delete") || s.is(i, "merge"))) {
                return true;
            }
        }
        return false;
    }

    private PhaseRewrites read(String sql, String statement, int offset, Sig s) {
        ReadRewriter.Result r = reads.rewrite(sql, s);
        if (r.unchanged()) {
            return PhaseRewrites.PASS;
        }
        if (r.refusal() != null) {
            return new PhaseRewrites(Rewrite.PASS_THROUGH, rejected(statement,
                    "a query reading the migrated column that cannot be rewritten to read the new table: " + r.refusal(),
                    "change the query as suggested, or stay in a phase that reads old"));
        }
        if (JooqView.parse(statement) == null) {
            return new PhaseRewrites(Rewrite.PASS_THROUGH, rejected(statement,
                    "a query reading the migrated column that the SQL parser cannot read, so its references cannot"
                            + " be resolved with certainty", "simplify the query, or stay in a phase that reads old"));
        }
        // edits lie inside the statement, so the text around it is unchanged and can be cut off
        String probe = reads.probe(sql, s).sql();
        int tail = sql.length() - (offset + statement.length());
        if (probe == null || JooqView.parse(probe.substring(offset, probe.length() - tail)) == null) {
            return new PhaseRewrites(Rewrite.PASS_THROUGH, rejected(statement,
                    "a query reading the migrated column whose rewritten form does not parse",
                    "report it as a dualwrite bug; until then stay in a phase that reads old"));
        }
        return new PhaseRewrites(Rewrite.PASS_THROUGH, new Rewrite.Rewritten(r.sql(), Rewrite.Kind.READ_NEW));
    }

    private static Rewrite dualWrite(String sql) {
        return new Rewrite.Rewritten(sql, Rewrite.Kind.DUAL_WRITE);
    }

    private PhaseRewrites reject(String statement, String shape, String advice) {
        return PhaseRewrites.rejectBoth(Reasons.of(shape + " (" + spec.name() + ")", advice, statement));
    }

    private Rewrite rejected(String statement, String shape, String advice) {
        return new Rewrite.Rejected(Reasons.of(shape + " (" + spec.name() + ")", advice, statement));
    }
}
