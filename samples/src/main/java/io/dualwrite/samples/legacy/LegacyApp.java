package io.dualwrite.samples.legacy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A small "legacy" application: it knows nothing of dualwrite except its JDBC URL. It keeps a
 * HikariCP pool and N worker threads that insert, update, delete and read {@code users} rows, with
 * a mix of autocommit and explicit transactions (READ COMMITTED and REPEATABLE READ), plain
 * {@link Statement}s and {@link PreparedStatement}s. It counts successful operations and errors
 * (by SQLState) per kind.
 *
 * <p>Errors it treats as expected, as any PostgreSQL application must: {@code 40001}
 * (serialization failure, only possible in its REPEATABLE READ transactions) and {@code 40P01}
 * (deadlock); the transaction is rolled back and counted, not retried. Every other SQLState is
 * unexpected.
 */
public final class LegacyApp implements AutoCloseable {

    /** The kinds of operation counted. */
    public enum Kind { INSERT, UPDATE, DELETE, READ, TRANSACTION }

    /** SQLStates a PostgreSQL application has to expect under concurrency. */
    public static final Set<String> EXPECTED_SQLSTATES = Set.of("40001", "40P01");

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final int threads;
    private final long sleepMicros;

    private final AtomicLong nextId = new AtomicLong();
    private final AtomicLong lastCommittedInsert = new AtomicLong();
    private final Map<Kind, LongAdder> ok = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, String> firstErrorMessage = new ConcurrentHashMap<>();
    private final LongAdder rolledBack = new LongAdder();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running;
    private volatile Throwable crashed;
    private HikariDataSource pool;

    public LegacyApp(String jdbcUrl, String user, String password, int threads, long sleepMicros) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.threads = threads;
        this.sleepMicros = sleepMicros;
        for (Kind k : Kind.values()) {
            ok.put(k, new LongAdder());
        }
    }

    /** Opens the pool, reads the current max id and starts the workers. */
    public synchronized void start() throws SQLException {
        if (running) {
            return;
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(threads + 1);
        config.setPoolName("legacy-app");
        pool = new HikariDataSource(config);
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(max(id), 0) FROM users")) {
            rs.next();
            nextId.set(rs.getLong(1) + 1);
        }
        running = true;
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::work, "legacy-app-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
    }

    /** Stops the workers and closes the pool. */
    public synchronized void stop() {
        if (!running && pool == null) {
            return;
        }
        running = false;
        for (Thread t : workers) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.clear();
        if (pool != null) {
            pool.close();
            pool = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** True while every worker thread is alive (none died of an unchecked exception). */
    public boolean healthy() {
        return running && crashed == null && workers.stream().allMatch(Thread::isAlive);
    }

    public Throwable crash() {
        return crashed;
    }

    /** The next id an insert will use; every id below it was handed out already. */
    public long nextId() {
        return nextId.get();
    }

    /** The highest id whose insert committed. */
    public long lastCommittedInsert() {
        return lastCommittedInsert.get();
    }

    public long ok(Kind kind) {
        return ok.get(kind).sum();
    }

    public long totalOk() {
        return ok.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Errors by "KIND SQLSTATE". */
    public Map<String, Long> errors() {
        Map<String, Long> m = new TreeMap<>();
        errors.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    public long unexpectedErrors() {
        return errors.entrySet().stream()
                .filter(e -> !EXPECTED_SQLSTATES.contains(e.getKey().substring(e.getKey().indexOf(' ') + 1)))
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    public String firstErrorMessage(String kindAndState) {
        return firstErrorMessage.get(kindAndState);
    }

    /** Human-readable counters, one line per kind, then errors. */
    public String report() {
        StringBuilder b = new StringBuilder();
        for (Kind k : Kind.values()) {
            b.append(String.format(Locale.ROOT, "  %-12s ok %,9d%n", k, ok(k)));
        }
        b.append(String.format(Locale.ROOT, "  %-12s    %,9d (deliberate ROLLBACKs, not errors)%n", "rolled back", rolledBack.sum()));
        Map<String, Long> errs = errors();
        if (errs.isEmpty()) {
            b.append("  errors       none\n");
        } else {
            errs.forEach((k, v) -> {
                String state = k.substring(k.indexOf(' ') + 1);
                b.append(String.format(Locale.ROOT, "  error %-18s %,6d %s  first: %s%n", k, v,
                        EXPECTED_SQLSTATES.contains(state) ? "(expected under concurrency)" : "(UNEXPECTED)",
                        firstErrorMessage.get(k)));
            });
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- the workload

    private void work() {
        try {
            while (running) {
                Kind kind = null;
                try {
                    int dice = ThreadLocalRandom.current().nextInt(100);
                    if (dice < 25) {
                        kind = Kind.INSERT;
                        insert();
                    } else if (dice < 50) {
                        kind = Kind.UPDATE;
                        update();
                    } else if (dice < 55) {
                        kind = Kind.DELETE;
                        delete();
                    } else if (dice < 85) {
                        kind = Kind.READ;
                        read();
                    } else {
                        kind = Kind.TRANSACTION;
                        transaction();
                    }
                    ok.get(kind).increment();
                } catch (SQLException e) {
                    String key = kind + " " + e.getSQLState();
                    errors.computeIfAbsent(key, k -> new LongAdder()).increment();
                    firstErrorMessage.putIfAbsent(key, String.valueOf(e.getMessage()).replace('\n', ' '));
                }
                pause();
            }
        } catch (RuntimeException | Error e) {
            crashed = e;
            throw e;
        }
    }

    private void pause() {
        if (sleepMicros > 0) {
            try {
                TimeUnit.MICROSECONDS.sleep(sleepMicros);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    private static String emailFor(long id) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        if (r.nextInt(20) == 0) {
            return null;
        }
        return "User" + id + "." + r.nextInt(1000) + "@Example.COM";
    }

    private long randomExistingId() {
        return 1 + ThreadLocalRandom.current().nextLong(Math.max(1, nextId.get() - 1));
    }

    /** Autocommit PreparedStatement insert. */
    private void insert() throws SQLException {
        long id = nextId.getAndIncrement();
        try (Connection c = pool.getConnection();
             PreparedStatement p = c.prepareStatement("INSERT INTO users (id, name, email) VALUES (?, ?, ?)")) {
            p.setLong(1, id);
            p.setString(2, "signup " + id);
            p.setString(3, emailFor(id));
            p.executeUpdate();
        }
        lastCommittedInsert.accumulateAndGet(id, Math::max);
    }

    /** Autocommit update: a new address, NULL, or {@code lower(email)}, prepared or plain. */
    private void update() throws SQLException {
        long id = randomExistingId();
        int dice = ThreadLocalRandom.current().nextInt(10);
        try (Connection c = pool.getConnection()) {
            if (dice < 5) {
                try (PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
                    p.setString(1, emailFor(id));
                    p.setLong(2, id);
                    p.executeUpdate();
                }
            } else if (dice < 7) {
                try (PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
                    p.setNull(1, Types.VARCHAR);
                    p.setLong(2, id);
                    p.executeUpdate();
                }
            } else if (dice < 9) {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("UPDATE users SET email = lower(email) WHERE id = " + id);
                }
            } else {
                try (PreparedStatement p = c.prepareStatement("UPDATE users SET email = lower(email) WHERE id = ?")) {
                    p.setLong(1, id);
                    p.executeUpdate();
                }
            }
        }
    }

    /** Autocommit delete, prepared or plain. */
    private void delete() throws SQLException {
        long id = randomExistingId();
        try (Connection c = pool.getConnection()) {
            if (ThreadLocalRandom.current().nextBoolean()) {
                try (PreparedStatement p = c.prepareStatement("DELETE FROM users WHERE id = ?")) {
                    p.setLong(1, id);
                    p.executeUpdate();
                }
            } else {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("DELETE FROM users WHERE id = " + id);
                }
            }
        }
    }

    /** Autocommit read, prepared or plain; reads every column so a wrong shape would throw. */
    private void read() throws SQLException {
        long id = randomExistingId();
        try (Connection c = pool.getConnection()) {
            if (ThreadLocalRandom.current().nextBoolean()) {
                try (PreparedStatement p = c.prepareStatement("SELECT id, name, email FROM users WHERE id = ?")) {
                    p.setLong(1, id);
                    try (ResultSet rs = p.executeQuery()) {
                        consume(rs);
                    }
                }
            } else {
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT id, name, email FROM users WHERE id = " + id)) {
                    consume(rs);
                }
            }
        }
    }

    private static void consume(ResultSet rs) throws SQLException {
        while (rs.next()) {
            rs.getLong(1);
            rs.getString(2);
            rs.getString(3);
        }
    }

    /**
     * An explicit transaction: sign a user up, read them back, change their address, sometimes
     * change another user too; READ COMMITTED or REPEATABLE READ; one in ten ends in ROLLBACK.
     */
    private void transaction() throws SQLException {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long id = nextId.getAndIncrement();
        boolean commit = r.nextInt(10) != 0;
        try (Connection c = pool.getConnection()) {
            int isolation = r.nextBoolean() ? Connection.TRANSACTION_REPEATABLE_READ : Connection.TRANSACTION_READ_COMMITTED;
            c.setAutoCommit(false);
            c.setTransactionIsolation(isolation);
            try {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO users (id, name, email) VALUES (?, ?, ?)")) {
                    p.setLong(1, id);
                    p.setString(2, "tx signup " + id);
                    p.setString(3, emailFor(id));
                    p.executeUpdate();
                }
                try (PreparedStatement p = c.prepareStatement("SELECT id, name, email FROM users WHERE id = ?")) {
                    p.setLong(1, id);
                    try (ResultSet rs = p.executeQuery()) {
                        consume(rs);
                    }
                }
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("UPDATE users SET email = lower(email) WHERE id = " + id);
                }
                if (r.nextBoolean()) {
                    try (PreparedStatement p = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
                        long other = randomExistingId();
                        String e = emailFor(other);
                        if (e == null) {
                            p.setNull(1, Types.VARCHAR);
                        } else {
                            p.setString(1, e);
                        }
                        p.setLong(2, other);
                        p.executeUpdate();
                    }
                }
                if (commit) {
                    c.commit();
                    lastCommittedInsert.accumulateAndGet(id, Math::max);
                } else {
                    c.rollback();
                    rolledBack.increment();
                }
            } catch (SQLException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
        }
    }

    // ---------------------------------------------------------------- standalone

    /**
     * {@code java -cp dualwrite-demo.jar io.dualwrite.samples.legacy.LegacyApp --url URL [--user U]
     * [--password P] [--threads 4] [--seconds 0 (until Ctrl-C)] [--sleep-micros 2000]}
     */
    public static void main(String[] args) throws Exception {
        String url = null;
        String user = System.getenv("PGUSER");
        String password = System.getenv("PGPASSWORD");
        int threads = 4;
        long seconds = 0;
        long sleepMicros = 2000;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--url" -> { url = v; i++; }
                case "--user" -> { user = v; i++; }
                case "--password" -> { password = v; i++; }
                case "--threads" -> { threads = Integer.parseInt(v); i++; }
                case "--seconds" -> { seconds = Long.parseLong(v); i++; }
                case "--sleep-micros" -> { sleepMicros = Long.parseLong(v); i++; }
                default -> {
                    System.err.println("usage: LegacyApp --url JDBC_URL [--user U] [--password P] [--threads 4]"
                            + " [--seconds N] [--sleep-micros 2000]");
                    System.exit(2);
                }
            }
        }
        if (url == null) {
            System.err.println("error: --url is required (e.g. jdbc:dualwrite:postgresql://localhost:5432/app)");
            System.exit(2);
        }
        LegacyApp app = new LegacyApp(url, user, password, threads, sleepMicros);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.stop();
            System.out.print(app.report());
        }));
        app.start();
        System.out.println("legacy app running against " + url + " with " + threads + " threads"
                + (seconds > 0 ? " for " + seconds + " s" : " (Ctrl-C to stop)"));
        long deadline = seconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds) : Long.MAX_VALUE;
        while (System.nanoTime() < deadline) {
            Thread.sleep(Math.min(5000, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            System.out.println("  ops ok " + app.totalOk() + ", errors " + app.errors());
        }
        System.exit(app.unexpectedErrors() == 0 ? 0 : 1);
    }
}
