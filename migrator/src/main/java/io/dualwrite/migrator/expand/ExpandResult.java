package io.dualwrite.migrator.expand;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.util.List;

/**
 * @param alreadyExpanded the migration was registered before this call (nothing to do)
 * @param actions         what this call changed, in order, human-readable (empty when nothing)
 */
public record ExpandResult(MigrationSpec spec, Phase phase, boolean alreadyExpanded, boolean createdTable,
                           boolean createdIndex, String indexName, List<String> actions) {
}
