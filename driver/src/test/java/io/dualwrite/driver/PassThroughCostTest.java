package io.dualwrite.driver;

import com.sun.management.ThreadMXBean;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.function.IntToDoubleFunction;
import java.util.function.ToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15, acceptance 4, from the client's side: what the driver adds to a pass-through statement (a table no
 * migration names, the migration in EXPANDED) when the application prepares it per call, executes it, reads one
 * row and closes it. Raw PgJDBC and the driver alternate in rounds on two connections of the same database. Only
 * the allocation is asserted (it does not depend on load): the two wrappers the JDBC contract needs (the
 * statement, whose {@code getConnection()} is the application's connection, and the result set, whose
 * {@code getStatement()} is the application's statement), 24 bytes each. Time and CPU are printed, not asserted.
 */
@ExtendWith(PostgresExtension.class)
class PassThroughCostTest {

    private static final String SELECT = "SELECT id, user_id, amount, note FROM orders WHERE id = ?";
    private static final int ROUNDS = 15;
    private static final int OPS = 400;

    /** Per operation, one round of one variant. */
    private record Round(double bytes, double cpuNanos, double wallNanos) {
    }

    @Test
    void aPassThroughStatementCostsTwoSmallWrappers(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.EXPANDED);
        try (Connection raw = db.connect(); Connection wrapped = db.connectDualwrite()) {
            for (int i = 0; i < 3; i++) { // warm both paths up before measuring
                run(raw, 2_000);
                run(wrapped, 2_000);
            }
            Round[] raws = new Round[ROUNDS];
            Round[] wrappeds = new Round[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                boolean rawFirst = r % 2 == 0; // alternate which variant runs first in a round
                raws[r] = rawFirst ? run(raw, OPS) : null;
                wrappeds[r] = run(wrapped, OPS);
                raws[r] = rawFirst ? raws[r] : run(raw, OPS);
            }
            double rawBytes = median(raws, Round::bytes);
            double extraBytes = medianOf(r -> wrappeds[r].bytes() - raws[r].bytes());
            System.out.printf("pass-through prepare + execute + read one row + close, median of %d rounds of %d: raw %.0f B/op,"
                            + " wrapped +%.1f B/op (%.3f×); CPU %.3f× (raw %.1f µs/op); wall time %.3f× (raw %.1f µs/op)%n",
                    ROUNDS, OPS, rawBytes, extraBytes, (rawBytes + extraBytes) / rawBytes,
                    medianOf(r -> wrappeds[r].cpuNanos() / raws[r].cpuNanos()), median(raws, Round::cpuNanos) / 1e3,
                    medianOf(r -> wrappeds[r].wallNanos() / raws[r].wallNanos()), median(raws, Round::wallNanos) / 1e3);
            assertThat(extraBytes).as("bytes the driver adds per operation (raw: %.0f)", rawBytes).isLessThanOrEqualTo(56);
        }
    }

    private static Round run(Connection c, int ops) throws SQLException {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long bytes = threads.getCurrentThreadAllocatedBytes();
        long cpu = threads.getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        long expected = 0;
        long read = 0;
        for (int i = 0; i < ops; i++) {
            long id = 100 + i % 3;
            expected += id;
            try (PreparedStatement p = c.prepareStatement(SELECT)) {
                p.setLong(1, id);
                try (ResultSet rs = p.executeQuery()) {
                    read += rs.next() ? rs.getLong(1) : 0;
                }
            }
        }
        assertThat(read).as("ids read back").isEqualTo(expected); // outside the loop: AssertJ allocates
        return new Round((double) (threads.getCurrentThreadAllocatedBytes() - bytes) / ops,
                (double) (threads.getCurrentThreadCpuTime() - cpu) / ops, (double) (System.nanoTime() - wall) / ops);
    }

    private static double median(Round[] rounds, ToDoubleFunction<Round> f) {
        return medianOf(r -> f.applyAsDouble(rounds[r]));
    }

    private static double medianOf(IntToDoubleFunction perRound) {
        double[] v = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            v[r] = perRound.applyAsDouble(r);
        }
        Arrays.sort(v);
        return v[ROUNDS / 2];
    }
}
