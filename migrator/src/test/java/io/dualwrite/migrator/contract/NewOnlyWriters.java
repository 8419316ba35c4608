package io.dualwrite.migrator.contract;

import io.dualwrite.testing.TestDatabase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Application writers as they write in NEW_ONLY: only {@code email_address} (and {@code users} rows without the email),
 * in the shapes a NEW_ONLY translation produces, on plain connections in two-statement transactions (one in ten rolled
 * back): change an email (upsert of the primary row, or through the sync view), set it NULL (delete the primary row),
 * delete a user with its rows, insert a user with an email. 40001 and 40P01 are retried, as an application would.
 *
 * <p>Like the translation, a change writes the users row ({@code SET id = id}) and a user's delete removes its rows in
 * a later statement. A {@code FOR KEY SHARE} read instead left orphaned rows: a delete that found the row only locked
 * goes ahead even under REPEATABLE READ, and its snapshot (the statement's, or the transaction's) does not see the
 * email row the locker committed meanwhile.
 */
final class NewOnlyWriters implements AutoCloseable {

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    final AtomicLong commits = new AtomicLong();
    final Map<String, AtomicLong> retries = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> ops = new ConcurrentHashMap<>();

    /** Per kind, its statements: a change binds the key then the email, an insert the email, the others the key. */
    private static final String[][] SQL = {
        {"WITH u AS (UPDATE users SET id = id WHERE id = ? RETURNING id) INSERT INTO email_address (user_id, address, is_primary)"
                + " SELECT id, ?, true FROM u ON CONFLICT (user_id) WHERE is_primary DO UPDATE SET address = EXCLUDED.address"},
        {"WITH u AS (UPDATE users SET id = id WHERE id = ? RETURNING id) INSERT INTO dualwrite.sync_users_email (k, v, deleted)"
                + " SELECT id, ?, false FROM u"},
        {"DELETE FROM email_address WHERE user_id = ? AND is_primary"},
        {"DELETE FROM users WHERE id = ?", "DELETE FROM email_address WHERE user_id = ?"},
        {"WITH i AS (INSERT INTO users (name) VALUES ('new') RETURNING id)"
                + " INSERT INTO email_address (user_id, address, is_primary) SELECT id, ?, true FROM i"},
    };
    private static final String[] NAMES = {"change", "change via sync view", "set NULL", "delete user", "insert user"};

    NewOnlyWriters(TestDatabase db, int n, int users, int isolation) {
        for (int w = 0; w < n; w++) {
            int id = w;
            Thread t = new Thread(() -> {
                Random rnd = new Random(id * 7919L + isolation);
                try (Connection c = db.connect()) {
                    c.setAutoCommit(false);
                    c.setTransactionIsolation(isolation);
                    List<List<PreparedStatement>> ps = new ArrayList<>();
                    for (String[] statements : SQL) {
                        List<PreparedStatement> kind = new ArrayList<>();
                        for (String sql : statements) {
                            kind.add(c.prepareStatement(sql));
                        }
                        ps.add(kind);
                    }
                    long seq = 0;
                    while (!stop.get()) {
                        int[] kinds = {kind(rnd), kind(rnd)};
                        long[] keys = {1 + rnd.nextInt(users), 1 + rnd.nextInt(users)};
                        boolean rollback = rnd.nextInt(10) == 0;
                        while (!stop.get()) {
                            try {
                                for (int i = 0; i < 2; i++) {
                                    String email = "w" + id + "-" + (++seq) + "@example.com";
                                    for (PreparedStatement p : ps.get(kinds[i])) {
                                        switch (kinds[i]) {
                                            case 0, 1 -> {
                                                p.setLong(1, keys[i]);
                                                p.setString(2, email);
                                            }
                                            case 2, 3 -> p.setLong(1, keys[i]);
                                            default -> p.setString(1, email);
                                        }
                                        p.executeUpdate();
                                    }
                                }
                                if (rollback) {
                                    c.rollback();
                                } else {
                                    c.commit();
                                    commits.incrementAndGet();
                                    ops.computeIfAbsent(NAMES[kinds[0]], k -> new AtomicLong()).incrementAndGet();
                                    ops.computeIfAbsent(NAMES[kinds[1]], k -> new AtomicLong()).incrementAndGet();
                                }
                                break;
                            } catch (SQLException e) {
                                c.rollback();
                                if (!"40001".equals(e.getSQLState()) && !"40P01".equals(e.getSQLState())) {
                                    throw e;
                                }
                                retries.computeIfAbsent(e.getSQLState(), k -> new AtomicLong()).incrementAndGet();
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "new-only-writer-" + w);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** change 40 %, via the sync view 15 %, NULL 25 %, delete user 10 %, insert user 10 %. */
    private static int kind(Random rnd) {
        int r = rnd.nextInt(100);
        return r < 40 ? 0 : r < 55 ? 1 : r < 80 ? 2 : r < 90 ? 3 : 4;
    }

    /** Fails the test with the first writer's error, if any, without stopping the others. */
    void check() {
        if (failure.get() != null) {
            throw new AssertionError("a writer failed", failure.get());
        }
    }

    @Override
    public void close() throws Exception {
        stop.set(true);
        for (Thread t : threads) {
            t.join(30_000);
        }
        check();
    }

    @Override
    public String toString() {
        return commits + " transactions committed, ops " + ops + ", retried " + retries;
    }
}
