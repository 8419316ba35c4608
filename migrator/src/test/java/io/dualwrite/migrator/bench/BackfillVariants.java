package io.dualwrite.migrator.bench;

import io.dualwrite.migrator.Fixtures;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Locale;

/** Where the backfill's time goes: single-worker keyset batches in several forms, 1M rows (a measurement aid, not a test). */
public final class BackfillVariants {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        String[][] variants = {
                {"insert-select (one statement)", "INSERT INTO email_address (user_id, address, is_primary) SELECT id, email, true FROM users WHERE email IS NOT NULL"},
                {"plain keyset INSERT, no lock", "WITH b AS (SELECT id k, email v FROM users WHERE id > ? ORDER BY id LIMIT ?), i AS (INSERT INTO email_address (user_id, address, is_primary) SELECT k, v, true FROM b WHERE v IS NOT NULL) SELECT max(k) FROM b"},
                {"locked, plain INSERT", "WITH b AS (SELECT id k, email v FROM users WHERE id > ? ORDER BY id LIMIT ? FOR NO KEY UPDATE), i AS (INSERT INTO email_address (user_id, address, is_primary) SELECT k, v, true FROM b WHERE v IS NOT NULL) SELECT max(k) FROM b"},
                {"unlocked, ON CONFLICT DO UPDATE WHERE DISTINCT", "WITH b AS (SELECT id k, email v FROM users WHERE id > ? ORDER BY id LIMIT ?), i AS (INSERT INTO email_address AS t (user_id, address, is_primary) SELECT k, v, true FROM b WHERE v IS NOT NULL ON CONFLICT (user_id) WHERE is_primary DO UPDATE SET address = EXCLUDED.address WHERE t.address IS DISTINCT FROM EXCLUDED.address) SELECT max(k) FROM b"},
                {"locked, ON CONFLICT DO UPDATE WHERE DISTINCT (current)", "WITH b AS (SELECT id k, email v FROM users WHERE id > ? ORDER BY id LIMIT ? FOR NO KEY UPDATE), i AS (INSERT INTO email_address AS t (user_id, address, is_primary) SELECT k, v, true FROM b WHERE v IS NOT NULL ON CONFLICT (user_id) WHERE is_primary DO UPDATE SET address = EXCLUDED.address WHERE t.address IS DISTINCT FROM EXCLUDED.address) SELECT max(k) FROM b"},
                {"locked, anti-join INSERT + UPDATE", "WITH b AS (SELECT id k, email v FROM users WHERE id > ? ORDER BY id LIMIT ? FOR NO KEY UPDATE), i AS (INSERT INTO email_address (user_id, address, is_primary) SELECT k, v, true FROM b WHERE v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM email_address e WHERE e.user_id = b.k AND e.is_primary)), u AS (UPDATE email_address t SET address = b.v FROM b WHERE t.user_id = b.k AND t.is_primary AND b.v IS NOT NULL AND t.address IS DISTINCT FROM b.v) SELECT max(k) FROM b"},
        };
        try (TestDatabase db = PostgresServer.get().createDatabase()) {
            Fixtures.createUsers(db, n);
            Fixtures.expandAndDualWrite(db);
            db.execute("VACUUM ANALYZE users");
            for (int round = 0; round < 2; round++) {
                for (String[] v : variants) {
                    db.execute("TRUNCATE email_address");
                    db.execute("VACUUM users");
                    db.execute("CHECKPOINT");
                    long t0 = System.nanoTime();
                    try (Connection c = db.connect()) {
                        if (!v[1].contains("?")) {
                            c.createStatement().execute(v[1]);
                        } else {
                            c.setAutoCommit(false);
                            long last = 0;
                            while (true) {
                                try (PreparedStatement p = c.prepareStatement(v[1])) {
                                    p.setLong(1, last);
                                    p.setInt(2, batch);
                                    try (ResultSet rs = p.executeQuery()) {
                                        rs.next();
                                        long mk = rs.getLong(1);
                                        if (rs.wasNull()) {
                                            break;
                                        }
                                        last = mk;
                                    }
                                }
                                c.commit();
                            }
                        }
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    System.out.printf(Locale.ROOT, "%-58s %,10.0f rows/s%n", v[0], n / s);
                }
            }
        }
        System.exit(0);
    }
}
