package io.dualwrite.rewriter;

import java.util.Set;

/**
 * A view over a migration's source table that does not read the migrated column ({@link SourceTable#views}). A write
 * through it reaches the source's rows where no sync follows: an INSERT leaves the column to its default, a DELETE
 * removes rows whose value the target keeps, an UPDATE of the view's key columns moves a row's value to another key.
 *
 * @param view       the view
 * @param keyColumns the view's columns that are the source's key (directly, or through the views in between), as stored;
 *                   null when unknown: the view has INSTEAD OF triggers or rules of its own (they may write anything),
 *                   or its stored query could not be read
 */
public record SourceView(RelationName view, Set<String> keyColumns) {

    public SourceView {
        keyColumns = keyColumns == null ? null : Set.copyOf(keyColumns);
    }
}
