package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.analysis.ColumnLabel;
import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.Reasons;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.WithList;
import io.dualwrite.rewriter.analysis.SourceNames;
import io.dualwrite.rewriter.analysis.StatementClass;
import io.dualwrite.rewriter.analysis.WriteAnalyzer;
import io.dualwrite.rewriter.analysis.WriteScan;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import io.dualwrite.rewriter.lexer.Token;
import io.dualwrite.rewriter.lexer.TokenKind;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.StringJoiner;

/**
 * A WITH query that writes the migrated table ({@code WITH d AS (DELETE FROM users … RETURNING *) INSERT INTO archive
 * SELECT * FROM d}): the write is planned as if it stood alone, and each phase's rewrite of it goes in its place,
 * flattened, because PostgreSQL takes data-modifying WITH queries at the top level only. The rewrite's own WITH
 * queries come first, then the application's query under its own name over the rewrite's last part:
 * {@code WITH "dw$w" AS (DELETE … RETURNING *, k, v), "dw$s" AS (INSERT INTO sync …), d AS (SELECT id, name, email
 * FROM "dw$w") INSERT INTO archive …}. Every sub-statement of a WITH runs exactly once whether or not it is read, so
 * the sync sees every row the write changed, as it does for the write alone.
 *
 * <p>Where the rewrite returns columns the driver would hide (the sync's key and value), the application's query
 * selects its own columns by name, so each RETURNING item must have a name of its own: {@code *} and {@code t.*} of
 * the migrated table (its columns), a column, a function call ({@link ColumnLabel}), or an item with {@code AS}. The rest
 * of the statement may read the migrated table's column: as written while reads stay old (DUAL_WRITE), through the read
 * rewrite's edits in the phases that read the new table (Hibernate's bulk mutations of multi-table entities select the
 * keys by a predicate in a WITH query of their own); refused there where the read rewrite refuses it. It may not write
 * the migrated table.
 */
final class WithQueryWrite {

    private final StatementPlanner planner;
    private final SourceNames names;
    private final WriteAnalyzer writes;
    private final List<String> columns;

    WithQueryWrite(StatementPlanner planner, SourceNames names, WriteAnalyzer writes, List<String> columns) {
        this.planner = planner;
        this.names = names;
        this.writes = writes;
        this.columns = columns;
    }

    /**
     * @param main  the main statement's first token ({@link WithList#mainStatement})
     * @param spans for each of the statement's WITH queries, the tokens of its name, its opening and its closing
     *              parenthesis ({@link WithList#mainStatement}); null when they are not in that form
     */
    PhaseRewrites plan(String sql, String statement, int offset, Sig s, int main, List<int[]> spans,
                       List<String> cteNames) {
        int[] writing = null;
        for (int[] span : spans == null ? List.<int[]>of() : spans) {
            if (WriteScan.writesSource(sub(s, span[1] + 1, span[2]), names)) {
                if (writing != null) {
                    return reject(statement, "two WITH queries that write the migrated table",
                            "write it once per statement");
                }
                writing = span;
            }
        }
        Sig body = writing == null ? null : sub(s, writing[1] + 1, writing[2]);
        StatementClass kind = body == null || body.size() == 0 ? null : StatementClass.of(body);
        if (body == null || (kind != StatementClass.INSERT && kind != StatementClass.UPDATE && kind != StatementClass.DELETE)
                || writes.analyze(body) == null) {
            return reject(statement, "a WITH query that writes the migrated table in a form that is not recognised",
                    "write it as name AS (INSERT|UPDATE|DELETE …), or in a statement of its own");
        }
        List<Token> restTokens = new ArrayList<>(s.tokens().subList(0, writing[1] + 1));
        restTokens.addAll(s.tokens().subList(writing[2], s.size()));
        Sig rest = new Sig(restTokens);
        boolean restNamesTable = names.mentionsTable(rest);
        if (restNamesTable && WriteScan.writesSource(rest, names)) {
            return reject(statement, "a WITH query that writes the migrated table in a statement that writes it elsewhere"
                    + " too", "write the migrated table once per statement");
        }
        for (String n : cteNames) {
            if (names.isTableName(n)) {
                return reject(statement, "a write with a WITH query named like the migrated table", "rename the WITH query");
            }
        }
        if (!readsAlikeConforming(statement, offset, s)) {
            return reject(statement, "a WITH query that writes the migrated table, in text that standard_conforming_strings"
                    + " off reads otherwise (a backslash in a string)", "write the string as E'…', or the migrated table in"
                    + " a statement of its own");
        }
        int start = body.get(0).start();
        int end = body.get(body.size() - 1).end();
        PhaseRewrites alone = planner.plan(sql, statement.substring(start - offset, end - offset), start, body);
        ReadScopes restScopes = restScopes(rest);
        Rest rows = restScopes == null || !s.is(main, "select") ? null
                : new Rest(rest, restScopes, s.get(writing[0]).normalized());
        Around around = new Around(statement, offset, s, writing[0], start, end, body, null, rows);
        Around readingNew = around;
        if (restNamesTable) {
            // the rest reads the table: as written while reads stay old, through the read rewrite where they read new
            // (which changes nothing where it reads other columns only)
            Splice edits = new Splice();
            String why = restScopes == null ? "it was not recognised" : restReads(rest, restScopes, edits);
            if (why != null) {
                Rewrite refused = around.refused("the rest of the statement reads the migrated table in a way the read"
                        + " rewrite cannot translate: " + why, "read it in a statement of its own, or stay in a phase"
                        + " that reads old");
                return new PhaseRewrites(around.in(alone.dualWrite()), refused, null, around.in(alone.expanded()), refused,
                        null);
            }
            if (!edits.isEmpty()) {
                readingNew = new Around(statement, offset, s, writing[0], start, end, body, new Reads(sql, edits), rows);
            }
        }
        return new PhaseRewrites(around.in(alone.dualWrite()), readingNew.in(alone.readNew()), null,
                around.in(alone.expanded()), readingNew.in(alone.translated()), null);
    }

    /** The read rewrite's edits of the rest of the statement around the write (offsets in {@code sql}). */
    private record Reads(String sql, Splice edits) {
    }

    /** The rest's scopes; null when they cannot be read. */
    private ReadScopes restScopes(Sig rest) {
        try {
            return ReadScopes.of(rest, names);
        } catch (RuntimeException e) {
            return null; // fail closed
        }
    }

    /** The rest's edits into {@code edits}; why they cannot be made, or null. */
    private String restReads(Sig rest, ReadScopes scopes, Splice edits) {
        try {
            return new ReadRewriter(names, columns).restEdits(rest, scopes, edits);
        } catch (RuntimeException e) {
            return "it was not recognised"; // fail closed
        }
    }

    /**
     * The statement without the write's own tokens, whose main query, a SELECT, returns the statement's rows; {@code
     * written} names the WITH query of the write.
     */
    private record Rest(Sig sig, ReadScopes scopes, String written) {
    }

    /** The statement around the write: where the rewrite's parts go, and how the parameters around it are numbered. */
    private final class Around {
        private final String statement;
        private final String beforeName;
        private final String header;
        private final String after;
        /** The write's own text. */
        private final String write;
        private final int parametersBefore;
        private final int parametersIn;
        private final int parametersAfter;
        private final Sig body;
        private final Reads reads;
        private final Rest rest;

        /**
         * @param reads the read rewrite's edits of the rest of the statement (offsets in the whole text), or null
         * @param rest  the rest, when its main query returns the statement's rows; else null
         */
        Around(String statement, int offset, Sig s, int name, int start, int end, Sig body, Reads reads, Rest rest) {
            this.statement = statement;
            this.body = body;
            this.reads = reads;
            this.rest = rest;
            int nameStart = s.get(name).start();
            this.beforeName = reads == null ? statement.substring(0, nameStart - offset)
                    : reads.edits().apply(reads.sql(), offset, nameStart);
            this.header = reads == null ? statement.substring(nameStart - offset, start - offset)
                    : reads.edits().apply(reads.sql(), nameStart, start);
            this.after = reads == null ? statement.substring(end - offset)
                    : reads.edits().apply(reads.sql(), end, offset + statement.length());
            this.write = statement.substring(start - offset, end - offset);
            int before = 0;
            int in = 0;
            int later = 0;
            for (int i = 0; i < s.size(); i++) {
                if (s.get(i).kind() == TokenKind.PARAMETER && s.get(i).text().equals("?")) {
                    if (s.get(i).start() < start) {
                        before++;
                    } else if (s.get(i).start() < end) {
                        in++;
                    } else {
                        later++;
                    }
                }
            }
            this.parametersBefore = before;
            this.parametersIn = in;
            this.parametersAfter = later;
        }

        Rewrite in(Rewrite r) {
            if (r instanceof Rewrite.PassThrough && reads != null) {
                // the write as written, the rest reading the new table
                return new Rewrite.Rewritten(beforeName + header + write + after, Rewrite.Kind.READ_NEW, 0, null, null,
                        null, origins(null));
            }
            if (!(r instanceof Rewrite.Rewritten w)) {
                return r; // passes through as a whole (the rest names no migrated table), or is refused for the write's reason
            }
            Sig ws = new Sig(Statements.significant(Lexer.scan(w.sql(), true).tokens()));
            String queries = null;
            int last = 0;
            if (ws.is(0, "with")) {
                List<String> ours = new ArrayList<>();
                last = WithList.mainStatement(ws, ours, null);
                if (last < 0 || !ours.stream().allMatch(n -> n.startsWith("dw$"))) {
                    return refused("its rewrite could not be placed among the WITH queries");
                }
                queries = w.sql().substring(ws.get(1).start(), ws.get(last - 1).end());
            }
            String query = w.sql().substring(ws.get(last).start());
            if (w.hiddenColumns() > 0) {
                List<String> labels = returningLabels();
                if (labels == null) {
                    return refused("the items of its RETURNING list do not each have a name of their own");
                }
                if (ws.size() != last + 4 || !ws.is(last, "select") || !ws.isSymbol(last + 1, "*") || !ws.is(last + 2, "from")
                        || !"dw$w".equals(ws.get(last + 3).normalized())) {
                    return refused("its rewrite returns its rows in a form that cannot be named");
                }
                query = visibleColumns(labels, ws.get(last + 3).text());
            }
            String sql = beforeName + (queries == null ? "" : queries + ", ") + header + query + after;
            return new Rewrite.Rewritten(sql, Rewrite.Kind.DUAL_WRITE, 0, parameters(w.parameterSources()), null, null,
                    origins(w.origins()));
        }

        /**
         * {@link Rewrite.Origins} of the main query's rows, which may read the write's: {@code written} the write's own;
         * null where the rest is not read or the write's RETURNING items have no names this can tell.
         */
        private Rewrite.Origins origins(Rewrite.Origins written) {
            List<String> labels = rest == null ? null : returningLabels();
            if (labels == null) {
                return null;
            }
            try {
                return new ReadRewriter(names, columns).origins(rest.sig(), rest.scopes(),
                        new ResultOrigins.WrittenRows(rest.written(), labels, written));
            } catch (RuntimeException e) {
                return null; // the labels decide, as before
            }
        }

        /**
         * The query of the write's rows without the hidden columns: they are picked by name, or by position where two
         * items share a name ({@code RETURNING x.*, x.email::text}).
         */
        private static String visibleColumns(List<String> labels, String write) {
            if (new HashSet<>(labels).size() == labels.size()) {
                return "SELECT " + String.join(", ", labels.stream().map(Identifiers::quote).toList()) + " FROM " + write;
            }
            StringJoiner items = new StringJoiner(", ", "SELECT ", "");
            StringJoiner positions = new StringJoiner(", ", " AS \"dw$r\" (", ")");
            for (int k = 0; k < labels.size(); k++) {
                String position = Identifiers.quote("dw$" + (k + 1));
                items.add(position + " AS " + Identifiers.quote(labels.get(k)));
                positions.add(position);
            }
            return items + " FROM " + write + positions;
        }

        /** The map of the whole statement: the parameters before and after the write keep their places. */
        private int[] parameters(int[] inWrite) {
            if (inWrite == null) {
                return null;
            }
            int[] all = new int[parametersBefore + inWrite.length + parametersAfter];
            for (int i = 0; i < parametersBefore; i++) {
                all[i] = i + 1;
            }
            for (int i = 0; i < inWrite.length; i++) {
                all[parametersBefore + i] = parametersBefore + inWrite[i];
            }
            for (int i = 0; i < parametersAfter; i++) {
                all[parametersBefore + inWrite.length + i] = parametersBefore + parametersIn + i + 1;
            }
            return all;
        }

        /** The output names of the write's RETURNING items, or null when one has none this can tell. */
        private List<String> returningLabels() {
            int returning = -1;
            for (int i = 0; i < body.size(); i++) {
                if (body.depth(i) == 0 && body.is(i, "returning")) {
                    returning = i;
                }
            }
            if (returning < 0) {
                return null;
            }
            String qualifier = writes.analyze(body).qualifier();
            List<String> labels = new ArrayList<>();
            int from = returning + 1;
            for (int i = from; i <= body.size(); i++) {
                if (i < body.size() && !(body.depth(i) == 0 && body.isSymbol(i, ","))) {
                    continue;
                }
                int n = i - from;
                String function;
                if (n == 1 && body.isSymbol(from, "*") && !joinsOtherTables()) {
                    labels.addAll(columns);
                } else if (n == 3 && body.isName(from) && body.isSymbol(from + 1, ".") && body.isSymbol(from + 2, "*")
                        && body.get(from).normalized().equals(qualifier)) {
                    labels.addAll(columns);
                } else if (n >= 3 && body.is(i - 2, "as") && body.isName(i - 1)) {
                    labels.add(body.get(i - 1).normalized());
                } else if ((function = ColumnLabel.functionLabel(body, from, i)) != null) {
                    labels.add(function);
                } else {
                    int ref = n == 0 ? -1 : ColumnLabel.reference(body, from, i);
                    if (ref < 0) {
                        return null;
                    }
                    int name = ref;
                    while (body.isSymbol(name + 1, ".") && body.isName(name + 2)) {
                        name += 2;
                    }
                    labels.add(body.get(name).normalized());
                }
                from = i + 1;
            }
            return labels;
        }

        /** Whether {@code *} in the RETURNING list also takes the columns of an UPDATE's FROM or a DELETE's USING. */
        private boolean joinsOtherTables() {
            boolean update = body.is(0, "update");
            for (int i = 1; i < body.size(); i++) {
                if (body.depth(i) == 0 && ((update && body.is(i, "from")) || body.is(i, "using"))) {
                    return true;
                }
            }
            return false;
        }

        private Rewrite refused(String why) {
            return refused(why, "give each RETURNING item a name of its own with AS, or write the migrated table in a"
                    + " statement of its own");
        }

        Rewrite refused(String why, String advice) {
            return new Rewrite.Rejected(Reasons.of("a WITH query that writes the migrated table (" + names.spec().name()
                    + "): " + why, advice, statement));
        }
    }

    /**
     * Whether the statement's tokens are the same with {@code standard_conforming_strings} on: the rewrite's text is
     * split here with it on (its own parts have no backslash), so an application string that the session reads
     * otherwise ({@code 'a\'b'} with it off) must not reach that split.
     */
    private static boolean readsAlikeConforming(String statement, int offset, Sig s) {
        if (statement.indexOf('\\') < 0) {
            return true;
        }
        List<Token> on = Statements.significant(Lexer.scan(statement, true).tokens());
        if (on.size() != s.size()) {
            return false;
        }
        for (int i = 0; i < on.size(); i++) {
            if (on.get(i).start() != s.get(i).start() - offset || on.get(i).end() != s.get(i).end() - offset) {
                return false;
            }
        }
        return true;
    }

    private PhaseRewrites reject(String statement, String shape, String advice) {
        return PhaseRewrites.rejectBoth(Reasons.of(shape + " (" + names.spec().name() + ")", advice, statement));
    }

    private static Sig sub(Sig s, int from, int to) {
        return new Sig(s.tokens().subList(from, to));
    }
}
