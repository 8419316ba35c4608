package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.analysis.HostedStatement;
import io.dualwrite.rewriter.analysis.JooqView;
import io.dualwrite.rewriter.analysis.Reasons;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import io.dualwrite.rewriter.analysis.StatementClass;
import io.dualwrite.rewriter.analysis.WriteAnalyzer;
import io.dualwrite.rewriter.analysis.WithList;
import io.dualwrite.rewriter.analysis.WriteScan;
import io.dualwrite.rewriter.analysis.WriteShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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
    private final DropSensitiveShapes dropSensitive;
    private final OtherTableWrite otherTableWrites;
    private final MergeIntoSource merges;
    private final HostedPlanner hosted;
    private final RowSharingRelations rowSharing;
    private final WithQueryWrite withQueryWrites;
    private final NewSchemaTranslator translator;
    private final boolean syncedByTrigger;
    private final boolean dualWriteUpserts;
    /** A BEFORE row trigger or rule on the source may store another value in the column whatever an UPDATE sets. */
    private final boolean storedMayDiffer;

    public StatementPlanner(MigrationSpec spec, List<String> columns) {
        this(new SourceTable(spec, columns));
    }

    public StatementPlanner(SourceTable table) {
        this.spec = table.spec();
        this.storedMayDiffer = table.storedMayDiffer();
        this.names = new SourceNames(spec, table.relationsWithColumn());
        this.writes = new WriteAnalyzer(names);
        this.reads = new ReadRewriter(names, table.columns());
        this.dropSensitive = new DropSensitiveShapes(names, table.columns());
        this.hosted = new HostedPlanner(this, spec);
        this.rowSharing = new RowSharingRelations(table);
        this.withQueryWrites = new WithQueryWrite(this, names, writes, table.columns());
        this.translator = new NewSchemaTranslator(table, names, reads);
        this.otherTableWrites = new OtherTableWrite(names, reads);
        this.merges = new MergeIntoSource(table, names, reads);
        this.syncedByTrigger = table.syncedByTrigger();
        this.dualWriteUpserts = table.dualWriteUpserts();
    }

    public SourceNames names() {
        return names;
    }

    /** The relations through which a statement reaches the source's rows unnamed ({@link RowSharingRelations}). */
    RowSharingRelations rowSharing() {
        return rowSharing;
    }

    /** Whether {@code s} names the source table or one of those relations: then it is planned here. */
    boolean touches(Sig s) {
        return names.mentionsTable(s) || rowSharing.named(s);
    }

    /** Whether a trigger on the source syncs every write while the old column is written ({@link SourceTable#syncedByTrigger}). */
    boolean syncedByTrigger() {
        return syncedByTrigger;
    }

    /**
     * @param sql       the whole SQL text (offsets of {@code s} refer to it)
     * @param statement the statement's own text, without its semicolon and trailing trivia
     * @param offset    where {@code statement} starts in {@code sql}
     */
    public PhaseRewrites plan(String sql, String statement, int offset, Sig s) {
        return plan(sql, statement, offset, s, ReadRewriter.Joins.KEEPING_PARAMETERS);
    }

    /**
     * @param reads the form of a read ({@link ReadRewriter.Joins}): {@code MOVING_PARAMETERS} only where the statement is
     *              the whole string and not inside another, as only then can the driver bind a read's parameter map
     *              (several statements and host forms are spliced around the statement's text, which keeps the
     *              application's markers)
     */
    public PhaseRewrites plan(String sql, String statement, int offset, Sig s, ReadRewriter.Joins reads) {
        return rowSharing.refine(planOwn(sql, statement, offset, s, reads), s, statement);
    }

    /** What the statement gets for what it does with the source table itself (nothing when it names only another relation). */
    private PhaseRewrites planOwn(String sql, String statement, int offset, Sig s, ReadRewriter.Joins reads) {
        if (!names.mentionsTable(s) && rowSharing.named(s)
                && (StatementClass.of(s) != StatementClass.OTHER || !rowSharing.namedWithDdl(s))) {
            return PhaseRewrites.PASS;
        }
        int catalogQualified = rowSharing.catalogQualified(s, names);
        if (catalogQualified >= 0) {
            Rewrite refused = rejected(statement, "a name qualified with the database ("
                    + s.get(catalogQualified).text() + ".…), which the driver does not read as the migrated table or a"
                    + " relation sharing its rows", "leave the database out of the name");
            // a query reads the old column, still right in DUAL_WRITE
            return new PhaseRewrites(StatementClass.of(s) == StatementClass.READ ? Rewrite.PASS_THROUGH : refused, refused,
                    null, Rewrite.PASS_THROUGH, refused, null);
        }
        PhaseRewrites planned = planByKind(sql, statement, offset, s, reads);
        String reserved = reservedName(s);
        if (reserved != null) {
            return planned.refusingRewrites((Rewrite.Rejected) rejected(statement, "a name starting with dw$ (" + reserved
                    + "), which the rewritten statement gives its own relations and columns: the two could capture each"
                    + " other's references", "rename it"));
        }
        String refusal = planned.translated() instanceof Rewrite.Rejected ? null
                : dropSensitive.refusal(s, HostedStatement.of(s) == null && StatementClass.of(s) == StatementClass.READ);
        return refusal == null ? planned : planned.translatedAs(rejected(statement, refusal,
                "name the join columns (JOIN … ON), or the columns of the row; or stay in a phase that keeps the old column"), null);
    }

    /** The first name token of {@code s} that starts like the rewrite's own names ({@code "dw$w"}, {@code "dw$e"} …), or null. */
    private static String reservedName(Sig s) {
        for (int i = 0; i < s.size(); i++) {
            if (s.isName(i) && s.get(i).normalized().startsWith("dw$")) {
                return s.get(i).text();
            }
        }
        return null;
    }

    private PhaseRewrites planByKind(String sql, String statement, int offset, Sig s, ReadRewriter.Joins reads) {
        HostedStatement host = HostedStatement.of(s);
        if (host != null) {
            return hosted.plan(sql, statement, offset, s, host);
        }
        StatementClass kind = StatementClass.of(s);
        switch (kind) {
            case INSERT, UPDATE, DELETE: {
                KeptKey.Guarded kept = KeptKey.of(spec, writes.analyze(s), statement, offset, s);
                if (kept != null) {
                    return kept.sentWhereSynced(translated(write(kept.statement(), 0, kept.sig(), kind, null, kept), sql,
                            kept.statement(), 0, kept.sig(), kept.sig()));
                }
                return translated(write(statement, offset, s, kind), sql, statement, offset, s, s);
            }
            case WITH:
                return with(sql, statement, offset, s, reads);
            case READ:
                return read(sql, statement, offset, s, reads);
            case TABLE:
                return new PhaseRewrites(Rewrite.PASS_THROUGH, rejected(statement,
                        "TABLE on the migrated table reads the old column", "write it as SELECT with a column list"));
            case MERGE:
                return WriteScan.writesSource(s, names) ? merges.plan(statement, offset, s) : otherTableWrites.plan(sql, statement, s);
            case TRUNCATE:
                return truncate(statement, offset, s);
            case COPY:
                if (s.find("from", 1, s.size(), 0) >= 0) {
                    return reject(statement, "COPY … FROM into the migrated table is not supported: COPY bypasses"
                                    + " SQL, so its rows cannot be dual-written",
                            "COPY into a staging table, then INSERT INTO the migrated table … SELECT … FROM the"
                                    + " staging table");
                }
                return new PhaseRewrites(Rewrite.PASS_THROUGH, rejected(statement,
                        "COPY … TO reading the migrated table is not rewritten", "use a SELECT, or run it in a phase that reads old"));
            case EXPLAIN:
                return reject(statement, "EXPLAIN in a form that is not recognised (it may execute a write to the"
                        + " migrated table)", "write it as EXPLAIN [ANALYZE] [VERBOSE] statement or EXPLAIN (options) statement");
            case HARMLESS:
                // CREATE INDEX, GRANT, COMMENT … on the column need it to exist
                return WriteScan.mayReadColumn(s, names) ? PhaseRewrites.PASS.translatedAs(rejected(statement,
                        s.get(0).text().toUpperCase(Locale.ROOT) + " naming the migrated column, which the new schema"
                                + " no longer has", "run it against the new table"), null) : PhaseRewrites.PASS;
            default:
                return reject(statement, s.get(0).text().toUpperCase(Locale.ROOT)
                                + " statement that names the migrated table, or a relation sharing its rows (DDL, rules, DO blocks,"
                                + " PREPARE …)",
                        "run it in the EXPANDED phase or through the migrator; it could change the migrated column"
                                + " behind the dual write");
        }
    }

    /**
     * {@code WITH … <write>}: the write on the source table is rewritten with our CTE spliced
     * after the application's CTE list; a CTE that itself writes the source table is {@link WithQueryWrite}'s.
     */
    private PhaseRewrites with(String sql, String statement, int offset, Sig s, ReadRewriter.Joins reads) {
        List<String> cteNames = new ArrayList<>();
        List<int[]> spans = new ArrayList<>();
        int main = WithList.mainStatement(s, cteNames, spans);
        if (main > 0) {
            Sig ctes = new Sig(s.tokens().subList(0, main));
            Sig body = new Sig(s.tokens().subList(main, s.size()));
            if (WriteScan.writesSource(ctes, names)) {
                return withQueryWrites.plan(sql, statement, offset, s, main, spans, cteNames);
            }
            StatementClass mainKind = StatementClass.of(body);
            if ((mainKind == StatementClass.INSERT || mainKind == StatementClass.UPDATE
                    || mainKind == StatementClass.DELETE) && writes.analyze(body) != null) {
                for (String n : cteNames) {
                    if (names.isTableName(n)) {
                        return reject(statement, "a write with a WITH query named like the migrated table",
                                "rename the WITH query");
                    }
                }
                int mainOffset = s.get(main).start();
                String prefix = statement.substring(0, s.get(main - 1).end() - offset);
                String mainText = statement.substring(mainOffset - offset);
                KeptKey.Guarded kept = KeptKey.of(spec, writes.analyze(body), mainText, mainOffset, body);
                if (kept != null) {
                    KeptKey.Guarded whole = kept.after(statement, offset, s, main);
                    return whole.sentWhereSynced(translated(write(kept.statement(), 0, kept.sig(), mainKind, prefix, kept),
                            sql, whole.statement(), 0, whole.sig(), kept.sig()));
                }
                return translated(write(mainText, mainOffset, body, mainKind, prefix, null), sql, statement, offset, s, body);
            }
        }
        if (WriteScan.writesSource(s, names)) {
            return reject(statement, "a statement with its own WITH clause that writes the migrated table in a way"
                    + " that is not recognised", "write the migrated table in a plain INSERT/UPDATE/DELETE after WITH");
        }
        return hasDepthZeroWrite(s) ? otherTableWrites.plan(sql, statement, s) : read(sql, statement, offset, s, reads);
    }

    /**
     * The translation of a write on the source table ({@link NewSchemaTranslator}), and in READ_NEW the dual write
     * whose reads of the column read the new table ({@link NewSchemaTranslator#dualWriteReadingNew}); a write refused in
     * the phases that write both sides stays refused; a write to another table is {@link OtherTableWrite}'s.
     */
    private PhaseRewrites translated(PhaseRewrites r, String sql, String statement, int offset, Sig s, Sig body) {
        if (r.readNew() instanceof Rewrite.Rejected) {
            return r;
        }
        if (writes.analyze(body) == null) {
            return r.isPassThrough() ? otherTableWrites.plan(sql, statement, s) : r;
        }
        NewSchemaTranslator.Translation t = translator.translate(statement, offset, s);
        Rewrite readingNew = translator.dualWriteReadingNew(statement, offset, s);
        PhaseRewrites out = r.translatedAs(t.rewrite(), t.returning());
        return readingNew == null ? out : out.readingNew(readingNew);
    }

    private PhaseRewrites truncate(String statement, int offset, Sig s) {
        TruncateForm.Refusal refusal = TruncateForm.whyNot(names, statement, s);
        return refusal != null ? reject(statement, refusal.shape(), refusal.advice())
                : PhaseRewrites.both(dualWrite(TruncateForm.sql(spec, statement.substring(0, s.get(s.size() - 1).end() - offset))));
    }

    /** What to do about a key assignment that is not {@link KeptKey guarded}. */
    private static final String KEY_ADVICE = "assign it as key = <value> in a plain UPDATE or DO UPDATE SET, where the"
            + " driver checks that the value is the row's own key; or leave it out of SET; give a row another key by"
            + " INSERT of the new row and DELETE of the old one";

    private PhaseRewrites write(String statement, int offset, Sig s, StatementClass kind) {
        return write(statement, offset, s, kind, null, null);
    }

    /** @param kept null, or the statement as written when {@code statement} is its form with the key guarded ({@link KeptKey}) */
    private PhaseRewrites write(String statement, int offset, Sig s, StatementClass kind, String withPrefix,
                                KeptKey.Guarded kept) {
        WriteShape shape = writes.analyze(s);
        if (shape == null) {
            if (targetLooksLikeSource(s)) {
                return WriteScan.parenthesizedTarget(s, 0)
                        ? reject(statement, kind + " of ONLY (the migrated table) in parentheses", "write ONLY "
                                + spec.sourceTable() + " without the parentheses, which the driver rewrites")
                        : reject(statement, kind + " on the migrated table whose structure was not recognised",
                                "simplify the statement");
            }
            return PhaseRewrites.PASS; // writes another table; reading the old column is still correct while it is written
        }
        // jOOQ reads the statement as written: the guard changes nothing it is asked about, and it does not know the function
        String readable = kept == null ? JooqView.readableWrite(statement, offset, s, kind)
                : JooqView.readableWrite(kept.original(), kept.originalOffset(), kept.originalSig(), kind);
        Query parsed = JooqView.parse(readable);
        if (parsed == null && kind == StatementClass.UPDATE && !assignsColumn(shape) && (kept != null || !assignsKey(shape))
                && WriteScan.mayReadColumn(s, names)) {
            // seemingly not assigning the column: only a second opinion lets it pass, also one that skips unknown functions
            parsed = JooqView.parseLeniently(readable);
            if (parsed == null) {
                return reject(statement, "an UPDATE of the migrated table that the parser could not read and that"
                        + " mentions the migrated column", "simplify the statement");
            }
        }
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
        }
        DualWriteForm.Form form;
        switch (shape.verb()) {
            case INSERT:
                if (assignsKey(shape) && kept == null) {
                    return reject(statement, "INSERT … ON CONFLICT DO UPDATE that sets the key column in a form the"
                            + " driver does not check", KEY_ADVICE);
                }
                form = new DualWriteForm.Form(spec, withPrefix, statement, shape.hasAlias() ? shape.qualifier() : null,
                        false, shape.hasReturning());
                break;
            case UPDATE:
                if (assignsKey(shape) && kept == null) {
                    return reject(statement, "UPDATE that sets the key column of the migrated table in a form the"
                            + " driver does not check", KEY_ADVICE);
                }
                if (!assignsColumn(shape) && !storedMayDiffer) {
                    return PhaseRewrites.PASS;
                }
                form = new DualWriteForm.Form(spec, withPrefix, statement, shape.qualifier(), false,
                        shape.hasReturning());
                break;
            default:
                form = new DualWriteForm.Form(spec, withPrefix, statement, shape.qualifier(), true,
                        shape.hasReturning());
        }
        if (shape.hasReturning()) {
            if (!returningIsLast(s)) {
                return reject(statement, kind + " … RETURNING whose RETURNING list could not be delimited",
                        "simplify the RETURNING list");
            }
            return PhaseRewrites.both(new Rewrite.Rewritten(form.returning(null), Rewrite.Kind.DUAL_WRITE_RETURNING,
                    DualWriteForm.HIDDEN_COLUMNS));
        }
        Rewrite plain = shape.verb() != WriteShape.Verb.DELETE && withPrefix == null && dualWriteUpserts
                ? NonNullUpsert.dualWrite(shape.verb() == WriteShape.Verb.INSERT, form, names, statement, offset, s)
                : dualWrite(form.plain());
        DualWriteForm.Form f = form;
        return new PhaseRewrites(plain, plain, list -> new Rewrite.Rewritten(f.returning(list),
                Rewrite.Kind.DUAL_WRITE_RETURNING, DualWriteForm.HIDDEN_COLUMNS));
    }

    /** The depth-0 RETURNING is the statement's last clause, so its list runs to the end of the text. */
    static boolean returningIsLast(Sig s) {
        int at = s.find("returning", 0, s.size(), 0);
        if (at < 0 || at == s.size() - 1) {
            return false;
        }
        for (int i = at + 1; i < s.size(); i++) {
            if (s.depth(i) == 0 && (s.is(i, "returning") || s.isSymbol(i, ";"))) {
                return false;
            }
        }
        return s.depth(s.size() - 1) == 0;
    }

    private boolean sameRelevantColumns(Set<String> jooq, WriteShape shape) {
        return jooq.contains(spec.sourceColumn()) == assignsColumn(shape)
                && jooq.contains(spec.keyColumn()) == assignsKey(shape);
    }

    private boolean assignsColumn(WriteShape shape) {
        return shape.assigned().contains(spec.sourceColumn());
    }

    private boolean assignsKey(WriteShape shape) {
        return shape.assigned().contains(spec.keyColumn());
    }

    private boolean targetLooksLikeSource(Sig s) {
        int at = WriteScan.writeTarget(s, 0);
        return at >= 0 && names.tableAt(s, at) > 0;
    }

    private static boolean hasDepthZeroWrite(Sig s) {
        for (int i = 0; i < s.size(); i++) {
            if (s.depth(i) == 0 && (s.is(i, "insert") || s.is(i, "update") || s.is(i, "delete") || s.is(i, "merge"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A read: in READ_NEW its references to the column read the new table. The token analysis
     * decides ({@link ReadRewriter}); it refuses whatever it cannot resolve with certainty. Where
     * jOOQ (lenient about functions and syntax it does not know) parses the read, it also checks
     * that the rewritten form still parses; where it cannot (a user-defined operator, a grammar
     * corner), PostgreSQL is the judge of the splice, and a failure there counts for the error-rate
     * watch.
     */
    private PhaseRewrites read(String sql, String statement, int offset, Sig s, ReadRewriter.Joins joins) {
        ReadRewriter.Result r = reads.rewrite(sql, s, joins);
        if (r.unchanged()) {
            return PhaseRewrites.PASS;
        }
        if (r.refusal() != null) {
            return new PhaseRewrites(Rewrite.PASS_THROUGH, rejected(statement,
                    "a query reading the migrated column that cannot be rewritten to read the new table: " + r.refusal(),
                    "change the query as suggested, or stay in a phase that reads old"));
        }
        if (JooqView.parseLeniently(statement) != null && !probeParses(sql, statement, offset, s, joins)) {
            // jOOQ misreads some joins (a $n used twice): the subquery form serves the read as before
            ReadRewriter.Joins none = joins == ReadRewriter.Joins.SCAN_ONLY ? joins : ReadRewriter.Joins.NONE;
            r = reads.rewrite(sql, s, none);
            if (!probeParses(sql, statement, offset, s, none)) {
                return new PhaseRewrites(Rewrite.PASS_THROUGH, rejected(statement,
                        "a query reading the migrated column whose rewritten form does not parse",
                        "report it as a dualwrite bug; until then stay in a phase that reads old"));
            }
        }
        return new PhaseRewrites(Rewrite.PASS_THROUGH, new Rewrite.Rewritten(r.sql(), Rewrite.Kind.READ_NEW, 0,
                r.parameterSources(), null, null, r.origins()));
    }

    /** Whether jOOQ parses the rewritten read; edits lie inside the statement, so the text around it is cut off. */
    private boolean probeParses(String sql, String statement, int offset, Sig s, ReadRewriter.Joins joins) {
        ReadRewriter.Result r = reads.probe(sql, s, joins);
        // unchanged when the only edits wrap subqueries, which the probe leaves as written
        String probe = r.unchanged() ? sql : r.sql();
        int tail = sql.length() - (offset + statement.length());
        if (probe == null) {
            return false;
        }
        String read = probe.substring(offset, probe.length() - tail);
        return JooqView.parseLeniently(read) != null || JooqView.parsesButForWidth(read);
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
