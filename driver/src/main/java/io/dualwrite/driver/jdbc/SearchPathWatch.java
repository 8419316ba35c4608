package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.DatabaseRuntime;
import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.lexer.Lexer;
import io.dualwrite.rewriter.lexer.Statements;
import io.dualwrite.rewriter.lexer.Token;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where this session's unqualified table names lead. The rewriter reads an unqualified
 * {@code users} as the migrated table exactly when the migration's table is in {@code public};
 * PostgreSQL resolves it through the session's search_path (and {@code pg_temp}, and the role
 * behind {@code "$user"}). This asks the server — {@code to_regclass('users')} against the migrated
 * table — whenever the answer may have changed: at the first statement of a connection (PgJDBC's
 * {@code currentSchema} and {@code options}), after {@code setSchema}, after any statement whose
 * text may change it ({@link SessionWords}), at the end of a transaction or rollback to a savepoint
 * that may undo a change, and before every statement once a pass-through PreparedStatement that may
 * change it was prepared. Where the answer differs from the rewriter's reading, a statement naming
 * the table unqualified runs as written (it names another table) or is refused (0A000) when the
 * driver cannot rewrite it exactly; see {@link #adjust}.
 */
final class SearchPathWatch {

    private static final String ASK = "SELECT to_regclass(quote_ident(?)) IS NOT DISTINCT FROM to_regclass(?)";

    private final Connection physical;
    private final Map<MigrationRuntime, Boolean> leadsToMigration = new HashMap<>();
    private boolean stale = true;
    private boolean staleAtTransactionEnd;
    private boolean alwaysAsk;
    /**
     * Counts what may have changed the session's relations, at the statement and again at the end of its transaction
     * (when others can see it): {@link PlanAssumptions} asks the server again after each.
     */
    private int changes;
    /** The session may have temporary relations: a text it ran or prepared names them ({@link #TEMPORARY}). */
    private boolean temporaryRelations;
    private static final String[] TEMPORARY = {"temp", "temporary", "pg_temp"};

    SearchPathWatch(Connection physical) {
        this.physical = physical;
    }

    /** After a statement's text ran on the connection. */
    void ran(String sql, boolean inTransaction) {
        if (SessionWords.mayChange(sql)) {
            stale = true;
            changes++;
            temporaryRelations |= SessionWords.containsWord(sql, TEMPORARY);
            staleAtTransactionEnd |= inTransaction;
        } else if (!inTransaction) {
            transactionEnded(); // a COMMIT or END in the text undoes SET LOCAL
        }
    }

    /** A pass-through PreparedStatement: PgJDBC runs it unseen, so if it may change the path, ask every time. */
    void prepared(String sql) {
        alwaysAsk |= SessionWords.mayChange(sql);
        temporaryRelations |= alwaysAsk && SessionWords.containsWord(sql, TEMPORARY);
    }

    void changed() {
        stale = true;
        changes++;
    }

    void rolledBack() {
        stale |= staleAtTransactionEnd;
        changes += staleAtTransactionEnd ? 1 : 0;
    }

    void transactionEnded() {
        stale |= staleAtTransactionEnd;
        changes += staleAtTransactionEnd ? 1 : 0;
        staleAtTransactionEnd = false;
    }

    /** Whether a text this session ran or prepared may have created a temporary relation. */
    boolean mayHaveTemporaryRelations() {
        return temporaryRelations;
    }

    /** {@link #changes}; a new count at every call once a pass-through statement that may change them was prepared. */
    int relationChanges() {
        return alwaysAsk ? ++changes : changes;
    }

    /**
     * The rewrite to run, given where unqualified names lead in this session now.
     * <ul>
     *   <li>they lead where the rewriter assumed, or the statement names the table only qualified: {@code rewrite};</li>
     *   <li>a migration in {@code public}, the unqualified name leads elsewhere: the statement names another
     *       table, so it runs as written — unless it also names the migrated table qualified and needs a
     *       rewrite (refused: the rewriter would take both for the migrated table);</li>
     *   <li>a migration outside {@code public} that the unqualified name leads to: refused outside EXPANDED
     *       (the rewriter reads only qualified names there);</li>
     *   <li>the server cannot be asked (an aborted transaction), or the same string changes the path
     *       before the statement: refused when the statement needs a rewrite or (once the old column is not written)
     *       names the table unqualified.</li>
     * </ul>
     *
     * @param pathChangesFirst an earlier statement of the same string or batch may change the path
     */
    Rewrite adjust(MigrationRuntime migration, String sql, Rewrite rewrite, Phase phase, boolean pathChangesFirst)
            throws SQLException {
        if (!phase.writesNew()) {
            return rewrite;
        }
        MigrationSpec spec = migration.spec();
        // once the old column is not written, a statement passed through on the rewriter's reading of the tables (a
        // NATURAL join with a relation it knows has no such column) must read them as they are when it runs
        if (pathChangesFirst && (rewrite instanceof Rewrite.Rewritten || !phase.writesOld()
                && rewrite instanceof Rewrite.PassThrough && (mentions(sql, spec) & UNQUALIFIED) != 0)) {
            return refusal("the same string or batch may change search_path (or the tables on it) before this statement runs;"
                    + " send the session command on its own", sql);
        }
        boolean assumed = "public".equals(spec.sourceSchema());
        Boolean leads = leadsToMigration(migration);
        if (leads != null && leads == assumed) {
            return rewrite;
        }
        int mentions = mentions(sql, spec);
        if ((mentions & UNQUALIFIED) == 0) {
            return rewrite;
        }
        if (leads == null) {
            // one statement in an aborted transaction runs nothing: PostgreSQL answers 25P02, as to the application's
            // own; in a string a ROLLBACK TO SAVEPOINT before it would revive the transaction, with an unknown path
            return Statements.split(Lexer.tokenize(sql)).size() == 1 ? rewrite : refusal("the driver cannot ask where an"
                    + " unqualified " + spec.sourceTable() + " leads (the transaction is aborted)", sql);
        }
        if (assumed) {
            if ((mentions & QUALIFIED) == 0) {
                return rewrite instanceof Rewrite.Rejected ? rewrite : Rewrite.PASS_THROUGH;
            }
            return rewrite instanceof Rewrite.PassThrough ? rewrite : refusal("the unqualified " + spec.sourceTable()
                    + " leads to another table under this session's search_path, and the statement also names "
                    + spec.qualifiedSource() + "; qualify every name", sql);
        }
        return rewrite instanceof Rewrite.Rejected ? rewrite : refusal("the unqualified " + spec.sourceTable() + " leads to "
                + spec.qualifiedSource() + " under this session's search_path; this version rewrites a migration outside"
                + " public only where it is named with its schema", sql);
    }

    /**
     * A statement the rewriter passes through (it names no migrated table as the rewriter reads
     * names): for a migration outside {@code public} that this session's unqualified name leads to,
     * the rewrite it needed, refused when the text names the table unqualified; refused too when the text names the
     * table unqualified after an earlier statement of it or of its batch may change where names lead or what the tables
     * beside it hold ({@link SessionWords#changesInText}: {@code SET LOCAL search_path TO crm; UPDATE customers …}, a
     * NATURAL join with a relation the same string created), for a migration outside {@code public} from DUAL_WRITE on
     * (its unqualified name may lead there when the statement runs) and for any once the old column is not written;
     * else null.
     *
     * @param pathChangesFirst an earlier entry of the same batch may change the path
     */
    Rewrite.Rejected unseen(DatabaseRuntime.Migrations migrations, String sql, boolean pathChangesFirst) throws SQLException {
        for (MigrationRuntime m : migrations.runtimes()) {
            MigrationSpec spec = m.spec();
            boolean outsidePublic = !"public".equals(spec.sourceSchema()) && m.phase().writesNew();
            // mentions lexes the text: once, and only for a migration either refusal concerns
            if (!(outsidePublic || !m.phase().writesOld()) || (mentions(sql, spec) & UNQUALIFIED) == 0) {
                continue;
            }
            if (pathChangesFirst || SessionWords.changesInText(sql, spec.sourceTable())) {
                return (Rewrite.Rejected) refusal("the same string or batch may change search_path (or the tables on it) before a"
                        + " statement naming " + spec.sourceTable() + " runs; send the session command on its own", sql);
            }
            if (outsidePublic && !Boolean.FALSE.equals(leadsToMigration(m))) {
                return (Rewrite.Rejected) refusal("the unqualified " + spec.sourceTable() + " may lead to " + spec.qualifiedSource()
                        + " under this session's search_path; this version rewrites a migration outside public only where it is"
                        + " named with its schema", sql);
            }
        }
        return null;
    }

    private static Rewrite refusal(String why, String sql) {
        return new Rewrite.Rejected(why + ". Statement: " + Refusals.abbreviate(sql));
    }

    /** True/false as the server says; null when it cannot be asked now. */
    private Boolean leadsToMigration(MigrationRuntime migration) throws SQLException {
        if (stale || alwaysAsk) {
            leadsToMigration.clear();
            stale = false;
        }
        Boolean known = leadsToMigration.get(migration);
        if (known != null) {
            return known;
        }
        if (physical.unwrap(BaseConnection.class).getTransactionState() == TransactionState.FAILED) {
            stale = true;
            return null;
        }
        try (PreparedStatement p = physical.prepareStatement(ASK)) {
            p.setString(1, migration.spec().sourceTable());
            p.setString(2, migration.spec().qualifiedSource());
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                boolean leads = rs.getBoolean(1);
                leadsToMigration.put(migration, leads);
                return leads;
            }
        }
    }

    static final int UNQUALIFIED = 1;
    static final int QUALIFIED = 2;

    /**
     * How the text names the source table, from the lexer's tokens: {@link #QUALIFIED} for
     * {@code schema.table} with the migration's schema, {@link #UNQUALIFIED} for the bare name (also
     * as a column qualifier, {@code users.email}: it may name either). Names in strings and comments
     * do not count.
     */
    static int mentions(String sql, MigrationSpec spec) {
        if (!containsIgnoreCase(sql, spec.sourceTable())) {
            return 0;
        }
        int found = 0;
        List<Token> t = Statements.significant(Lexer.tokenize(sql));
        for (int i = 0; i < t.size(); i++) {
            if (!t.get(i).isName() || !t.get(i).normalized().equals(spec.sourceTable())) {
                continue;
            }
            boolean afterDot = i > 0 && t.get(i - 1).isSymbol(".");
            if (!afterDot) {
                found |= UNQUALIFIED;
            } else if (i > 1 && t.get(i - 2).isName() && t.get(i - 2).normalized().equals(spec.sourceSchema())
                    && !(i > 2 && t.get(i - 3).isSymbol("."))) {
                found |= QUALIFIED;
            }
        }
        return found;
    }

    private static boolean containsIgnoreCase(String text, String word) {
        for (int i = 0; i + word.length() <= text.length(); i++) {
            if (text.regionMatches(true, i, word, 0, word.length())) {
                return true;
            }
        }
        return false;
    }
}
