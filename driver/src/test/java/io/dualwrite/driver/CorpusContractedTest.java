package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.driver.CorpusOnDatabaseTest.Case;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.rewriter.rewrite.StatementRewriter;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 12, acceptance 2: {@link CorpusOnDatabaseTest}'s corpus (hand-written statements on {@code users},
 * generated shapes × spellings × literals, PreparedStatements) after the contract, on twin databases
 * ({@link TwinRun}): plainly with PgJDBC where {@code users.email} still exists, through dualwrite in
 * CONTRACTED where it was dropped, and in NEW_ONLY where it holds stale values. Afterwards the primary
 * {@code email_address} rows must equal the plain twin's {@code users.email}, and the other tables must
 * be equal.
 */
@ExtendWith(PostgresExtension.class)
class CorpusContractedTest {

    /** Corpus SQL whose translated outcome still differs from the plain one → why. Empty: none does. */
    static final Map<String, String> KNOWN_DIFFERENCES = Map.of();

    /** The plain twin's content as the dual twin must hold it: users.email as primary email_address rows. */
    static final String PLAIN_EMAILS = """
            SELECT id, email, true FROM users WHERE email IS NOT NULL
            UNION ALL
            SELECT user_id, address, is_primary FROM email_address WHERE NOT is_primary AND user_id IN (SELECT id FROM users)
            ORDER BY 1, 2, 3""";

    /**
     * The dual twin's email_address. Non-primary rows of users that are gone are left out on both sides: the
     * plain statement never touches email_address, the translated DELETE may take a user's other rows with it.
     */
    static final String DUAL_EMAILS = """
            SELECT user_id, address, is_primary FROM email_address WHERE is_primary OR user_id IN (SELECT id FROM users)
            ORDER BY 1, 2, 3""";

    private static final String USERS = "SELECT id, name FROM users ORDER BY id";
    private static final String ORDERS = "SELECT id, user_id, amount, note FROM orders ORDER BY id";

    /** NEW_ONLY translates the same way, the old column still there but never written nor read. */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"NEW_ONLY", "CONTRACTED"})
    void everyStatementOnUsersBehavesAsOnTheOriginalSchemaOrIsRefused(Phase phase, TestDatabase db) throws Exception {
        List<Case> corpus = CorpusOnDatabaseTest.corpus();
        StatementRewriter rewriter = new StatementRewriter(
                List.of(new SourceTable(MigrationFixture.SPEC, List.of("id", "name", "email"), "text", null, false, false, false)));
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            MigrationFixture.create(db, Phase.DUAL_WRITE);
            // not written any more: only statements translated to the new table match the plain twin
            db.execute("UPDATE users SET email = 'stale-' || id WHERE email IS NOT NULL");
            MigrationFixture.enterTranslatingPhase(db, phase);
            try (TwinRun run = new TwinRun("CorpusContractedTest " + phase, plainDb::connect, db::connectDualwrite,
                    c -> state(c, PLAIN_EMAILS), c -> state(c, DUAL_EMAILS), KNOWN_DIFFERENCES)) {
                for (Case k : corpus) {
                    boolean rewritten = rewriter.plan(k.sql()).forPhase(phase) instanceof Rewrite.Rewritten;
                    run.compare(k.name(), k.sql(), k.params(), rewritten);
                }
                run.report();
                assertThat(run.translated()).as("translated").isGreaterThanOrEqualTo(corpus.size() / 2);
            }
        }
    }

    private static String state(Connection c, String emails) throws SQLException {
        return "users " + MigrationFixture.rows(c, USERS) + " email_address " + MigrationFixture.rows(c, emails)
                + " orders " + MigrationFixture.rows(c, ORDERS);
    }
}
