package io.dualwrite.rewriter.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.SourceTable;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code SET email = lower(email)} waiting for a concurrent writer of the same user: the original reads
 * the row version the other committed (READ COMMITTED re-reads a row it waited for), so must the
 * translation. Its read of the stored value runs after the users row is locked and locks the target
 * row ({@code FOR NO KEY UPDATE}), so it too reads the latest committed value; a plain read would see
 * the statement's snapshot and write back a stale value (shown below with the lock removed).
 */
@ExtendWith(PostgresExtension.class)
class TranslationConcurrencyTest {

    private final StatementRewriter rewriter = new StatementRewriter(List.of(new SourceTable(Fixtures.USERS_EMAIL,
            List.of("id", "name", "email", "created_at", "version"), "character varying(255)", null)));

    @Test
    void anUpdateThatWaitedReadsTheValueCommittedBeforeIt(TestDatabase db) throws Exception {
        TranslationOnDatabaseTest.setUp(db);
        String lower = translated("UPDATE users SET email = lower(email) WHERE id = 1").sql();
        assertThat(lower).contains("FOR NO KEY UPDATE");
        assertThat(afterConcurrentWrite(db, lower, 1)).isEqualTo("new@x.org");
        // without the lock the snapshot's value comes back: the concurrent write is lost
        assertThat(afterConcurrentWrite(db, lower.replace(" FOR NO KEY UPDATE", ""), 2)).isEqualTo("b@x.org");
    }

    /**
     * {@code SET email = name || …, name = …}: the value reads the old {@code name} through a locking sub-select the
     * UPDATE joins ({@link OldValuesJoin}); having waited, it reads the version the other writer committed and checks
     * the WHERE on it, as the original UPDATE does.
     */
    @Test
    void anUpdateThatWaitedReadsTheOldValuesOfTheVersionCommittedBeforeIt(TestDatabase db) throws Exception {
        TranslationOnDatabaseTest.setUp(db);
        String swap = translated("UPDATE users SET email = name || '@c.org', name = 'after' WHERE id = 3 AND name <> 'd'")
                .sql();
        assertThat(swap).contains("FOR NO KEY UPDATE");
        String row = "SELECT u.name || ' ' || e.address FROM public.users u JOIN public.email_address e"
                + " ON e.user_id = u.id AND e.is_primary WHERE u.id = 3";
        assertThat(whileAnotherWrites(db, c -> c.createStatement().executeUpdate("UPDATE public.users SET name = 'zed'"
                + " WHERE id = 3"), swap)).isEqualTo(1);
        assertThat(db.queryString(row)).isEqualTo("after zed@c.org");
        // a row the other writer took out of the WHERE is not updated
        assertThat(whileAnotherWrites(db, c -> c.createStatement().executeUpdate("UPDATE public.users SET name = 'd'"
                + " WHERE id = 3"), swap)).isEqualTo(0);
        assertThat(db.queryString(row)).isEqualTo("d zed@c.org");
        // the swap: the name it assigns from email reads, having waited, the email the other writer committed
        String swapBoth = translated("UPDATE users SET email = name, name = email WHERE id = 1").sql();
        assertThat(afterConcurrentWrite(db, swapBoth, 4)).isEqualTo("d");
        assertThat(db.queryString("SELECT name FROM public.users WHERE id = 4")).isEqualTo("NEW@X.ORG");
    }

    /** Runs {@code waiting} while another transaction holds a new email for {@code id}, then commits that one first. */
    private String afterConcurrentWrite(TestDatabase db, String waiting, int id) throws Exception {
        Rewrite.Rewritten set = translated("UPDATE users SET email = ? WHERE id = ?");
        assertThat(set.parameterSources()).containsExactly(2, 1); // the new value moved into RETURNING
        int count = whileAnotherWrites(db, c -> {
            try (PreparedStatement p = c.prepareStatement(set.sql())) {
                p.setInt(1, id);
                p.setString(2, "NEW@X.ORG");
                return p.executeUpdate();
            }
        }, waiting.replace("id = 1", "id = " + id));
        assertThat(count).isEqualTo(1);
        return db.queryString("SELECT address FROM public.email_address WHERE user_id = " + id + " AND is_primary");
    }

    private interface Write {
        int run(Connection c) throws SQLException;
    }

    /** The update count of {@code waiting}, run while {@code first} holds its row locks, committed once it waits. */
    private static int whileAnotherWrites(TestDatabase db, Write first, String waiting) throws Exception {
        try (Connection one = db.connect(); Connection two = db.connect()) {
            one.setAutoCommit(false);
            assertThat(first.run(one)).isEqualTo(1);
            CompletableFuture<Integer> update = CompletableFuture.supplyAsync(() -> {
                try (PreparedStatement p = two.prepareStatement(waiting)) {
                    return p.executeUpdate();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            waitUntilBlocked(db);
            one.commit();
            return update.get(30, TimeUnit.SECONDS);
        }
    }

    private static void waitUntilBlocked(TestDatabase db) throws Exception {
        for (int i = 0; i < 300; i++) {
            if (db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    + " AND datname = current_database()") > 0) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the second update never waited for the first");
    }

    private Rewrite.Rewritten translated(String sql) {
        Rewrite r = rewriter.plan(sql).forPhase(Phase.CONTRACTED);
        assertThat(r).isInstanceOf(Rewrite.Rewritten.class);
        return (Rewrite.Rewritten) r;
    }
}
