package io.dualwrite.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import io.dualwrite.driver.metrics.KnownMigrations;
import io.dualwrite.driver.runtime.MigrationRuntime;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Issue 15, acceptance 5: a YCSB-like workload (read, scan, update, insert, delete; {@link YcsbOperations}) through
 * HikariCP with a statement prepared per call, on raw PgJDBC and through {@code jdbc:dualwrite:} with the migrated
 * column in EXPANDED, DUAL_WRITE, READ_NEW, NEW_ONLY and CONTRACTED (the column dropped: issue 12's legacy SQL after
 * the drop; {@link YcsbTables}). The variants alternate in rounds (the first one rotating), each round running the
 * same seeded operations on every variant, so that load changes on a shared machine fall on all of them alike;
 * throughput is reported per variant and as the median of the per-round ratios to raw with their spread. It must end
 * with no error, parity 0, every variant's data equal to raw's and its reads having returned what raw's did:
 * otherwise it throws, after printing the figures.
 */
final class YcsbWorkload {

    private static final long SEED = 20_261_201L;
    private static final YcsbOperations.Kind[] KINDS = YcsbOperations.Kind.values();

    private final int rounds;
    private final int ops;
    private final int rows;
    private final List<YcsbTables.Variant> variants = YcsbTables.VARIANTS;
    /** [variant][round]: operations per second. */
    private final double[][] throughput;
    /** [variant][kind]: time and count of the measured operations. */
    private final long[][] nanos;
    private final long[][] counts;
    private final List<String> errors = new ArrayList<>();
    private final List<YcsbOperations> clients = new ArrayList<>();

    YcsbWorkload(int rounds, int ops, int rows) {
        this.rounds = rounds;
        this.ops = ops;
        this.rows = rows;
        this.throughput = new double[variants.size()][rounds];
        this.nanos = new long[variants.size()][KINDS.length];
        this.counts = new long[variants.size()][KINDS.length];
    }

    /** Runs it against the suite's database (tables made by {@link YcsbTables#create}); returns the Markdown section. */
    String run() throws SQLException {
        try (HikariDataSource raw = Bench.pool(Bench.pgUrl(), "org.postgresql.Driver");
             HikariDataSource dualwrite = Bench.pool(Bench.dualwriteUrl(), "io.dualwrite.driver.DualwriteDriver")) {
            for (YcsbTables.Variant v : variants) {
                clients.add(new YcsbOperations(v.phase() == null ? raw : dualwrite, v.table(), rows));
            }
            for (int round = -1; round < rounds; round++) { // round -1 warms every variant up, unmeasured
                for (int i = 0; i < variants.size(); i++) {
                    int v = Math.floorMod(round + i, variants.size());
                    runRound(v, clients.get(v), round);
                }
            }
        }
        String report = report();
        System.out.println(report);
        List<String> wrong = new ArrayList<>(errors.subList(0, Math.min(errors.size(), 5)));
        try (Connection c = Bench.raw()) {
            for (YcsbTables.Variant v : variants) {
                wrong.addAll(checks(c, v));
            }
        }
        if (!errors.isEmpty() || !wrong.isEmpty()) {
            throw new IllegalStateException("the YCSB-like workload must end with parity 0 and no error; " + errors.size()
                    + " operations failed; " + String.join("; ", wrong));
        }
        return report;
    }

    private void runRound(int v, YcsbOperations client, int round) {
        SplittableRandom random = new SplittableRandom(SEED + round);
        long began = System.nanoTime();
        for (int i = 0; i < ops; i++) {
            YcsbOperations.Kind kind = client.next(random);
            long start = System.nanoTime();
            try {
                client.run(kind, random);
            } catch (SQLException e) {
                errors.add(variants.get(v).name() + " " + kind + ": " + e.getMessage());
            }
            if (round >= 0) {
                nanos[v][kind.ordinal()] += System.nanoTime() - start;
                counts[v][kind.ordinal()]++;
            }
        }
        if (round >= 0) {
            throughput[v][round] = ops * 1e9 / (System.nanoTime() - began);
        }
    }

    /** What must hold at the end: parity 0 where the target is written, the driver's own counters as the phase implies. */
    private List<String> checks(Connection c, YcsbTables.Variant v) throws SQLException {
        List<String> wrong = new ArrayList<>();
        if (v.phase() == null) {
            return wrong;
        }
        long parity = v.phase().writesOld() && v.phase().writesNew() ? YcsbTables.parity(c, v) : 0;
        if (parity != 0) {
            wrong.add(v.name() + ": parity " + parity + ", expected 0");
        }
        long differences = YcsbTables.differencesFromRaw(c, v);
        if (differences != 0) {
            wrong.add(v.name() + ": " + differences + " rows differ from raw's, which ran the same operations");
        }
        long read = clients.get(variants.indexOf(v)).sink();
        if (read != clients.get(0).sink()) {
            wrong.add(v.name() + ": its reads returned other values than raw's (checksum " + read + " against "
                    + clients.get(0).sink() + ")");
        }
        MigrationRuntime m = KnownMigrations.named(v.spec().name()).current();
        if (m.rejectedStatements() + m.rewrittenFailures() != 0) {
            wrong.add(v.name() + ": the driver refused " + m.rejectedStatements() + " statements, " + m.rewrittenFailures()
                    + " rewritten statements failed");
        }
        boolean writes = m.dualWrites() > 0;
        boolean reads = m.readsRewritten() > 0;
        if (writes != v.phase().writesNew() || reads != v.phase().readsNew()) {
            wrong.add(v.name() + ": " + m.dualWrites() + " dual writes and " + m.readsRewritten()
                    + " rewritten reads do not match the phase (is it applied?)");
        }
        return wrong;
    }

    String report() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "One client, HikariCP (pool of 1), %,d rows per table, %d rounds of %,d operations per"
                + " variant (after one unmeasured round), the variants alternating; mix: read by key 50 %%, update 25 %% (half"
                + " of them field1, the migrated column, one in ten of those to NULL), scan of up to %,d rows 5 %%, insert 10 %%,"
                + " delete 10 %%.%n%n", rows, rounds, ops, YcsbOperations.MAX_SCAN));
        b.append("| variant | throughput (ops/s, median of rounds) | ratio to raw (median of per-round ratios) | p25–p75 | min–max |\n");
        b.append("|---|---|---|---|---|\n");
        for (int v = 0; v < variants.size(); v++) {
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratios[r] = throughput[v][r] / throughput[0][r];
            }
            b.append(String.format(Locale.ROOT, "| %s | %,.0f | %.3f× | %.3f–%.3f | %.3f–%.3f |%n", variants.get(v).name(),
                    quantile(throughput[v], 0.5), quantile(ratios, 0.5), quantile(ratios, 0.25), quantile(ratios, 0.75),
                    quantile(ratios, 0), quantile(ratios, 1)));
        }
        b.append("\nMean time per operation (µs), over all measured rounds:\n\n| operation |");
        variants.forEach(v -> b.append(' ').append(v.name()).append(" |"));
        b.append("\n|---|").append("---|".repeat(variants.size())).append('\n');
        for (YcsbOperations.Kind kind : KINDS) {
            b.append("| ").append(kind.name().toLowerCase(Locale.ROOT)).append(" |");
            for (int v = 0; v < variants.size(); v++) {
                long n = counts[v][kind.ordinal()];
                b.append(n == 0 ? " — |" : String.format(Locale.ROOT, " %.1f |", nanos[v][kind.ordinal()] / 1e3 / n));
            }
            b.append('\n');
        }
        b.append(String.format(Locale.ROOT, "%nOperations failed: %d. Checked after the run, a mismatch or an error fails it:"
                + " parity (DUAL_WRITE, READ_NEW), every variant's rows equal to raw's (field1 as the phase holds it: the"
                + " target from DUAL_WRITE on), a checksum of what every variant's reads returned equal to raw's, and the"
                + " driver's counters.%n", errors.size()));
        return b.toString();
    }

    /** Nearest-rank quantile. */
    private static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.round(q * (sorted.length - 1))];
    }

}
