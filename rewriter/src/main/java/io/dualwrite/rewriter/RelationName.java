package io.dualwrite.rewriter;

/** A relation's schema and name as the catalog spells them ({@code pg_namespace.nspname}, {@code pg_class.relname}). */
public record RelationName(String schema, String name) {

    /**
     * Whether {@code schema.name} (normalized) may name this relation: {@code schema} null (unqualified, which may lead
     * to any schema's relation of that name), this relation's schema, or {@code pg_temp} for a temporary relation.
     */
    public boolean isNamedBy(String schema, String name) {
        return this.name.equals(name) && (schema == null || schema.equals(this.schema)
                || "pg_temp".equals(schema) && this.schema.startsWith("pg_temp"));
    }
}
