package io.dualwrite.driver.runtime;

import io.dualwrite.rewriter.RelationName;

import java.util.HashSet;
import java.util.Set;

/**
 * Every relation (table, view, materialized view, foreign table; temporary ones of every session) the driver's last
 * read of the catalog found, and that read's number. A relation it lists had, then, the columns
 * {@link io.dualwrite.rewriter.SourceTable#relationsWithColumn} says; one it does not list was created since (or is no
 * relation: a WITH query's name), and a plan that took it to lack the migrated column is checked in the session
 * ({@code PlanAssumptions}).
 *
 * @param read how many reads came before this one and it: a session's own changes to the catalog are in every read
 *             two numbers after the one current when they committed
 */
public record CatalogRelations(Set<RelationName> relations, Set<String> names, long read) {

    static final CatalogRelations NONE = new CatalogRelations(Set.of(), 0);

    CatalogRelations(Set<RelationName> relations, long read) {
        this(Set.copyOf(relations), namesOf(relations), read);
    }

    /** Whether the read found the relation {@code r} names: by its name in any schema when {@code r} is unqualified. */
    public boolean lists(RelationName r) {
        return r.schema() == null ? names.contains(r.name()) : relations.contains(r);
    }

    private static Set<String> namesOf(Set<RelationName> relations) {
        Set<String> names = new HashSet<>();
        for (RelationName r : relations) {
            names.add(r.name());
        }
        return Set.copyOf(names);
    }
}
