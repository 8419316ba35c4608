package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import java.util.Set;

/**
 * {@code TRUNCATE [TABLE] [ONLY] users [*] [, …] [RESTART IDENTITY] [CASCADE]}, then the target's primary rows of the
 * keys that are gone ({@link MigrationSpec#deletePrimaryRowsOfGoneKeys}), in one statement: a DO block, since TRUNCATE
 * has no RETURNING nor a place in a WITH query. A CASCADE that reaches the target through a foreign key still empties
 * it, as in the original.
 */
final class TruncateForm {

    record Refusal(String shape, String advice) {
    }

    private static final String TAG = "$dualwrite$";
    private static final Set<String> OPTIONS = Set.of("restart", "continue", "identity", "cascade", "restrict");
    private static final String FORM = "write it as TRUNCATE [TABLE] [ONLY] name [, …] [RESTART IDENTITY] [CASCADE]";

    private TruncateForm() {
    }

    /** Why the TRUNCATE {@code s} cannot be rewritten, or null. */
    static Refusal whyNot(SourceNames names, String statement, Sig s) {
        if (statement.contains(TAG)) {
            return new Refusal("TRUNCATE of the migrated table with the text " + TAG + " in it", "rename what contains it");
        }
        boolean named = false;
        int i = s.is(1, "table") ? 2 : 1;
        while (true) {
            if (s.is(i, "only") && s.isName(i + 1)) {
                i++;
            }
            if (!s.isName(i)) {
                return new Refusal("TRUNCATE of the migrated table in a form that is not recognised", FORM);
            }
            int len = names.tableAt(s, i);
            int j;
            if (len > 0) {
                j = i + len;
            } else {
                j = i + 1;
                while (s.isSymbol(j, ".") && s.isName(j + 1)) {
                    j += 2;
                }
            }
            if (s.isSymbol(j, "*")) {
                j++;
            }
            named |= len > 0;
            i = j;
            if (s.isSymbol(i, ",")) {
                i++;
                continue;
            }
            break;
        }
        for (; i < s.size(); i++) {
            if (!s.isName(i) || !OPTIONS.contains(s.get(i).normalized())) {
                return new Refusal("TRUNCATE of the migrated table in a form that is not recognised", FORM);
            }
        }
        return named ? null : new Refusal("TRUNCATE naming the migrated table in a form that is not recognised", FORM);
    }

    /** The rewrite of {@code truncate}, the application's statement up to its last token. */
    static String sql(MigrationSpec spec, String truncate) {
        return "DO " + TAG + "BEGIN\n" + truncate + "\n;\n" + spec.deletePrimaryRowsOfGoneKeys() + ";\nEND" + TAG;
    }
}
