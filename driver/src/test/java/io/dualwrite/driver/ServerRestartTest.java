package io.dualwrite.driver;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dualwrite.driver.jmx.MigrationControl;
import io.dualwrite.driver.runtime.PhaseFollower;
import io.dualwrite.driver.runtime.PhaseFreshness;
import io.dualwrite.driver.runtime.RuntimeRegistry;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.Await;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.ServerFaults;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, acceptance 2: the server restarts (stop, then start on the same port and data directory)
 * under an application writing and reading through HikariCP in DUAL_WRITE. The pool recovers; just after
 * the server is back the fleet moves to READ_NEW, and from the moment this instance acknowledges it every
 * read comes from the new table (user 1's new-side address differs on purpose, so a read shows which
 * side served it); every committed write was dual-written: parity 0 at the end.
 */
@ExtendWith(PostgresExtension.class)
class ServerRestartTest {

    private static final String OLD_SIDE = "ann@example.com";
    private static final String NEW_SIDE = "ann-new@example.com";
    /**
     * Failures a client may see around a restart besides class 08: shutting down, starting up, and the driver's
     * refusal had the restart outlasted the freshness bound.
     */
    private static final Set<String> RESTART_STATES = Set.of("57P01", "57P03", PhaseFreshness.REFUSED_SQLSTATE);

    /**
     * @param downMillis  how long the server stays down
     * @param boundMillis the driver's freshness bound: the second case outlasts it, so the phase is no longer known
     *                    when the server is back and new connections wait for the follower's first round
     */
    @ParameterizedTest(name = "down {0} ms, bound {1} ms")
    @CsvSource({"1000, 10000", "3000, 2000"})
    void thePoolRecoversAndEveryStatementRunsInTheAcknowledgedPhase(long downMillis, String boundMillis, TestDatabase db)
            throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        db.execute("UPDATE email_address SET address = '" + NEW_SIDE + "' WHERE user_id = 1 AND is_primary");
        String instance = "restart-" + db.name();
        Workload load = new Workload();
        List<Thread> threads = new ArrayList<>();
        long restartAt;
        long acknowledgedAt;
        try (HikariDataSource pool = pool(db, instance, boundMillis)) {
            for (int w = 1; w <= 2; w++) {
                long firstId = w * 1_000_000L;
                threads.add(new Thread(() -> load.write(pool, firstId), "writer-" + w));
            }
            threads.add(new Thread(() -> load.read(pool), "reader"));
            threads.forEach(Thread::start);
            try {
                Await.within(30_000, () -> load.writes.get() >= 40 && load.reads.size() >= 20, "the application runs");

                restartAt = System.nanoTime();
                ServerFaults.of(db).restart(Duration.ofMillis(downMillis));
                long backAt = System.nanoTime();
                // just after the server is back, before the pool and the follower may have reconnected
                MigrationFixture.setPhase(db, Phase.READ_NEW);
                Await.within(30_000, () -> applies(db, instance, Phase.READ_NEW), "the instance acknowledges READ_NEW");
                acknowledgedAt = System.nanoTime();
                System.out.printf("restart (stop, %d ms down, start): %d ms; READ_NEW acknowledged %d ms after the server was back%n",
                        downMillis, (backAt - restartAt) / 1_000_000, (acknowledgedAt - backAt) / 1_000_000);

                long writesThen = load.writes.get();
                Await.within(60_000, () -> load.writes.get() >= writesThen + 40 && load.readsStartedAfter(acknowledgedAt) >= 20,
                        "the pool recovered: writes and reads run again");
            } finally {
                load.stop.set(true);
                for (Thread t : threads) {
                    t.join();
                }
            }
            assertThat(db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND application_name = '" + PhaseFollower.APPLICATION_NAME + "'")).as("the follower reconnected").isEqualTo(1);
            assertThat((Boolean) ManagementFactory.getPlatformMBeanServer().getAttribute(
                    MigrationControl.objectName(MigrationFixture.MIGRATION, instance), "PhaseKnown")).isTrue();
        }

        System.out.println("failures the application saw around the restart, by SQLState: " + load.failures);
        assertThat(load.unexpected).as("failures other than the restart's own").isEmpty();
        for (Read r : load.reads) {
            if (r.endedAt() - restartAt < 0) {
                assertThat(r.email()).as("DUAL_WRITE reads the old column").isEqualTo(OLD_SIDE);
            }
            if (r.startedAt() - acknowledgedAt > 0) {
                assertThat(r.email()).as("a read after the instance acknowledged READ_NEW").isEqualTo(NEW_SIDE);
            }
        }
        db.execute("UPDATE email_address SET address = '" + OLD_SIDE + "' WHERE user_id = 1 AND is_primary");
        assertThat(db.queryLong("SELECT count(*) FROM users WHERE id >= 1000000")).isGreaterThanOrEqualTo(40);
        assertThat(db.queryLong(MigrationFixture.PARITY)).as("every committed write dual-written").isZero();
    }

    /** This instance's latest heartbeat says it applies {@code phase}. */
    private static boolean applies(TestDatabase db, String instance, Phase phase) {
        try {
            return db.queryLong("SELECT count(*) FROM dualwrite.instance WHERE id LIKE '" + instance + "-%'"
                    + " AND applied ->> '" + MigrationFixture.MIGRATION + "' = '" + phase.name() + "'") == 1;
        } catch (SQLException e) {
            return false; // the server is still starting
        }
    }

    private static HikariDataSource pool(TestDatabase db, String instance, String boundMillis) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.dualwriteUrl());
        config.setDriverClassName(DualwriteDriver.class.getName());
        if (db.user() != null) {
            config.setUsername(db.user());
        }
        if (db.password() != null) {
            config.setPassword(db.password());
        }
        config.addDataSourceProperty(RuntimeRegistry.INSTANCE_PROPERTY, instance);
        config.addDataSourceProperty("dualwritePhaseStaleMillis", boundMillis);
        config.setMaximumPoolSize(4);
        config.setPoolName("restart-test");
        return new HikariDataSource(config);
    }

    record Read(long startedAt, long endedAt, String email) {
    }

    /** Writers insert and update their own users; the reader reads user 1's email; failures are sorted as expected or not. */
    static final class Workload {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong writes = new AtomicLong();
        final List<Read> reads = Collections.synchronizedList(new ArrayList<>());
        final Set<String> unexpected = ConcurrentHashMap.newKeySet();
        final Map<String, Long> failures = new ConcurrentSkipListMap<>();

        void write(HikariDataSource pool, long firstId) {
            long next = firstId;
            while (!stop.get()) {
                try (Connection c = pool.getConnection()) {
                    if (next == firstId || ThreadLocalRandom.current().nextBoolean()) {
                        try (PreparedStatement p = c.prepareStatement("INSERT INTO users (id, name, email) VALUES (?, ?, ?)")) {
                            p.setLong(1, next);
                            p.setString(2, "user " + next);
                            p.setString(3, "u" + next + "@example.com");
                            p.executeUpdate();
                        }
                        next++;
                    } else {
                        try (PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
                            long id = ThreadLocalRandom.current().nextLong(firstId, next);
                            p.setString(1, "u" + id + "-" + System.nanoTime() + "@example.com");
                            p.setLong(2, id);
                            p.executeUpdate();
                        }
                    }
                    writes.incrementAndGet();
                } catch (SQLException e) {
                    next++; // an insert whose outcome is unknown: its id is not used again
                    failed(e);
                }
            }
        }

        void read(HikariDataSource pool) {
            while (!stop.get()) {
                long started = System.nanoTime();
                try (Connection c = pool.getConnection();
                     PreparedStatement p = c.prepareStatement("SELECT email FROM users WHERE id = 1");
                     ResultSet rs = p.executeQuery()) {
                    rs.next();
                    reads.add(new Read(started, System.nanoTime(), rs.getString(1)));
                } catch (SQLException e) {
                    failed(e);
                }
            }
        }

        long readsStartedAfter(long at) {
            synchronized (reads) {
                return reads.stream().filter(r -> r.startedAt() - at > 0).count();
            }
        }

        /** A restart's failures are expected ({@link #RESTART_STATES}, class 08: a pool timeout while the server is down too). */
        private void failed(SQLException e) {
            String state = e.getSQLState();
            failures.merge(String.valueOf(state), 1L, Long::sum);
            if (state == null || !(state.startsWith("08") || RESTART_STATES.contains(state))) {
                unexpected.add(state + ": " + e.getMessage());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
