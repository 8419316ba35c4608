package io.dualwrite.migrator.expand;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.migrator.db.QualifiedName;
import io.dualwrite.rewriter.MigrationSpec;

/**
 * What {@code dualwrite expand} is asked to do: move {@code source} (keyed by {@code keyColumn})
 * into {@code target} (the value column), whose {@code targetKeyColumn} references the key and
 * whose {@code primaryFlagColumn} marks the row mirroring the old column.
 *
 * @param target schema may be null: then the source's schema
 */
public record ExpandRequest(QualifiedName source, String keyColumn, QualifiedName target,
                            String targetKeyColumn, String primaryFlagColumn) {

    /** Parses the CLI's spelling: {@code users.email id email_address.address user_id is_primary}. */
    public static ExpandRequest parse(String source, String key, String target, String targetKey, String primaryFlag) {
        return new ExpandRequest(QualifiedName.parseColumn(source, "--source"),
                QualifiedName.parseIdentifier(key, "--key"),
                QualifiedName.parseColumn(target, "--target"),
                QualifiedName.parseIdentifier(targetKey, "--target-key"),
                QualifiedName.parseIdentifier(primaryFlag, "--primary-flag"));
    }

    /** The migration this request registers, its source in {@code defaultSchema} when {@code --source} names none. */
    public MigrationSpec spec(String defaultSchema) {
        String schema = source.schema() != null ? source.schema() : defaultSchema;
        return new MigrationSpec(schema, source.table(), keyColumn, source.column(),
                target.schema() != null ? target.schema() : schema, target.table(), targetKeyColumn, target.column(),
                primaryFlagColumn, ControlSchema.syncViewName(source.table(), source.column()));
    }
}
