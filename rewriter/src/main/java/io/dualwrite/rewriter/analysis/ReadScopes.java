package io.dualwrite.rewriter.analysis;

import io.dualwrite.rewriter.lexer.Token;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;

/**
 * The query scopes of a statement, from tokens: each SELECT opens a scope that owns its tokens
 * (nested SELECTs own theirs), with its FROM relations and SELECT-list items. Column references
 * resolve against the innermost scope first, as in PostgreSQL.
 */
public final class ReadScopes {

    /** A SELECT-list item, tokens [start, end); {@code alias} is the alias token index or -1. */
    public static final class Item {
        public int start;
        public int end;
        public int alias = -1;
        public boolean replaced;
        public boolean expanded;
        /** First tokens of the references replaced in this item. */
        public final BitSet replacedAt = new BitSet();
    }

    private final Sig s;
    private final SourceNames names;
    private final Scope[] owner;
    /** The scope of an INSERT/UPDATE/DELETE's own clauses ({@link #ofWrite}); null for a query. */
    private Scope root;
    private final List<Scope> scopes = new ArrayList<>();
    private final BitSet notReferences = new BitSet();
    private final BitSet outerReferencesRefused = new BitSet();
    private String refusal;
    private final FromItems fromItems;

    private ReadScopes(Sig s, SourceNames names) {
        this.s = s;
        this.names = names;
        this.owner = new Scope[s.size()];
        this.fromItems = new FromItems(s, names, owner, notReferences);
    }

    public static ReadScopes of(Sig s, SourceNames names) {
        ReadScopes r = new ReadScopes(s, names);
        r.build();
        return r;
    }

    /**
     * The scopes of a write on the source table. Tokens outside every SELECT belong to the write's
     * own scope: its first relation is the written table ({@code target}), then the relations of its
     * FROM / USING clause ({@code fromStart} is the FROM or USING keyword, the clause ends before
     * {@code fromEnd}; none when fromStart &lt; 0), and its items are
     * the RETURNING list (tokens [returningStart, size), none when returningStart &lt; 0). There an
     * unqualified name of the column means the written table's column, as it did on the original
     * schema (another FROM item with such a column would have made it ambiguous). Tokens in
     * {@code notReferences} (the written table, SET targets, column lists) are never references.
     */
    public static ReadScopes ofWrite(Sig s, SourceNames names, Relation target, int fromStart, int fromEnd,
                                     int returningStart, BitSet notReferences) {
        ReadScopes r = new ReadScopes(s, names);
        r.notReferences.or(notReferences);
        r.withListNames();
        r.root = new Scope(-1, 0, null);
        r.root.end = s.size();
        r.root.relations.add(target);
        r.root.writeRoot = true;
        r.build();
        if (fromStart >= 0) {
            r.root.fromStart = fromStart;
            r.root.fromEnd = fromEnd;
            r.relations(r.root, fromStart + 1, fromEnd);
        }
        if (returningStart >= 0) {
            r.items(r.root, returningStart, s.size());
        }
        r.rootWhere();
        return r;
    }

    /**
     * The names a write's WITH list gives its queries and their columns ({@code WITH r(id, email) AS (…)}): they lie
     * outside every SELECT, where the write's own scope would take them for references.
     */
    private void withListNames() {
        if (!s.is(0, "with")) {
            return;
        }
        List<int[]> spans = new ArrayList<>();
        WithList.mainStatement(s, new ArrayList<>(), spans);
        for (int[] span : spans) {
            markNotReference(span[0], span[1]); // the name, its column list, AS [[NOT] MATERIALIZED]
        }
    }

    /** The write's own WHERE (of an INSERT: its ON CONFLICT's): to its RETURNING, or to the end. */
    private void rootWhere() {
        for (int i = 0; i < s.size(); i++) {
            if (s.depth(i) == 0 && owner[i] == root) {
                if (root.whereStart < 0 && s.is(i, "where") && !s.isSymbol(i - 1, ".")) {
                    root.whereStart = i;
                    root.whereEnd = s.size();
                } else if (root.whereStart >= 0 && s.is(i, "returning")) {
                    root.whereEnd = i;
                    return;
                }
            }
        }
    }

    /**
     * The queries of a write that start in tokens [from, to) (its WITH list, an INSERT's VALUES or SELECT) do not see
     * the written table: PostgreSQL resolves their names without it, so an unqualified name of the migrated column
     * there is some other table's column, never the written row's (nor ambiguous with it).
     */
    public void hideWrittenTable(int from, int to) {
        for (Scope sc : scopes) {
            if (sc.parent == root && sc.select >= from && sc.select < to) {
                sc.outermost = true;
            }
        }
    }

    /**
     * Subqueries in tokens [from, to) whose unqualified name of the column stays refused rather than read from the
     * outer table ({@code ReadRewriter}): an INSERT's VALUES, which does not see the written table but whose
     * expressions the translation moves into RETURNING, which does; its ON CONFLICT clause, where the name may also be
     * EXCLUDED's.
     */
    public void keepOuterReferencesRefused(int from, int to) {
        outerReferencesRefused.set(from, to);
    }

    public boolean outerReferencesRefused(int i) {
        return outerReferencesRefused.get(i);
    }

    /** The write's own scope ({@link #ofWrite}), or null for a query. */
    public Scope root() {
        return root;
    }

    public List<Scope> scopes() {
        return scopes;
    }

    public Scope owner(int i) {
        return owner[i];
    }

    public boolean isNotAReference(int i) {
        return notReferences.get(i);
    }

    public void markNotReference(int from, int to) {
        notReferences.set(from, to);
    }

    /** Set when the statement's structure makes references impossible to resolve with certainty. */
    public String refusal() {
        return refusal;
    }

    /**
     * The bodies of data-modifying WITH queries ({@code name AS (INSERT|UPDATE|DELETE …)}): their own clauses name
     * their own table's columns, never the migrated table's. Tokens [start, end) each.
     */
    private final List<int[]> writingCtes = new ArrayList<>();

    /** Whether token {@code i} lies in a data-modifying WITH query's body outside every SELECT in it. */
    public boolean inWritingCteClauses(int i) {
        for (int[] r : writingCtes) {
            if (i >= r[0] && i < r[1]) {
                Scope sc = owner[i];
                return sc == null || sc == root || sc.select < r[0];
            }
        }
        return false;
    }

    private void findWritingCtes() {
        for (int i = 1; i + 1 < s.size(); i++) {
            if (s.isSymbol(i, "(") && (s.is(i - 1, "as") || s.is(i - 1, "materialized"))
                    && (s.is(i + 1, "insert") || s.is(i + 1, "update") || s.is(i + 1, "delete")) && s.match(i) > i) {
                writingCtes.add(new int[] {i + 1, s.match(i)});
            }
        }
    }

    private void build() {
        findWritingCtes();
        Deque<Scope> stack = new ArrayDeque<>();
        if (root != null) {
            scopes.add(root);
            stack.push(root);
        }
        int setOperator = -1;
        for (int i = 0; i < s.size(); i++) {
            Token t = s.get(i);
            while (!stack.isEmpty() && t.isSymbol(")") && s.depth(i) < stack.peek().depth) {
                stack.pop().end = i;
            }
            if ((t.is("xmlelement") || t.is("xmlpi")) && s.isSymbol(i + 1, "(") && s.is(i + 2, "name")) {
                markNotReference(i + 3, i + 4); // the element's name, not a column
            }
            if (t.is("union") || t.is("intersect") || t.is("except")) {
                setOperator = i;
                if (!stack.isEmpty() && stack.peek() != root && s.depth(i) == stack.peek().depth) {
                    stack.pop().end = i;
                }
            }
            if (root != null && endsInsertQuery(i)) {
                while (stack.peek() != root) {
                    stack.pop().end = i;
                }
            }
            if (t.is("select")) {
                Scope sc = new Scope(i, s.depth(i), stack.peek());
                sc.setOperand = setOperator >= 0 && s.depth(setOperator) == s.depth(i)
                        && (setOperator == i - 1 || (setOperator == i - 2 && (s.is(i - 1, "all") || s.is(i - 1, "distinct"))));
                scopes.add(sc);
                stack.push(sc);
            }
            owner[i] = stack.peek();
        }
        while (!stack.isEmpty()) {
            stack.pop().end = s.size();
        }
        checkShadowingCte();
        for (Scope sc : scopes) {
            if (sc != root) {
                clauses(sc);
            }
        }
    }

    /**
     * The query of {@code INSERT … SELECT} ends at the write's ON CONFLICT or RETURNING: what follows
     * belongs to the write's own scope (an unqualified name there is the inserted row's column).
     */
    private boolean endsInsertQuery(int i) {
        return s.depth(i) == 0 && (s.is(i, "returning") || (s.is(i, "on") && s.is(i + 1, "conflict")
                && (s.isSymbol(i + 2, "(") || s.is(i + 2, "do") || s.is(i + 2, "on"))));
    }

    /** {@code WITH users AS (…)} hides the real table from every later reference. */
    private void checkShadowingCte() {
        for (int i = 0; i < s.size(); i++) {
            if ((s.is(i - 1, "with") || s.is(i - 1, "recursive") || s.isSymbol(i - 1, ","))
                    && names.tableAt(s, i) == 1 && (s.is(i + 1, "as") || s.isSymbol(i + 1, "("))) {
                refusal = "a WITH query named like the migrated table hides it; rename the WITH query";
            }
        }
    }

    private boolean ownedAtDepth(Scope sc, int i) {
        return owner[i] == sc && s.depth(i) == sc.depth;
    }

    private void clauses(Scope sc) {
        List<Integer> starts = new ArrayList<>();
        for (int i = sc.select + 1; i < sc.end; i++) {
            boolean rowsFrom = s.isRowsFrom(i) && !starts.isEmpty() && s.is(starts.get(starts.size() - 1), "from");
            if (ownedAtDepth(sc, i) && s.isQueryClause(i) && !rowsFrom) {
                starts.add(i);
                sc.clauseStarts.set(i);
            }
        }
        int listEnd = starts.isEmpty() ? sc.end : starts.get(0);
        for (int n = 0; n < starts.size(); n++) {
            int at = starts.get(n);
            int next = n + 1 < starts.size() ? starts.get(n + 1) : sc.end;
            Token t = s.get(at);
            if (t.is("from")) {
                sc.fromStart = at;
                sc.fromEnd = next;
                relations(sc, at + 1, next);
            } else if (t.is("where")) {
                sc.whereStart = at;
                sc.whereEnd = next;
            } else if (t.is("order")) {
                sc.orderStart = at;
                sc.orderEnd = next;
            } else if (t.is("for")) {
                markNotReference(at, next); // FOR UPDATE OF names relations, not columns
            } else if (t.is("group") || t.is("having")) {
                sc.grouped = true;
                if (t.is("group")) {
                    sc.groupBy(s, at, next);
                }
            }
        }
        items(sc, sc.select + 1, listEnd);
    }

    private void relations(Scope sc, int from, int to) {
        String why = fromItems.read(sc, from, to);
        if (why != null) {
            refusal = why;
        }
    }

    private void items(Scope sc, int from, int to) {
        int i = from;
        if (s.is(i, "all")) {
            i++;
        } else if (s.is(i, "distinct")) {
            i++;
            if (s.is(i, "on") && s.isSymbol(i + 1, "(") && s.match(i + 1) > 0) {
                sc.distinctOnStart = i + 1;
                sc.distinctOnEnd = s.match(i + 1);
                i = s.match(i + 1) + 1;
            }
        }
        int start = i;
        for (; i <= to; i++) {
            if (i == to || (ownedAtDepth(sc, i) && s.isSymbol(i, ","))) {
                if (i > start) {
                    sc.items.add(item(start, i, sc));
                }
                start = i + 1;
            }
        }
    }

    private Item item(int start, int end, Scope sc) {
        Item item = new Item();
        item.start = start;
        item.end = end;
        int last = end - 1;
        if (end - start >= 2 && s.is(last - 1, "as") && s.isName(last)) {
            item.alias = last;
        } else if (end - start >= 2 && BareAlias.at(s, start, last)) {
            item.alias = last;
        }
        // named by the column it reads (a cast, a CASE's ELSE, a sub-select's item): ORDER BY that name means it
        String implicit = item.alias >= 0 ? null : ColumnLabel.implicitName(s, start, end);
        if (item.alias >= 0) {
            markNotReference(item.alias, item.alias + 1);
            sc.outputNames.add(s.get(item.alias).normalized());
        } else if (implicit != null) {
            sc.outputNames.add(implicit);
        } else if (s.isSymbol(last, "*")) {
            sc.stars.add(item); // FROM is not read yet: which table a star covers is resolved later
        }
        return item;
    }
}
