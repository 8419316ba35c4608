package io.dualwrite.benchmarks;

import io.dualwrite.rewriter.cache.PlanCache;
import io.dualwrite.rewriter.rewrite.StatementRewriter;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar benchmarks/target/benchmarks.jar [--quick] [--include REGEX | --ycsb | --interleaved] [--out DIR] [--prof jfr|stack|gc] [--param variant=a,b]}:
 * starts an embedded PostgreSQL 17, creates and fills the tables, runs the JMH benchmarks of this
 * package (each fork connects to that server) and, unless {@code --include} chose some, the YCSB-like
 * workload ({@link YcsbWorkload}, in this JVM), then writes {@code results.md}, {@code ratios.svg}
 * and {@code jmh.json} into {@code benchmarks/results} (or {@code --out}). {@code --ycsb} runs only the
 * workload and writes {@code ycsb.md}; {@code --interleaved} (with {@code --include}: of the methods it matches) measures
 * the targets' ratios between variants of one method in alternating slices in this JVM ({@link InterleavedRatios}) and
 * writes {@code interleaved.md}.
 */
public final class BenchmarkSuite {

    /** Suffix of the score key of a benchmark's bytes allocated per operation (JMH's {@code gc.alloc.rate.norm}, with {@code --prof gc}). */
    static final String ALLOCATION = ":alloc";

    private BenchmarkSuite() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = System.getProperty("quick") != null;
        String include = BenchmarkSuite.class.getPackageName() + ".*Benchmark.*";
        boolean included = false;
        boolean ycsbOnly = false;
        boolean interleaved = false;
        List<String> profilers = new ArrayList<>();
        List<String[]> params = new ArrayList<>();
        Path out = Files.isDirectory(Path.of("benchmarks", "src")) ? Path.of("benchmarks", "results") : Path.of("results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick", "-quick", "quick" -> quick = true;
                case "--include" -> {
                    include = args[++i];
                    included = true;
                }
                case "--ycsb" -> ycsbOnly = true;
                case "--interleaved" -> interleaved = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--prof" -> profilers.add(args[++i]);
                case "--param" -> params.add(args[++i].split("=", 2));
                default -> {
                    System.err.println("usage: java -jar benchmarks.jar [--quick] [--include REGEX | --ycsb | --interleaved] [--out DIR] [--prof jfr|stack|gc] [--param variant=a,b]");
                    System.exit(2);
                }
            }
        }
        int rows = Bench.ROWS;
        String loadBefore = loadAverage();
        String memory = ycsbOnly || interleaved ? null : planCacheMemory();
        if (memory != null) {
            System.out.println("plan cache memory: " + memory);
        }
        try (EmbeddedPostgres pg = Bench.startServer()) {
            String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
            System.setProperty(Bench.URL_PROPERTY, url);
            String pgVersion;
            try (Connection c = Bench.raw()) {
                pgVersion = scalar(c, "SELECT version()");
                System.out.println(pgVersion + "; creating " + rows + " rows per table");
                long t0 = System.nanoTime();
                if (!ycsbOnly) {
                    Setup.create(c, rows);
                }
                if (ycsbOnly || !included && !interleaved) {
                    YcsbTables.create(c, rows);
                }
                System.out.printf("set up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            }
            if (ycsbOnly) {
                String ycsb = ycsb(quick, rows);
                Files.createDirectories(out);
                Files.writeString(out.resolve("ycsb.md"), "# dualwrite: YCSB-like workload\n\n- load average before: " + loadBefore
                        + "; after: " + loadAverage() + "\n\n" + ycsb, StandardCharsets.UTF_8);
                System.out.println("wrote " + out.resolve("ycsb.md"));
                return;
            }
            if (interleaved) {
                String md = new InterleavedRatios(Integer.getInteger("dw.bench.rounds", quick ? 6 : 30), quick ? 1 : 3, java.util.regex.Pattern.compile(included ? include : "."))
                        .run();
                Files.createDirectories(out);
                Files.writeString(out.resolve("interleaved.md"), "# dualwrite: ratios measured interleaved\n\n- load average before: "
                        + loadBefore + "; after: " + loadAverage() + "\n- database: " + pgVersion + "\n\n" + md, StandardCharsets.UTF_8);
                System.out.println(md);
                System.out.println("wrote " + out.resolve("interleaved.md"));
                return;
            }
            ChainedOptionsBuilder options = new OptionsBuilder()
                    .include(include)
                    .forks(1)
                    .threads(1)
                    .shouldFailOnError(true)
                    .jvmArgsAppend("-D" + Bench.URL_PROPERTY + "=" + url, "-D" + Bench.USER_PROPERTY + "=postgres",
                            "-Ddw.bench.rows=" + rows, "-Xms1g", "-Xmx1g")
                    .mode(org.openjdk.jmh.annotations.Mode.AverageTime)
                    .timeUnit(TimeUnit.MICROSECONDS);
            for (String[] p : params) {
                options.param(p[0], p[1].split(","));
            }
            for (String p : profilers) {
                int colon = p.indexOf(':');
                if (colon < 0) {
                    options.addProfiler(p);
                } else {
                    options.addProfiler(p.substring(0, colon), p.substring(colon + 1));
                }
            }
            if (quick) {
                options.warmupIterations(1).warmupTime(TimeValue.seconds(1))
                        .measurementIterations(2).measurementTime(TimeValue.seconds(1));
            } else {
                // 10 measurement iterations: with 3, JMH's 99.9 % error uses t(2) ≈ 31.6 and every ratio's error
                // dwarfs the differences being measured; with 10, t(9) ≈ 4.8
                options.warmupIterations(2).warmupTime(TimeValue.seconds(2))
                        .measurementIterations(10).measurementTime(TimeValue.seconds(2));
            }
            Files.createDirectories(out);
            options.result(out.resolve("jmh.json").toString()).resultFormat(ResultFormatType.JSON);
            long start = System.nanoTime();
            Collection<RunResult> results = new Runner(options.build()).run();
            double minutes = (System.nanoTime() - start) / 60e9;
            String ycsb = included ? null : ycsb(quick, rows);
            String loadAfter = loadAverage();

            String explain;
            try (Connection c = Bench.raw()) {
                explain = explainUpdates(c);
            }

            List<Report.Score> scores = new ArrayList<>();
            for (RunResult r : results) {
                scores.add(new Report.Score(key(r), r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(),
                        r.getPrimaryResult().getScoreUnit()));
                r.getSecondaryResults().forEach((label, result) -> {
                    if (label.endsWith("gc.alloc.rate.norm")) { // JMH before 1.36 prefixes "·"
                        scores.add(new Report.Score(key(r) + ALLOCATION, result.getScore(), result.getScoreError(), result.getScoreUnit()));
                    }
                });
            }
            Report report = new Report(scores);
            List<Report.Row> rowsOut = report.rows(Targets.RATIOS);
            String date = OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
            StringBuilder md = new StringBuilder();
            md.append("# dualwrite benchmark results\n\n");
            md.append("- date: ").append(date).append(quick ? " (**--quick run: indicative only**)" : "").append('\n');
            md.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                    .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch")).append(", Java ")
                    .append(System.getProperty("java.version")).append(" (").append(System.getProperty("java.vm.name")).append(")\n");
            md.append("- load average (1/5/15 min) before: ").append(loadBefore).append("; after: ").append(loadAfter).append('\n');
            md.append("- database: ").append(pgVersion).append(", embedded (zonky), fsync/synchronous_commit/full_page_writes off, ")
                    .append(rows).append(" rows per table\n");
            md.append("- JMH: fork 1, 1 thread, average time, ")
                    .append(quick ? "warmup 1×1 s, measurement 2×1 s" : "warmup 2×2 s, measurement 10×2 s")
                    .append(String.format(java.util.Locale.ROOT, "; %.1f min in all%n", minutes));
            md.append("- error: JMH score error (99.9% confidence half-width); ratio error combines both relative errors\n\n");
            md.append("## Ratios\n\n").append(report.ratioTable(rowsOut)).append('\n');
            md.append("![ratios](ratios.svg)\n\n");
            md.append("## Driver cost without the database, rewriter plan cost\n\n").append(report.absoluteTable(Targets.ABSOLUTES)).append('\n');
            md.append("## Plan cache under a flood of distinct statements\n\n").append(memory).append("\n\n");
            if (ycsb != null) {
                md.append("## YCSB-like workload (HikariCP, prepare per call)\n\n").append(ycsb).append('\n');
            }
            md.append("## All scores\n\n").append(report.scoreTable()).append('\n');
            md.append("## Where the time goes in PostgreSQL: EXPLAIN ANALYZE of one single-row UPDATE per form\n\n")
                    .append("Run after the benchmarks, each 20 times in a rolled-back transaction; the last plan is shown.\n\n")
                    .append(explain);
            Files.writeString(out.resolve("results.md"), md.toString(), StandardCharsets.UTF_8);
            Files.writeString(out.resolve("ratios.svg"), report.svg(rowsOut, "dualwrite: cost against the alternatives (" + date + ")"),
                    StandardCharsets.UTF_8);
            System.out.println(md);
            System.out.println("wrote " + out.resolve("results.md") + ", " + out.resolve("ratios.svg") + ", " + out.resolve("jmh.json"));
        }
    }

    /** {@link YcsbWorkload}: 3 rounds of 500 operations with {@code --quick}, else 10 rounds of 2,000. */
    private static String ycsb(boolean quick, int rows) throws java.sql.SQLException {
        return quick ? new YcsbWorkload(3, 500, rows).run() : new YcsbWorkload(10, 2_000, rows).run();
    }

    /** EXPLAIN ANALYZE of the single-row UPDATE of each form: shows trigger time and the extra nodes. */
    static String explainUpdates(Connection c) throws java.sql.SQLException {
        String[][] forms = {
                {"plain", "UPDATE users_plain SET email = ? WHERE id = ?"},
                {"cte (hand-written)", Bench.cteUpdate()},
                {"trigger (AFTER, on users_trg)", "UPDATE users_trg SET email = ? WHERE id = ?"},
                {"dualwrite's SQL (sync view, users_sv)", Bench.rewritten("UPDATE users_sv SET email = ? WHERE id = ?")}};
        StringBuilder b = new StringBuilder();
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            for (String[] form : forms) {
                String plan = "";
                try (java.sql.PreparedStatement p = c.prepareStatement("EXPLAIN (ANALYZE, COSTS off) " + form[1])) {
                    for (int i = 0; i < 20; i++) {
                        p.setString(1, "explain" + i + "@example.com");
                        p.setLong(2, 1000 + i);
                        StringBuilder text = new StringBuilder();
                        try (ResultSet rs = p.executeQuery()) {
                            while (rs.next()) {
                                text.append(rs.getString(1)).append('\n');
                            }
                        }
                        plan = text.toString();
                    }
                }
                b.append("`").append(form[0]).append("`:\n\n```\n").append(plan).append("```\n\n");
            }
        } finally {
            c.rollback();
            c.setAutoCommit(autoCommit);
        }
        return b.toString();
    }

    /** {@code SingleRowWriteBenchmark.update[variant=cte]}. */
    static String key(RunResult r) {
        String full = r.getParams().getBenchmark();
        String name = full.substring(full.lastIndexOf('.', full.lastIndexOf('.') - 1) + 1);
        StringBuilder b = new StringBuilder(name);
        Collection<String> params = r.getParams().getParamsKeys();
        if (!params.isEmpty()) {
            b.append('[');
            String sep = "";
            for (String p : params) {
                b.append(sep).append(p).append('=').append(r.getParams().getParam(p));
                sep = ",";
            }
            b.append(']');
        }
        return b.toString();
    }

    /**
     * Heap retained by a rewriter with the default plan cache (32 MiB) after a flood of 100,000
     * distinct statements, and after 300 large ones (a 1,000-row INSERT each, ~60 KB of text):
     * the cache's own estimate (its weighted size) and the used heap after GC, both against the
     * configured size.
     */
    static String planCacheMemory() {
        StatementRewriter flooded = PlanBenchmark.newRewriter();
        long base = usedHeapAfterGc();
        long t0 = System.nanoTime();
        PlanBenchmark.flood(flooded, 0, 100_000);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long afterFlood = usedHeapAfterGc();
        String flood = String.format(java.util.Locale.ROOT,
                "100,000 distinct statements (a quarter each: dual writes and reads of users.email with literals, reads of"
                        + " users_audit, writes to accounts): %,d rewrites cached, estimated %.1f MB, heap retained %.1f MB"
                        + " (%.1f s to plan them, %.1f µs each)",
                flooded.cachedPlans(), flooded.cachedBytes() / 1e6, (afterFlood - base) / 1e6, seconds, seconds * 1e6 / 100_000);
        flooded = null; // reclaimed before the next baseline is taken
        StatementRewriter large = PlanBenchmark.newRewriter();
        base = usedHeapAfterGc();
        String text = null;
        for (int i = 0; i < 300; i++) {
            text = largeInsert(i);
            large.plan(text);
        }
        long afterLarge = usedHeapAfterGc();
        String big = String.format(java.util.Locale.ROOT,
                "300 large statements (%,d characters each): %,d rewrites cached, estimated %.1f MB, heap retained %.1f MB",
                text.length(), large.cachedPlans(), large.cachedBytes() / 1e6, (afterLarge - base) / 1e6);
        // keep it reachable until measured
        if (large.cachedPlans() < 0) {
            throw new AssertionError();
        }
        return String.format(java.util.Locale.ROOT, "A rewriter with the default plan cache (%.1f MB, `dualwritePlanCacheBytes`)."
                        + " After %s. After %s. Heap measured as used heap after System.gc() in the suite's JVM: approximate.",
                PlanCache.DEFAULT_MAX_BYTES / 1e6, flood, big);
    }

    /** A 1,000-row INSERT into users, distinct per {@code n}. */
    static String largeInsert(int n) {
        StringBuilder b = new StringBuilder("INSERT INTO users (id, name, email) VALUES ");
        for (int row = 0; row < 1_000; row++) {
            long id = n * 1_000_000L + row;
            b.append(row == 0 ? "" : ", ").append('(').append(id).append(", 'name ").append(id).append("', 'user")
                    .append(id).append("@example.com')");
        }
        return b.toString();
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String scalar(Connection c, String sql) throws java.sql.SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
