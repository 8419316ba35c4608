package io.dualwrite.migrator.bench;

import io.dualwrite.migrator.Fixtures;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the backfill's time goes: the copy alone in several forms (no checkpoint, no control reads), with 1 and 2
 * workers, 1M rows, batches of ~50k rows (a measurement aid, not a test):
 * <pre>
 * mvn -q -B -pl migrator exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.dualwrite.migrator.bench.BackfillVariants [-Dexec.args="1000000 50000"]
 * </pre>
 */
public final class BackfillVariants {

    private enum Order { KEYSET, PAGES }

    private record Variant(String name, Order order, String sql) {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        String insert = "INSERT INTO email_address (user_id, address, is_primary) SELECT k, v, true FROM b WHERE v IS NOT NULL";
        String pages = "ctid >= ('(' || ? || ',0)')::tid AND ctid < ('(' || ? || ',0)')::tid";
        List<Variant> variants = List.of(
                new Variant("keyset, FOR NO KEY UPDATE, INSERT (the previous backfill's core)", Order.KEYSET,
                        "WITH b AS (SELECT id k, email v FROM users WHERE id > ? AND id <= ? ORDER BY id LIMIT ? FOR NO KEY UPDATE),"
                                + " i AS (" + insert + ") SELECT max(k) FROM b"),
                new Variant("keyset, no lock, INSERT", Order.KEYSET,
                        "WITH b AS (SELECT id k, email v FROM users WHERE id > ? AND id <= ? ORDER BY id LIMIT ?),"
                                + " i AS (" + insert + ") SELECT max(k) FROM b"),
                new Variant("pages, FOR NO KEY UPDATE, INSERT", Order.PAGES,
                        "WITH b AS (SELECT id k, email v FROM users WHERE " + pages + " FOR NO KEY UPDATE), i AS (" + insert + ")"
                                + " SELECT count(*) FROM b"),
                new Variant("pages, no lock, INSERT", Order.PAGES,
                        "WITH b AS (SELECT id k, email v FROM users WHERE " + pages + "), i AS (" + insert + ") SELECT count(*) FROM b"),
                new Variant("pages, no lock, COPY out and back in (the backfill's copy)", Order.PAGES, null));
        try (TestDatabase db = PostgresServer.get().createDatabase()) {
            Fixtures.createUsers(db, n);
            Fixtures.expandAndDualWrite(db);
            db.execute("VACUUM ANALYZE users");
            long relPages = db.queryLong("SELECT pg_relation_size('users') / 8192");
            long pagesPerBatch = Math.max(1, relPages * batch / n);
            for (int round = 0; round < 2; round++) {
                prepare(db);
                long t0 = System.nanoTime();
                db.execute("INSERT INTO email_address (user_id, address, is_primary) SELECT id, email, true FROM users"
                        + " WHERE email IS NOT NULL");
                print("one INSERT ... SELECT", 1, n / secs(t0));
                for (Variant v : variants) {
                    for (int workers = 1; workers <= 2; workers++) {
                        prepare(db);
                        long span = v.order == Order.KEYSET ? n : relPages;
                        List<Thread> threads = new ArrayList<>();
                        List<Throwable> failures = new ArrayList<>();
                        t0 = System.nanoTime();
                        for (int w = 0; w < workers; w++) {
                            long lo = span * w / workers, hi = w == workers - 1 ? span + 1 : span * (w + 1) / workers;
                            Thread t = new Thread(() -> {
                                try (Connection c = db.connect()) {
                                    c.createStatement().execute("SET synchronous_commit = off");
                                    c.setAutoCommit(false);
                                    if (v.order == Order.KEYSET) {
                                        keyset(c, v.sql, lo, hi, batch);
                                    } else {
                                        pages(c, v.sql, lo, hi, pagesPerBatch);
                                    }
                                } catch (Throwable e) {
                                    synchronized (failures) {
                                        failures.add(e);
                                    }
                                }
                            });
                            t.start();
                            threads.add(t);
                        }
                        for (Thread t : threads) {
                            t.join();
                        }
                        if (!failures.isEmpty()) {
                            throw new IllegalStateException(v.name, failures.get(0));
                        }
                        print(v.name, workers, n / secs(t0));
                    }
                }
            }
        }
        System.exit(0);
    }

    private static void prepare(TestDatabase db) throws SQLException {
        db.execute("TRUNCATE email_address");
        db.execute("VACUUM users");
        db.execute("CHECKPOINT");
    }

    private static void keyset(Connection c, String sql, long lo, long hi, int batch) throws SQLException {
        long last = lo;
        try (PreparedStatement p = c.prepareStatement(sql)) {
            while (true) {
                p.setLong(1, last);
                p.setLong(2, hi);
                p.setInt(3, batch);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    last = rs.getLong(1);
                    if (rs.wasNull()) {
                        return;
                    }
                }
                c.commit();
            }
        }
    }

    private static void pages(Connection c, String sql, long lo, long hi, long step) throws Exception {
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        for (long page = lo; page < hi; page += step) {
            long to = Math.min(hi, page + step);
            if (sql == null) {
                ByteArrayOutputStream rows = new ByteArrayOutputStream(1 << 16);
                copy.copyOut("COPY (SELECT id, email, true FROM users WHERE ctid >= '(" + page + ",0)' AND ctid < '(" + to
                        + ",0)') TO STDOUT", rows);
                copy.copyIn("COPY email_address (user_id, address, is_primary) FROM STDIN WHERE address IS NOT NULL",
                        new ByteArrayInputStream(rows.toByteArray()));
            } else {
                try (PreparedStatement p = c.prepareStatement(sql)) {
                    p.setLong(1, page);
                    p.setLong(2, to);
                    p.executeQuery().close();
                }
            }
            c.commit();
        }
    }

    private static void print(String name, int workers, double rate) {
        System.out.printf(Locale.ROOT, "%-66s %d worker%s %,10.0f rows/s%n", name, workers, workers == 1 ? " " : "s", rate);
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
