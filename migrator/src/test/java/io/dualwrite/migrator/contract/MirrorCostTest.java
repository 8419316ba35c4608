package io.dualwrite.migrator.contract;

import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.backfill.Backfill;
import io.dualwrite.migrator.backfill.BackfillOptions;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import static io.dualwrite.migrator.Fixtures.PARITY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the mirror costs a NEW_ONLY write: a single-row upsert of the primary target row (the shape a translated
 * {@code UPDATE users SET email = ?} ends in), autocommit, with and without the mirror, in alternating rounds on one
 * connection; prints the medians. Asserts only what must hold: with the mirror the old column stays in step.
 */
@ExtendWith(PostgresExtension.class)
class MirrorCostTest {

    private static final int ROUNDS = 6, WRITES = 1500;

    @Test
    void singleRowWriteWithAndWithoutTheMirror(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 20_000);
        Fixtures.expandAndDualWrite(db);
        try (Connection c = db.connect()) {
            Backfill.run(c, "users.email", new BackfillOptions(5000, 0, false), null);
        }
        db.execute("UPDATE dualwrite.migration SET phase = 'NEW_ONLY' WHERE name = 'users.email'");
        try (Connection c = db.connect()) {
            ReverseSync.run(c, db::connect, "users.email", ReverseSync.Options.batches(5000), m -> { });
        }
        double[] with = new double[ROUNDS], without = new double[ROUNDS];
        Random rnd = new Random(1);
        try (Connection c = db.connect(); PreparedStatement p = c.prepareStatement(
                "INSERT INTO email_address (user_id, address, is_primary) VALUES (?, ?, true)"
                        + " ON CONFLICT (user_id) WHERE is_primary DO UPDATE SET address = EXCLUDED.address")) {
            writes(p, rnd, WRITES); // warm-up
            for (int r = 0; r < ROUNDS; r++) {
                with[r] = writes(p, rnd, WRITES);
                assertThat(db.queryLong(PARITY)).as("the mirror keeps the old column in step").isZero();
                db.execute("DROP TRIGGER dualwrite_sync_users_email_mirror ON email_address");
                without[r] = writes(p, rnd, WRITES);
                try (Connection rs = db.connect()) { // the mirror back, and the drift of the round without it repaired
                    ReverseSync.run(rs, db::connect, "users.email", new ReverseSync.Options(5000, true, Duration.ofSeconds(2), 10),
                            m -> { });
                }
            }
        }
        Arrays.sort(with);
        Arrays.sort(without);
        System.out.printf("NEW_ONLY single-row primary upsert, median of %d rounds of %d: %.1f us with the mirror, %.1f us"
                + " without (%.2fx)%n", ROUNDS, WRITES, with[ROUNDS / 2], without[ROUNDS / 2], with[ROUNDS / 2] / without[ROUNDS / 2]);
    }

    /** Microseconds per write. */
    private static double writes(PreparedStatement p, Random rnd, int n) throws SQLException {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            p.setLong(1, 1 + rnd.nextInt(20_000));
            p.setString(2, "m" + rnd.nextInt() + "@example.com");
            p.executeUpdate();
        }
        return (System.nanoTime() - t0) / 1e3 / n;
    }
}
