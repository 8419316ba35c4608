package io.dualwrite.rewriter;

import java.util.List;
import java.util.Objects;

/**
 * A migration together with the columns of its source table in attnum order (normalized names),
 * which the read rewrite needs to expand {@code SELECT *} without changing the result's columns.
 */
public record SourceTable(MigrationSpec spec, List<String> columns) {

    public SourceTable {
        Objects.requireNonNull(spec, "spec");
        columns = List.copyOf(columns);
    }
}
