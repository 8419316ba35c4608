package io.dualwrite.rewriter.analysis;

import java.util.Set;

/** The first-keyword classification of a statement that mentions a migrated table. */
public enum StatementClass {
    INSERT, UPDATE, DELETE, WITH, READ, TABLE, MERGE, TRUNCATE, COPY, EXPLAIN, HARMLESS, OTHER;

    /** Statements that name a table without reading or writing its column values. */
    private static final Set<String> HARMLESS_VERBS = Set.of("lock", "vacuum", "analyze", "analyse", "grant",
            "revoke", "comment", "reindex", "cluster", "security", "show", "set", "reset", "begin", "commit",
            "rollback", "savepoint", "release", "start", "end", "abort", "deallocate", "listen",
            "notify", "unlisten", "checkpoint", "discard");

    public static StatementClass of(Sig s) {
        if (s.size() == 0) {
            return OTHER;
        }
        if (s.isSymbol(0, "(")) {
            return READ;
        }
        String verb = s.get(0).normalized();
        switch (verb) {
            case "insert": return INSERT;
            case "update": return UPDATE;
            case "delete": return DELETE;
            case "with": return WITH;
            case "select": case "values": return READ;
            case "table": return TABLE;
            case "merge": return MERGE;
            case "truncate": return TRUNCATE;
            case "copy": return COPY;
            case "explain": return EXPLAIN;
            case "create":
                return (s.is(1, "index") || (s.is(1, "unique") && s.is(2, "index"))) ? HARMLESS : OTHER;
            default:
                return HARMLESS_VERBS.contains(verb) ? HARMLESS : OTHER;
        }
    }
}
