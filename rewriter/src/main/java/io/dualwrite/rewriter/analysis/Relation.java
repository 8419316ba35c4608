package io.dualwrite.rewriter.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * A FROM item of a query's scope ({@link ReadScopes}). {@code qualifier} is how columns are qualified: the alias, else the
 * name as written.
 */
public final class Relation {
    public boolean source;
    public boolean aliased;
    public boolean columnAliases;
    /** How many columns the alias list renames (they rename the table's columns in order). */
    public int columnAliasCount;
    /** The names of the column alias list, normalized; empty without one. */
    public final List<String> columnAliasNames = new ArrayList<>();
    public String refName;
    public String qualifier;
    /** A table, view or other relation named in FROM: its name and schema (null when unqualified), normalized. */
    public String tableName;
    public String tableSchema;
    /** A parenthesized query in FROM ({@code (SELECT …)}, {@code (VALUES …)}): its opening parenthesis; else -1. */
    public int derivedOpen = -1;
    /** A named relation: its first token ({@code ONLY} included) and the token after its name ({@code *} included). */
    public int start = -1;
    public int nameEnd = -1;
    /** The rewrite made it a derived table of the application's columns ({@code DerivedSources.wrap}). */
    public boolean wrapped;
    /** Index of the token after the FROM item (its alias and column aliases included). */
    public int end;
}
