package io.dualwrite.migrator.bench;

import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.backfill.Backfill;
import io.dualwrite.migrator.backfill.BackfillOptions;
import io.dualwrite.migrator.parity.ChunkedParity;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;

import java.sql.Connection;
import java.util.Locale;

/**
 * Chunked parity by key type: an integer key is cut arithmetically, a uuid or text key at every N-th key (one scan
 * of its index when the run is planned). Same rows, same values, one run. Not part of the test run:
 * <pre>
 * mvn -q -B -pl migrator exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.dualwrite.migrator.bench.KeyTypeParityBenchmark [-Dexec.args="1000000"]
 * </pre>
 */
public final class KeyTypeParityBenchmark {

    private static final int ROUNDS = 3;

    public static void main(String[] args) throws Exception {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000);
        System.exit(0);
    }

    private static ChunkedParity.Result parity(Connection c, TestDatabase db, long chunkKeys) throws Exception {
        ChunkedParity.Result res = ChunkedParity.run(c, db::connect, "users.email",
                new ChunkedParity.Options(2, chunkKeys, false, false, 10));
        if (!res.clean()) {
            throw new AssertionError("parity " + res.mismatches());
        }
        return res;
    }

    static void run(int n) throws Exception {
        PostgresServer server = PostgresServer.get();
        System.out.println("server: " + server.description() + ", cores: " + Runtime.getRuntime().availableProcessors()
                + ", rows: " + n + ", chunked parity, 2 workers, 100,000-key chunks, best of " + ROUNDS);
        String[][] keys = {{"bigint", "g"}, {"uuid", "md5(g::text)::uuid"}, {"text COLLATE \"C\"", "'user-' || md5(g::text)"},
                {"text COLLATE \"en-x-icu\"", "'user-' || md5(g::text)"}};
        for (String[] k : keys) {
            try (TestDatabase db = server.createDatabase()) {
                db.execute("CREATE TABLE users (id " + k[0] + " PRIMARY KEY, email text)");
                db.execute("INSERT INTO users SELECT " + k[1] + ", CASE WHEN g % 7 = 0 THEN NULL ELSE 'u' || g || '@example.com'"
                        + " END FROM generate_series(1, " + n + ") g");
                db.execute("VACUUM ANALYZE users");
                Fixtures.expandAndDualWrite(db);
                double best = Double.MAX_VALUE, whole = Double.MAX_VALUE;
                int chunks = 0;
                try (Connection c = db.connect()) {
                    Backfill.run(c, "users.email", new BackfillOptions(5000, 0, false), null);
                    db.execute("VACUUM ANALYZE email_address");
                    for (int r = 0; r < ROUNDS; r++) {
                        ChunkedParity.Result res = parity(c, db, ChunkedParity.DEFAULT_CHUNK_KEYS);
                        best = Math.min(best, res.seconds());
                        chunks = res.chunks();
                        whole = Math.min(whole, parity(c, db, Long.MAX_VALUE / 4).seconds());
                    }
                }
                System.out.printf(Locale.ROOT, "| %s | %d chunks: %.2f s, %,.0f rows/s | one chunk: %.2f s, %,.0f rows/s |%n",
                        k[0], chunks, best, n / best, whole, n / whole);
            }
        }
    }
}
