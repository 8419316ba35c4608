package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.analysis.ColumnLabel;
import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.ReadScopes.Item;
import io.dualwrite.rewriter.analysis.Relation;
import io.dualwrite.rewriter.analysis.Scope;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import java.util.BitSet;
import java.util.List;

/**
 * READ_NEW form of a query: every reference to the old column that resolves to the source table
 * becomes a scalar subquery on the target table's primary row. A scalar subquery rather than an
 * outer join keeps row counts, keeps the FROM list (so FOR UPDATE still locks only the source
 * rows), and keeps parameter order. The one exception is a key range scan of the source table
 * alone ({@link KeyRangeJoins}), which reads through an outer join carrying the range: there the
 * subquery costs an index probe per row where the join merges two range scans.
 */
public final class ReadRewriter {

    /**
     * Exactly one of {@code sql} and {@code refusal} is set; both null means the query does not read
     * the old column. {@code parameterSources}, {@code origins}: as {@code Rewrite.Rewritten}'s.
     */
    public record Result(String sql, String refusal, int[] parameterSources, Rewrite.Origins origins) {
        static final Result UNCHANGED = new Result(null, null, null, null);

        static Result refused(String refusal) {
            return new Result(null, refusal, null, null);
        }

        public boolean unchanged() {
            return sql == null && refusal == null;
        }
    }

    private final SourceNames names;
    private final UnqualifiedColumns unqualified;
    private final DerivedSources derived;
    private final NewTableReads reads;
    private final WholeRows rows;
    private final List<String> columns;
    /** Immutable, because planners run concurrently on cache misses. */
    private final boolean probe;

    public ReadRewriter(SourceNames names, List<String> columns) {
        this(names, columns, false);
    }

    private ReadRewriter(SourceNames names, List<String> columns, boolean probe) {
        this.names = names;
        this.unqualified = new UnqualifiedColumns(names, columns);
        this.derived = new DerivedSources(names, columns);
        this.reads = new NewTableReads(names, columns, probe);
        this.rows = new WholeRows(names, derived, reads);
        this.columns = columns;
        this.probe = probe;
    }

    /** Whether a key range scan may read through a join ({@link KeyRangeJoins}), and with which bounds. */
    public enum Joins {
        /** Every reference reads the subquery. */
        NONE,
        /** Bounds that are literals or {@code $n} are copied; a {@code ?} bound is not. */
        KEEPING_PARAMETERS,
        /** A {@code ?} bound is copied too: the caller sends the result's parameter map. */
        MOVING_PARAMETERS,
        /**
         * No join and no value lookup ({@link ValueLookups}) either: the query stays a scan of the table, which a cursor's
         * {@code WHERE CURRENT OF} needs ({@code DECLARE … CURSOR FOR}).
         */
        SCAN_ONLY
    }

    public Result rewrite(String sql, Sig s) {
        return run(sql, s, Joins.KEEPING_PARAMETERS);
    }

    public Result rewrite(String sql, Sig s, Joins joins) {
        return run(sql, s, joins);
    }

    /**
     * The same rewrite with a plain column name in place of each subquery: it has the same
     * syntax class (a primary expression), so it checks our splicing with jOOQ's parser without
     * tripping over jOOQ's own gaps (it rejects {@code count(DISTINCT (SELECT …))}).
     */
    public Result probe(String sql, Sig s, Joins joins) {
        return new ReadRewriter(names, columns, true).run(sql, s, joins);
    }

    private Result run(String sql, Sig s, Joins mode) {
        ReadScopes scopes = ReadScopes.of(s, names);
        if (scopes.refusal() != null) {
            return Result.refused(scopes.refusal());
        }
        Splice splice = new Splice();
        KeyRangeJoins joins = mode == Joins.NONE || mode == Joins.SCAN_ONLY ? KeyRangeJoins.none(names.spec())
                : KeyRangeJoins.of(s, scopes, names, mode == Joins.MOVING_PARAMETERS);
        String refusal = collect(s, scopes, splice, null, joins, mode != Joins.SCAN_ONLY);
        if (refusal != null) {
            return Result.refused(refusal);
        }
        if (splice.isEmpty()) {
            return Result.UNCHANGED;
        }
        joins.splice(s, splice);
        return new Result(splice.apply(sql), null, joins.parameterSources(s), origins(s, scopes));
    }

    /**
     * The edits, into {@code splice}, that make the rest of a statement around a WITH query's write ({@link
     * WithQueryWrite}: the write's own tokens left out; {@code scopes} its {@link ReadScopes#of}) read the new table, as
     * a query's; no key range joins, so that no parameter moves. Returns why it cannot be rewritten, or null.
     */
    String restEdits(Sig s, ReadScopes scopes, Splice splice) {
        return scopes.refusal() != null ? scopes.refusal()
                : collect(s, scopes, splice, null, KeyRangeJoins.none(names.spec()), true);
    }

    /**
     * The edits that make a write's references to the old column read the new table (scopes from
     * {@link ReadScopes#ofWrite}): the same as for a query, except that in the RETURNING list (tokens
     * from {@code returningStart} on) the written row's column, referenced or in an expanded {@code *},
     * is {@code returned}: the value the write leaves in it. {@code returned} null: the scalar subquery,
     * which reads the statement's snapshot (the value before the write). Adds to {@code splice};
     * returns why the write cannot be translated, or null.
     */
    public String writeEdits(Sig s, ReadScopes scopes, int returningStart, String returned, Splice splice) {
        if (scopes.refusal() != null) {
            return scopes.refusal();
        }
        Relation written = scopes.root().relations.get(0);
        return collect(s, scopes, splice, returned == null || returningStart < 0 ? null
                : new Returned(written, returningStart, returned), KeyRangeJoins.none(names.spec()), true);
    }

    /**
     * A write to another table that may read the old column ({@link OtherTableWrite}, whose scopes {@code scopes} are):
     * its references to the migrated table's column read the new table, as a query's do.
     */
    public Result otherTableWrite(String sql, Sig s, ReadScopes scopes) {
        if (scopes.refusal() != null) {
            return Result.refused(scopes.refusal());
        }
        Splice splice = new Splice();
        String refusal = collect(s, scopes, splice, null, KeyRangeJoins.none(names.spec()), true);
        if (refusal != null) {
            return Result.refused(refusal);
        }
        return splice.isEmpty() ? Result.UNCHANGED : new Result(splice.apply(sql), null, null, null);
    }

    private String collect(Sig s, ReadScopes scopes, Splice splice, Returned returned, KeyRangeJoins joins,
                           boolean valueLookups) {
        String refusal = aliasedSources(s, scopes, splice, joins);
        if (refusal == null) {
            for (Scope scope : scopes.scopes()) {
                if (derived.joinsUsingTheColumn(scope)) {
                    String cannot = derived.wrap(s, scope, splice, true, from -> reads.columns(from, null, joins));
                    if (cannot != null && refusal == null) {
                        refusal = "a JOIN … USING on the migrated column needs the migrated table as a derived table: "
                                + cannot + "; or use JOIN … ON";
                    }
                } else if (derived.joinsNaturallyOnTheColumn(s, scopes, scope)) {
                    // if it cannot, the join reads the old column: right in READ_NEW, refused after (DropSensitiveShapes)
                    derived.wrap(s, scope, splice, true, from -> reads.columns(from, null, joins));
                }
            }
            if (refusal == null) {
                refusal = rows.expandStars(s, scopes, splice, returned, joins);
            }
        }
        if (refusal == null) {
            refusal = replaceReferences(s, scopes, splice, returned, joins);
        }
        if (refusal == null) {
            if (valueLookups) {
                ValueLookups.splice(s, scopes, names, splice);
            }
            keepLabels(s, scopes, splice);
        }
        return refusal;
    }

    /**
     * A FROM item of the migrated table with a column alias list ({@code users u(a, b, c)}) renames its columns, the
     * migrated one too where the list reaches it: a reference under a new name would read the old column unnoticed. So
     * it becomes a derived table of the application's columns, the migrated one read from the new table, under the list
     * as written ({@link DerivedSources#wrap}): PostgreSQL resolves the new names, the old ones past the list and the
     * stars among its columns as it did among the table's, and references through it are left to it. Not the written
     * table's own FROM list (which cannot become a derived table). Returns why it cannot, or null.
     */
    private String aliasedSources(Sig s, ReadScopes scopes, Splice splice, KeyRangeJoins joins) {
        for (Scope scope : scopes.scopes()) {
            for (Relation r : scope.relations) {
                if (r.source && r.columnAliases && !r.wrapped) {
                    String cannot = scope.writeRoot && scope.relations.get(0).source
                            ? "it is in the FROM list of a write to the migrated table; alias the columns where they are read"
                            : derived.wrap(s, scope, splice, true, from -> reads.columns(from, null, joins));
                    if (cannot != null) {
                        return "a column alias list on the migrated table, which then becomes a derived table of its"
                                + " columns: " + cannot;
                    }
                }
            }
        }
        return null;
    }

    /** PostgreSQL finds {@code public.users} past an inner item aliased {@code users}; the rewrite's {@code users.id} would not. */
    static final String SHADOWED = "a schema-qualified reference to the migrated table inside a subquery with a"
            + " FROM item aliased like the table cannot be rewritten; give the migrated table an alias and qualify with it";

    /**
     * An unqualified name of the column in a subquery on other tables under a query on the migrated one: the subquery
     * is wrapped, once, where {@link OuterColumnWrapper} can ({@code wrapped}: opening parentheses already done). The
     * probe leaves the subquery as written (the wrapper is fixed text around it). Returns why it cannot, or null.
     */
    private String outerReference(Sig s, ReadScopes scopes, Scope scope, int reference, Splice splice, Returned returned,
                                  KeyRangeJoins joins, BitSet wrapped) {
        OuterColumnWrapper.Site site = OuterColumnWrapper.site(s, scopes, scope, reference,
                (outer, before) -> unqualified.owner(s, scopes, outer, s.get(reference).normalized(), before));
        if (site.refusal() == null && site.target().columnAliases) {
            return null; // a derived table (aliasedSources): PostgreSQL finds the name in it as it did in the table
        }
        if (site.refusal() == null && !probe && !wrapped.get(site.open())) {
            wrapped.set(site.open());
            String value = Returned.valueIn(returned, site.target(), site.open());
            OuterColumnWrapper.wrap(s, splice, site.open(), value != null ? value : reads.value(site.target(), joins),
                    names.spec().sourceColumn());
        }
        return site.refusal();
    }

    private String replaceReferences(Sig s, ReadScopes scopes, Splice splice, Returned returned, KeyRangeJoins joins) {
        BitSet wrapped = new BitSet();
        for (int i = 0; i < s.size(); i++) {
            if (scopes.inWritingCteClauses(i)) {
                if (names.tableAt(s, i) > 0) {
                    return "a data-modifying WITH query that reads the migrated table in its own clauses (FROM, USING,"
                            + " a join); read it in a SELECT of its own";
                }
                continue; // the WITH query's own table's columns
            }
            Scope scope = scopes.owner(i);
            if (scope == null || scopes.isNotAReference(i) || !s.isIdentifier(i) || s.isSymbol(i - 1, ".")
                    || s.isSymbol(i - 1, "::") || s.is(i - 1, "as")) {
                continue;
            }
            int k = i;
            while (s.isSymbol(k + 1, ".") && s.isName(k + 2)) {
                k += 2;
            }
            int parts = (k - i) / 2 + 1;
            int next = k + 1;
            if (s.isSymbol(next, "(") || s.isSymbol(next, "=>") || s.isSymbol(next, ":=")) {
                i = k;
                continue;
            }
            // a name with its database (database.schema.table) never gets here: StatementPlanner refuses it first
            boolean star = s.isSymbol(next, ".") && s.isSymbol(next + 1, "*");
            if (star) {
                Relation r = rows.qualifiedStar(s, scope, i, next);
                if (r != null && r.source && !r.columnAliases) {
                    if (scope.resolveQualifier(r.refName) != r) {
                        return SHADOWED;
                    }
                    int done = rows.wholeRow(s, scope, r, i, next + 1, k, returned, joins, splice);
                    if (done < 0) {
                        return "a whole-row reference " + s.get(i).text() + ".* to the migrated table outside the"
                                + " SELECT list cannot be rewritten; list the columns explicitly";
                    }
                    i = done;
                    continue;
                }
                i = k;
                continue;
            }
            String last = s.get(k).normalized();
            Relation target = null;
            if (parts == 1) {
                Relation r = scope.resolveQualifier(last);
                if (r != null && r.source && !names.isColumn(last) && !unqualified.isOutputName(s, scope, i)) {
                    int done = rows.wholeRow(s, scope, r, i, k, k, returned, joins, splice);
                    if (done < 0) {
                        return "a whole-row reference \"" + s.get(i).text() + "\" to the migrated table cannot be"
                                + " rewritten; list the columns explicitly";
                    }
                    i = done;
                    continue;
                }
                if (names.isColumn(last)) {
                    if (unqualified.isOutputName(s, scope, i) || (scope.setOperand && scope.inOrderBy(i))) {
                        continue;
                    }
                    if (scope.hasSource() && !unqualified.noneHas(s, scopes, scope, last)) {
                        target = unqualified.owner(s, scopes, scope, last);
                        if (scope.writeRoot && scopes.outerReferencesRefused(i)) {
                            return "unqualified \"" + s.get(i).text() + "\" in an INSERT's VALUES (PostgreSQL: no such"
                                    + " column there) or ON CONFLICT clause (ambiguous: EXCLUDED has it too)";
                        }
                        if (target == null && scope.writeRoot && !scope.relations.get(0).source) {
                            return "unqualified \"" + s.get(i).text() + "\" in a write to another table that reads the"
                                    + " migrated table may name the written table's column; qualify it with the table's alias";
                        }
                        if (target == null) {
                            if (!scope.writeRoot
                                    && derived.wrap(s, scope, splice, false, from -> reads.columns(from, null, joins)) == null) {
                                continue; // PostgreSQL resolves it among the FROM items, as it did the original
                            }
                            return "unqualified \"" + s.get(i).text() + "\" with several tables in FROM, where another"
                                    + " one has or may have a column of that name, cannot be resolved with certainty;"
                                    + " qualify it with the table's alias";
                        }
                    } else if (scope.anyAncestorHasSource()) {
                        String refusal = outerReference(s, scopes, scope, i, splice, returned, joins, wrapped);
                        if (refusal != null) {
                            return "unqualified \"" + s.get(i).text() + "\" in a subquery may refer to the migrated"
                                    + " table of an outer query (" + refusal + "); qualify it with the table's alias";
                        }
                    }
                }
            } else if (parts == 2 && names.isColumn(last)) {
                Relation r = scope.resolveQualifier(s.get(i).normalized());
                target = r != null && r.source ? r : null;
            } else if (parts == 3 && names.isColumn(last) && names.tableAt(s, i) == 3) {
                target = scope.unaliasedSource();
            }
            if (target != null) {
                if (scope.resolveQualifier(target.refName) != target) {
                    return SHADOWED;
                }
                if (target.columnAliases) {
                    i = k;
                    continue; // a derived table now (aliasedSources): PostgreSQL resolves the name among its columns
                }
                Scope owning = scope.owning(target);
                boolean grouped = owning.grouped && !owning.beforeGrouping(i);
                if (grouped && owning != scope
                        && (owning.groupingSets || !owning.groupsBy(s, target, names.spec().keyColumn()))) {
                    // PostgreSQL matches a subquery's outer reference to GROUP BY by column, not the read's expression
                    return "the migrated column of a query grouped by other than its key, read in a subquery, cannot"
                            + " be rewritten; select it in the outer query, or group by the key";
                }
                String value = Returned.valueIn(returned, target, i);
                String read = value != null ? value : reads.value(target, joins);
                if (grouped && value == null && read.endsWith(")")) {
                    // the read passes where the key is grouped, the column only where the key is the primary key (or where
                    // none is, under grouping sets): ctid is grouped exactly as the column, so PostgreSQL decides as it did
                    read = read.substring(0, read.length() - 1) + " AND " + target.qualifier + ".ctid IS NOT NULL)";
                }
                if (read.startsWith("(") && s.isSymbol(i - 1, "(") && s.isSymbol(k + 1, ")")
                        && (s.is(i - 2, "any") || s.is(i - 2, "some") || s.is(i - 2, "all") || s.is(i - 2, "in"))) {
                    // ANY ((SELECT …)) would be ANY over the sub-select's rows, IN ((SELECT …)) IN its rows: the column's
                    // value is one expression there (a NULL stays NULL, an array stays the array)
                    read = "COALESCE(" + read + ")";
                }
                splice.replace(s.get(i).start(), s.get(k).end(), ColumnLabel.keepingXmlName(s, i, k, read));
                Item item = scope.itemContaining(i);
                if (item != null) {
                    item.replaced = true;
                    item.replacedAt.set(i);
                }
            }
            i = k;
        }
        return null;
    }

    /** {@link Rewrite.Origins} of the rows of a statement these edits were made in ({@link ResultOrigins}). */
    Rewrite.Origins origins(Sig s, ReadScopes scopes) {
        return ResultOrigins.of(s, scopes, names, columns);
    }

    /** The same for a statement whose WITH query {@code written} writes the migrated table, its body left out of {@code s}. */
    Rewrite.Origins origins(Sig s, ReadScopes scopes, ResultOrigins.WrittenRows written) {
        return ResultOrigins.of(s, scopes, names, columns, written);
    }

    /** Items PostgreSQL named after the column keep that name ({@link ColumnLabel}). */
    private void keepLabels(Sig s, ReadScopes scopes, Splice splice) {
        for (Scope scope : scopes.scopes()) {
            for (Item item : scope.items) {
                if (!item.replaced || item.alias >= 0) {
                    continue;
                }
                int named = ColumnLabel.namingReference(s, item.start, item.end);
                if (named >= 0 && item.replacedAt.get(named)) {
                    splice.insert(s.get(item.end - 1).end(), " AS " + names.quotedColumn());
                }
            }
        }
    }

    /** The read of the new table for {@code qualifier}'s row ({@link NewTableReads#value(String)}). */
    String newValue(String qualifier) {
        return reads.value(qualifier);
    }

    /** {@code expr} with each {@link #newValue} subquery of {@code qualifier}'s row in it locking the target row it reads. */
    String locking(String expr, String qualifier) {
        return reads.locking(expr, qualifier);
    }
}
