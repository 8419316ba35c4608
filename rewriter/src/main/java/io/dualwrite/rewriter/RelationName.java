package io.dualwrite.rewriter;

/** A relation's schema and name as the catalog spells them ({@code pg_namespace.nspname}, {@code pg_class.relname}). */
public record RelationName(String schema, String name) {
}
