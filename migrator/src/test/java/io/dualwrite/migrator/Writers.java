package io.dualwrite.migrator;

import io.dualwrite.testing.TestDatabase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** N application writers through the dualwrite driver: random users get a new email (3 in 4) or NULL (1 in 4). */
public final class Writers implements AutoCloseable {

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    public final AtomicLong ops = new AtomicLong();

    public Writers(TestDatabase db, int n, int users) {
        for (int w = 0; w < n; w++) {
            int id = w;
            Thread t = new Thread(() -> {
                Random rnd = new Random(id * 7919L);
                try (Connection c = db.connectDualwrite();
                     PreparedStatement up = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
                    long seq = 0;
                    while (!stop.get()) {
                        up.setString(1, rnd.nextInt(4) == 0 ? null : "w" + id + "-" + (++seq) + "@example.com");
                        up.setLong(2, 1 + rnd.nextInt(users));
                        try {
                            up.executeUpdate();
                            ops.incrementAndGet();
                        } catch (SQLException e) {
                            if (!"40P01".equals(e.getSQLState()) && !"40001".equals(e.getSQLState())) {
                                throw e;
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "writer-" + w);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    @Override
    public void close() throws Exception {
        stop.set(true);
        for (Thread t : threads) {
            t.join(30_000);
        }
        if (failure.get() != null) {
            throw new AssertionError("a writer failed", failure.get());
        }
    }
}
