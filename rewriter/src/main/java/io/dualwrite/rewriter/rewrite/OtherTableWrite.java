package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.Relation;
import io.dualwrite.rewriter.analysis.Reasons;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.WithList;
import io.dualwrite.rewriter.analysis.SourceNames;
import io.dualwrite.rewriter.analysis.WriteScan;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * {@code NEW_ONLY} / {@code CONTRACTED}: an INSERT, UPDATE or DELETE on another table that reads the migrated column
 * ({@code INSERT INTO audit SELECT id, email FROM users}, {@code UPDATE orders o SET note = (SELECT email FROM users u
 * WHERE u.id = o.user_id)}, {@code DELETE FROM orders USING users u WHERE … u.email = ?}). Only its reads change: they
 * read the new table as a query's do ({@link ReadRewriter#otherTableWrite}); the written table, its SET list and column
 * list are the application's. The write's parts are found here: the scopes of {@link ReadScopes#ofWrite} with the
 * written table (not the migrated one) as the write's first relation.
 */
final class OtherTableWrite {

    private final SourceNames names;
    private final ReadRewriter reads;

    OtherTableWrite(SourceNames names, ReadRewriter reads) {
        this.names = names;
        this.reads = reads;
    }

    /**
     * The plan of a write to another table: it passes through; in the phases without the old column its reads of it
     * read the new table, or it is refused when they cannot be translated.
     */
    PhaseRewrites plan(String sql, String statement, Sig s) {
        ReadScopes scopes = scopes(s, names);
        if (scopes == null && !WriteScan.readsColumn(s, names, true)) {
            return PhaseRewrites.PASS;
        }
        // with its scopes known, a whole-row reference (SELECT u FROM users u) is found too
        ReadRewriter.Result r = translate(sql, s, scopes);
        if (r.refusal() != null) {
            return PhaseRewrites.PASS.translatedAs(refused(statement, r.refusal()), null);
        }
        // generated keys: PgJDBC's appended RETURNING * covers the migrated table of FROM/USING, read or not
        boolean keysMayRead = s.find("returning", 0, s.size(), 0) < 0 && (!r.unchanged() || scopes.root().hasSource());
        if (r.unchanged() && !keysMayRead) {
            return PhaseRewrites.PASS;
        }
        PhaseRewrites out = PhaseRewrites.PASS.translatedAs(r.unchanged() ? Rewrite.PASS_THROUGH
                        : new Rewrite.Rewritten(r.sql(), Rewrite.Kind.READ_NEW, 0, null),
                keysMayRead ? list -> withReturning(statement, list) : null);
        // READ_NEW reads the new table here too (NewSchemaTranslator#dualWriteReadingNew says why), its RETURNING list too
        return r.unchanged() ? out : out.readingNew(out.translated());
    }

    /**
     * Generated keys of a translated write to another table: PgJDBC would append {@code RETURNING <list>} (often
     * {@code *}, which there covers the migrated table of FROM/USING too), so the list is appended here and translated
     * with the rest; the rows are the keys ({@code DUAL_WRITE_RETURNING}, nothing hidden).
     */
    private Rewrite withReturning(String statement, String list) {
        if (statement.indexOf('\\') >= 0) {
            // re-read here without the session's standard_conforming_strings, which decides what a backslash means
            return rejected(statement, "generated keys of a write to another table that reads the migrated column, with"
                    + " a backslash in its text", "name the key columns in a RETURNING clause of the statement");
        }
        String text = statement + " RETURNING " + list;
        Sig s = new Sig(Statements.significant(Lexer.scan(text, true).tokens()));
        ReadRewriter.Result r = translate(text, s, scopes(s, names));
        if (r.refusal() != null) {
            return refused(statement, r.refusal());
        }
        return r.unchanged() ? Rewrite.PASS_THROUGH : new Rewrite.Rewritten(r.sql(), Rewrite.Kind.DUAL_WRITE_RETURNING, 0, null);
    }

    private ReadRewriter.Result translate(String text, Sig s, ReadScopes scopes) {
        return scopes == null ? ReadRewriter.Result.refused("its structure was not recognised")
                : reads.otherTableWrite(text, s, scopes);
    }

    private Rewrite refused(String statement, String why) {
        return rejected(statement, "a write to another table that reads the migrated column in a way that cannot be"
                + " translated: " + why, "change it as suggested, or read the column in a SELECT of its own");
    }

    private Rewrite rejected(String statement, String shape, String advice) {
        return new Rewrite.Rejected(Reasons.of(shape + " (" + names.spec().name() + ")", advice, statement));
    }

    /** The scopes of the write {@code s} (after its own WITH list, if any), or null when its structure is not recognised. */
    private static ReadScopes scopes(Sig s, SourceNames names) {
        int main = 0;
        if (s.is(0, "with")) {
            main = WithList.mainStatement(s, new ArrayList<>(), null);
            if (main < 0) {
                return null;
            }
        }
        BitSet marks = new BitSet();
        int from = -1;
        int fromEnd = -1;
        int name = -1;
        int alias;
        int j;
        if (s.is(main, "insert") && s.is(main + 1, "into")) {
            name = main + 2;
            j = nameEnd(s, name);
            alias = s.is(j, "as") && s.isName(j + 1) ? j + 1 : -1;
            j = alias < 0 ? j : alias + 1;
            if (s.isSymbol(j, "(") && !s.is(j + 1, "select") && !s.is(j + 1, "with") && !s.is(j + 1, "values")
                    && !s.isSymbol(j + 1, "(")) {
                j = s.match(j) + 1;
            }
            marks.set(main, j);
        } else if (s.is(main, "update")) {
            name = main + (s.is(main + 1, "only") ? 2 : 1);
            alias = aliasAt(s, nameEnd(s, name), "set");
            j = alias < 0 ? nameEnd(s, name) + (s.isSymbol(nameEnd(s, name), "*") ? 1 : 0) : alias + 1;
            if (!s.is(j, "set")) {
                return null;
            }
            int setEnd = TranslationDraft.setEnd(s, j + 1);
            List<TranslationDraft.Assignment> list = TranslationDraft.assignments(s, j + 1, setEnd);
            if (list == null) {
                return null;
            }
            marks.set(main, j + 1);
            NewSchemaTranslator.markTargets(s, list, marks);
            if (s.is(setEnd, "from")) {
                from = setEnd;
                fromEnd = TranslationDraft.clauseEnd(s, from + 1, "where", "returning");
            }
        } else if (s.is(main, "delete") && s.is(main + 1, "from")) {
            name = main + (s.is(main + 2, "only") ? 3 : 2);
            alias = aliasAt(s, nameEnd(s, name), "using", "where", "returning");
            j = alias < 0 ? nameEnd(s, name) + (s.isSymbol(nameEnd(s, name), "*") ? 1 : 0) : alias + 1;
            marks.set(main, j);
            if (s.is(j, "using")) {
                from = j;
                fromEnd = TranslationDraft.clauseEnd(s, from + 1, "where", "returning");
            }
        } else {
            return null;
        }
        if (nameEnd(s, name) == name) {
            return null;
        }
        Relation written = new Relation();
        int ref = alias >= 0 ? alias : nameEnd(s, name) - 1;
        written.aliased = alias >= 0;
        written.qualifier = s.get(ref).text();
        written.refName = s.get(ref).normalized();
        written.tableName = s.get(nameEnd(s, name) - 1).normalized();
        written.tableSchema = nameEnd(s, name) - name > 1 ? s.get(nameEnd(s, name) - 3).normalized() : null;
        int returning = s.find("returning", name, s.size(), 0);
        ReadScopes scopes = ReadScopes.ofWrite(s, names, written, from, fromEnd, returning < 0 ? -1 : returning + 1, marks);
        // the WITH queries do not see the written table (not the migrated one anyway)
        scopes.hideWrittenTable(0, main);
        return scopes;
    }

    /** After {@code name(.name)*} at {@code i}: the index past it, or {@code i} when no name starts there. */
    private static int nameEnd(Sig s, int i) {
        if (!s.isName(i)) {
            return i;
        }
        int j = i + 1;
        while (s.isSymbol(j, ".") && s.isName(j + 1)) {
            j += 2;
        }
        return j;
    }

    /** The alias after the written table's name ({@code j}: past it), or -1; a word among {@code next} starts the next clause. */
    private static int aliasAt(Sig s, int j, String... next) {
        if (s.isSymbol(j, "*")) {
            j++;
        }
        if (s.is(j, "as") && s.isName(j + 1)) {
            return j + 1;
        }
        for (String n : next) {
            if (s.is(j, n)) {
                return -1;
            }
        }
        return s.isName(j) ? j : -1;
    }
}
