package io.dualwrite.rewriter.analysis;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.RelationName;
import java.util.Set;

/**
 * Recognises the names of one migration in token form: the source table as written
 * ({@code users}, {@code USERS}, {@code "users"}, {@code public.users}), its key and its column.
 * Unqualified names resolve through search_path, which we assume to be {@code public}.
 */
public final class SourceNames {

    private final MigrationSpec spec;
    /** {@link io.dualwrite.rewriter.SourceTable#relationsWithColumn}: null when unknown. */
    private final Set<RelationName> relationsWithColumn;

    public SourceNames(MigrationSpec spec) {
        this(spec, null);
    }

    public SourceNames(MigrationSpec spec, Set<RelationName> relationsWithColumn) {
        this.spec = spec;
        this.relationsWithColumn = relationsWithColumn;
    }

    /**
     * Whether the relation {@code schema.name} (normalized; {@code schema} null when the name is unqualified, which then
     * may be any schema's relation of that name) has a column named like the migrated one: null when that is not known.
     * A false answer is an assumption the plan records ({@link AssumedWithoutColumn}).
     */
    public Boolean relationHasColumn(String schema, String name) {
        if (relationsWithColumn == null) {
            return null;
        }
        for (RelationName r : relationsWithColumn) {
            if (r.isNamedBy(schema, name)) {
                return true;
            }
        }
        AssumedWithoutColumn.record(spec, schema, name);
        return false;
    }

    public MigrationSpec spec() {
        return spec;
    }

    /**
     * How many tokens starting at {@code i} spell the source table (1 for {@code users}, 3 for
     * {@code public.users}), or 0. A name that follows a dot belongs to another qualifier.
     */
    public int tableAt(Sig s, int i) {
        if (!s.isIdentifier(i) || s.isSymbol(i - 1, ".")) {
            return 0;
        }
        if (s.isSymbol(i + 1, ".") && s.isName(i + 2)
                && s.get(i).normalized().equals(spec.sourceSchema())
                && s.get(i + 2).normalized().equals(spec.sourceTable())) {
            return 3;
        }
        if (s.get(i).normalized().equals(spec.sourceTable()) && "public".equals(spec.sourceSchema())) {
            return 1;
        }
        return 0;
    }

    /** True when any token sequence could name the source table (qualified with the database too). */
    public boolean mentionsTable(Sig s) {
        for (int i = 0; i < s.size(); i++) {
            if (tableAt(s, i) > 0) {
                return true;
            }
        }
        return catalogQualified(s) >= 0;
    }

    /**
     * Where the statement names the source table qualified with a database ({@code mydb.public.users}, which PostgreSQL
     * accepts for the current database), or -1. The rewrites know the table by its one- or two-part name only.
     */
    public int catalogQualified(Sig s) {
        for (int i = 0; i + 4 < s.size(); i++) {
            if (s.isName(i) && !s.isSymbol(i - 1, ".") && s.isSymbol(i + 1, ".") && s.isSymbol(i + 3, ".")
                    && s.isName(i + 2) && s.get(i + 2).normalized().equals(spec.sourceSchema())
                    && s.isName(i + 4) && s.get(i + 4).normalized().equals(spec.sourceTable())) {
                return i;
            }
        }
        return -1;
    }

    /** True when a normalized one-part name equals the source table's name. */
    public boolean isTableName(String normalized) {
        return spec.sourceTable().equals(normalized);
    }

    public boolean isColumn(String normalized) {
        return spec.sourceColumn().equals(normalized);
    }

    public String quotedColumn() {
        return Identifiers.quote(spec.sourceColumn());
    }
}
