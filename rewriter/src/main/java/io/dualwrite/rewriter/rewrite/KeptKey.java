package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.analysis.MergeActions;
import io.dualwrite.rewriter.analysis.Reasons;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.WriteAnalyzer;
import io.dualwrite.rewriter.analysis.WriteShape;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import io.dualwrite.rewriter.lexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * An UPDATE, an INSERT … ON CONFLICT … DO UPDATE or a MERGE's UPDATE action that assigns the key column of the
 * migrated table, as ORMs write a whole record back ({@code UPDATE users SET id = ?, name = ?, email = ? WHERE id = ?}: jOOQ's {@code
 * executeUpdate(record)}, MyBatis Dynamic SQL's {@code updateAllColumns}, jOOQ's {@code onConflict(ID).doUpdate().set(record)}).
 * The new table follows the rows by their key, so a row whose key changed would leave its new-table rows under the old
 * key. Almost always the value is the key the row already has; where the phases sync the new table, the value is
 * therefore checked row by row as PostgreSQL assigns it:
 * <pre>
 * UPDATE users SET id = "dualwrite".kept_key(users."id", ?, '"public"."users"'::pg_catalog.regclass, 'id'), …
 * </pre>
 * The function (control module, {@code ControlTables.KEY_GUARD}) returns the value unchanged when it equals the row's
 * key, else refuses the statement (SQLState 0A000), which then changes nothing. It runs for the rows the statement
 * writes and only those (SET is evaluated once a row is locked and its WHERE rechecked), so the check is exact for any
 * value expression, and a value that is evaluated once is still evaluated once. Its arguments are {@code anycompatible}:
 * the value keeps its type ({@code setLong} for an {@code int} key compares as {@code bigint}, and is assigned with the
 * same cast as before); a value of a type that does not compare with the key's is refused by PostgreSQL (42883), as
 * its assignment was (42804).
 *
 * <p>A key assigned otherwise (a row-form {@code SET (id, …) = …}, a subfield or element, {@code DEFAULT}) is not
 * guarded, and stays refused.
 */
final class KeptKey {

    /** The statement with its key's value guarded, and its significant tokens (offsets into it), beside the one written. */
    record Guarded(String statement, Sig sig, String original, int originalOffset, Sig originalSig) {

        /**
         * {@code planned}, the plan of the guarded statement, sending the guarded statement in every phase that syncs the
         * new table, including those where it needs nothing else (a write that leaves the migrated column alone): there
         * it runs as the write it is, kind {@link Rewrite.Kind#DUAL_WRITE}, and with generated keys PgJDBC appends its
         * RETURNING to it. In {@code EXPANDED} nothing follows the key yet and the statement runs as written.
         */
        PhaseRewrites sentWhereSynced(PhaseRewrites planned) {
            Rewrite guarded = new Rewrite.Rewritten(statement, Rewrite.Kind.DUAL_WRITE);
            Function<String, Rewrite> withReturning = planned.withReturning();
            Function<String, Rewrite> translatedReturning = planned.translatedReturning();
            return new PhaseRewrites(orGuarded(planned.dualWrite(), guarded), orGuarded(planned.readNew(), guarded),
                    withReturning == null ? null : list -> orGuarded(withReturning.apply(list), guarded), planned.expanded(),
                    orGuarded(planned.translated(), guarded),
                    translatedReturning == null ? null : list -> orGuarded(translatedReturning.apply(list), guarded));
        }

        /** {@code r}, or {@code guarded} for a pass-through; a refusal quotes the statement as the application wrote it. */
        private Rewrite orGuarded(Rewrite r, Rewrite guarded) {
            if (r instanceof Rewrite.Rejected rejected) {
                return new Rewrite.Rejected(Reasons.quoting(rejected.reason(), original));
            }
            return r instanceof Rewrite.PassThrough ? guarded : r;
        }

        /**
         * This guarded main statement of {@code statement} (tokens {@code s}, from {@code offset}) after its WITH list,
         * tokens [0, {@code main}), as the whole statement: the WITH list as written, then this.
         */
        Guarded after(String statement, int offset, Sig s, int main) {
            int at = s.get(main).start() - offset;
            String whole = statement.substring(0, at) + this.statement;
            List<Token> tokens = new ArrayList<>(main + sig.size());
            for (int i = 0; i < main; i++) {
                Token t = s.get(i);
                tokens.add(new Token(t.kind(), t.start() - offset, t.end() - offset, whole));
            }
            for (int i = 0; i < sig.size(); i++) {
                Token t = sig.get(i);
                tokens.add(new Token(t.kind(), t.start() + at, t.end() + at, whole));
            }
            return new Guarded(whole, new Sig(tokens), statement, offset, s);
        }

    }

    private KeptKey() {
    }

    /**
     * {@code statement} with the value of its key assignment guarded; null when it assigns no key, or assigns it in a
     * form that is not guarded.
     *
     * @param shape the write's shape ({@link WriteAnalyzer}), read from {@code s}
     */
    static Guarded of(MigrationSpec spec, WriteShape shape, String statement, int offset, Sig s) {
        if (shape == null || shape.setList() < 0 || !shape.assigned().contains(spec.keyColumn())) {
            return null;
        }
        int[] value = keyValue(spec, s, shape.setList(), s.size());
        return value == null || value.length == 0 ? null : guarded(spec, shape.qualifier(), statement, offset, s, List.of(value));
    }

    /**
     * A MERGE ({@code s} from its verb) with the key's value guarded in each UPDATE action that assigns it; null when
     * none does, or one assigns it in a form that is not guarded.
     *
     * @param qualifier how the actions name the target row: its alias, or its table
     */
    static Guarded ofMerge(MigrationSpec spec, String qualifier, String statement, int offset, Sig s) {
        List<int[]> values = new ArrayList<>();
        for (int[] list : MergeActions.updateSetLists(s, 0)) {
            int[] value = keyValue(spec, s, list[0], list[1]);
            if (value == null) {
                return null;
            }
            if (value.length > 0) {
                values.add(value);
            }
        }
        return values.isEmpty() ? null : guarded(spec, qualifier, statement, offset, s, values);
    }

    /**
     * The token range [start, end) of the value the SET list [from, to) gives the key: empty when it assigns none; null
     * when it assigns it otherwise than {@code key = <value>} ({@code (id, …) = …}, {@code id[1]}, {@code id.f},
     * {@code DEFAULT}, twice: PostgreSQL refuses that, 42601).
     */
    private static int[] keyValue(MigrationSpec spec, Sig s, int from, int to) {
        int[] value = new int[0];
        for (int[] a : WriteAnalyzer.assignmentSpans(s, from, to)) {
            if (!namesKeyOnTheLeft(s, a, spec.keyColumn())) {
                continue;
            }
            if (!s.isName(a[0]) || !s.isSymbol(a[0] + 1, "=") || value.length > 0 || a[0] + 2 >= a[1]
                    || a[1] == a[0] + 3 && s.is(a[0] + 2, "default")) {
                return null;
            }
            value = new int[] {a[0] + 2, a[1]};
        }
        return value;
    }

    /** {@code statement} with each of {@code values} (token ranges of {@code s}, in order) wrapped in the guard. */
    private static Guarded guarded(MigrationSpec spec, String qualifier, String statement, int offset, Sig s,
                                   List<int[]> values) {
        // qualified: in DO UPDATE SET an unqualified key is ambiguous with EXCLUDED's (42702), in UPDATE … FROM with another table's
        String row = qualifier + "." + Identifiers.quote(spec.keyColumn());
        String before = Identifiers.quote(MigrationSpec.CONTROL_SCHEMA) + ".kept_key(" + row + ", ";
        String after = ", " + Identifiers.literal(spec.qualifiedSource()) + "::pg_catalog.regclass, "
                + Identifiers.literal(spec.keyColumn()) + ")";
        StringBuilder text = new StringBuilder(statement.length() + values.size() * (before.length() + after.length()));
        int[] insertedAt = new int[2 * values.size()]; // where each value's before and after text starts in the result
        int copied = 0;
        for (int k = 0; k < values.size(); k++) {
            int from = s.get(values.get(k)[0]).start() - offset;
            int to = s.get(values.get(k)[1] - 1).end() - offset;
            text.append(statement, copied, from);
            insertedAt[2 * k] = text.length();
            text.append(before).append(statement, from, to);
            insertedAt[2 * k + 1] = text.length();
            text.append(after);
            copied = to;
        }
        String guarded = text.append(statement, copied, statement.length()).toString();
        List<Token> tokens = new ArrayList<>(s.size() + 16 * values.size());
        int shift = -offset;
        int k = 0;
        for (int i = 0; i < s.size(); i++) {
            int[] value = k < values.size() ? values.get(k) : null;
            if (value != null && i == value[0]) {
                add(tokens, before, insertedAt[2 * k], guarded);
                shift += before.length();
            }
            Token t = s.get(i);
            tokens.add(new Token(t.kind(), t.start() + shift, t.end() + shift, guarded));
            if (value != null && i == value[1] - 1) {
                add(tokens, after, insertedAt[2 * k + 1], guarded);
                shift += after.length();
                k++;
            }
        }
        return new Guarded(guarded, new Sig(tokens), statement, offset, s);
    }

    private static boolean namesKeyOnTheLeft(Sig s, int[] assignment, String key) {
        for (int i = assignment[0]; i < assignment[1]; i++) {
            if (s.depth(i) == s.depth(assignment[0]) && s.isSymbol(i, "=")) {
                return false;
            }
            if (s.isName(i) && s.get(i).normalized().equals(key)) {
                return true;
            }
        }
        return false;
    }

    /** The significant tokens of our own {@code text}, placed at {@code at} of {@code into}. */
    private static void add(List<Token> tokens, String text, int at, String into) {
        for (Token t : Statements.significant(Lexer.scan(text, true).tokens())) {
            tokens.add(new Token(t.kind(), t.start() + at, t.end() + at, into));
        }
    }
}
