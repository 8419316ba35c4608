package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.analysis.ReadScopes;
import io.dualwrite.rewriter.analysis.Scope;
import io.dualwrite.rewriter.analysis.Sig;
import io.dualwrite.rewriter.analysis.SourceNames;
import java.util.List;

/**
 * Shapes that cannot run as sent once the old column is gone (CONTRACTED) or stale (NEW_ONLY), even in a statement
 * that names no column the rewrite could replace: a NATURAL join with the migrated table joins on every column
 * name the two sides share, the old one too while it exists and no longer after the drop (unless no other relation
 * joined has a column of that name: {@link UnqualifiedColumns#owner}); a cast to the migrated
 * table's row type ({@code null::users}) has the old column until the drop and not after ({@code TABLE users}, which
 * names no column either, is planned as the SELECT it is: {@link TableQueries}). NEW_ONLY refuses them too, so that the
 * contract changes no statement's behaviour.
 * A query's NATURAL join is translated instead where the read rewrite makes the migrated table's FROM items derived
 * tables of the original columns ({@link DerivedSources#joinsNaturallyOnTheColumn}): it then joins as it did.
 */
final class DropSensitiveShapes {

    private final SourceNames names;
    private final DerivedSources derived;

    DropSensitiveShapes(SourceNames names, List<String> columns) {
        this.names = names;
        this.derived = new DerivedSources(names, columns);
    }

    /**
     * Why {@code s} has such a shape, or null when it has none.
     *
     * @param query whether {@code s} is a query, which the read rewrite translates whole
     */
    String refusal(Sig s, boolean query) {
        boolean natural = false;
        for (int i = 0; i < s.size(); i++) {
            if (s.isSymbol(i, "::") && names.tableAt(s, i + 1) > 0) {
                return "a cast to the migrated table's row type (" + s.get(i + 1).text() + "), which loses the old column"
                        + " when it is dropped";
            }
            natural |= s.is(i, "natural");
        }
        if (natural) {
            ReadScopes scopes = ReadScopes.of(s, names);
            if (naturalJoinInWriteNamingTable(s, scopes)) {
                return "a NATURAL join in a write's own FROM or USING list that names the migrated table, which joins on"
                        + " every column name the two tables share, the old column's too until it is dropped";
            }
            for (Scope scope : scopes.scopes()) {
                // joined with relations none of which has a column of that name, it never joined on the old column
                if (derived.joinsNaturallyOnTheColumn(s, scopes, scope) && !(query && derived.canWrap(s, scope))) {
                    return "a NATURAL join with the migrated table, which joins on every column name the two tables share,"
                            + " the old column's too until it is dropped";
                }
            }
        }
        return null;
    }

    /** A NATURAL join outside every SELECT (an UPDATE's FROM, a DELETE's or MERGE's USING) of a list naming the table. */
    private boolean naturalJoinInWriteNamingTable(Sig s, ReadScopes scopes) {
        boolean natural = false;
        boolean table = false;
        for (int i = 0; i < s.size(); i++) {
            if (scopes.owner(i) == null) {
                natural |= s.is(i, "natural");
                table |= names.tableAt(s, i) > 0;
            }
        }
        return natural && table;
    }
}
