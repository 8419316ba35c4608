package io.dualwrite.benchmarks;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;

/**
 * The backfill as a user runs it: {@code java -jar dualwrite-migrator.jar backfill …} in a fresh JVM (a child
 * process), against the single {@code INSERT INTO twin SELECT … FROM users} into a table indexed exactly like the
 * target, alternated in rounds in one run on one database (issue 15, acceptance 6). Prints every run, the best of
 * each and their ratio. Run by {@code benchmarks/scripts/cli-backfill.sh}; options:
 * <pre>
 * --cli [NAME=]JAR [JVM-FLAG …]   a CLI jar to time ({@code java -jar}), with optional JVM flags, or a launcher
 *                                 script (migrator/bin/dualwrite; the flags then replace its own); repeatable: the
 *                                 variants alternate. Default: the
 *                                 launcher and the plain {@code java -jar} of migrator/target/dualwrite-migrator.jar
 * --rows N                        users (default 1,000,000; 1/7 NULL emails)
 * --rounds N                      rounds (default 3); each round runs every variant and the INSERT … SELECT once
 * --workers N                     passed to the backfill (default: the CLI's, the core count)
 * --url JDBC-URL --user U         a server to use (default: DUALWRITE_TEST_JDBC_URL, else an embedded PostgreSQL);
 *                                 the benchmark creates and drops its own database there
 * </pre>
 */
public final class CliBackfillBenchmark {

    private static final String DATABASE = "dualwrite_cli_backfill";
    private static final Pattern SECONDS = Pattern.compile("\"seconds\"\\s*:\\s*([0-9.Ee+-]+)");
    private static final Pattern URL_DATABASE = Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]*)(.*)$");

    /** @param jar a jar, or a launcher script that runs one */
    private record Variant(String name, Path jar, List<String> jvmFlags) {
        boolean launcher() {
            return !jar.toString().endsWith(".jar");
        }
    }

    /**
     * One timed run: the process's wall time, the time the CLI itself reported, the CPU seconds of the CLI's JVM and of
     * the server's processes (NaN where not known: the INSERT has no CLI, a remote server no /proc). On a loaded
     * machine CPU seconds say more than wall time about which form costs less.
     */
    private record Run(double wallSeconds, double reportedSeconds, double cliCpu, double serverCpu) {
    }

    public static void main(String[] args) throws Exception {
        List<Variant> variants = new ArrayList<>();
        int rows = 1_000_000, rounds = 3;
        String workers = null, url = System.getenv("DUALWRITE_TEST_JDBC_URL"), user = "postgres";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cli" -> variants.add(variant(args[++i]));
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--workers" -> workers = args[++i];
                case "--url" -> url = args[++i];
                case "--user" -> user = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; expected --cli [NAME=]JAR [FLAGS], --rows, --rounds, --workers, --url, --user");
            }
        }
        if (variants.isEmpty()) {
            variants.add(variant("migrator/bin/dualwrite"));
            variants.add(new Variant("java -jar", Path.of("migrator/target/dualwrite-migrator.jar"), List.of()));
        }
        for (Variant v : variants) {
            if (!Files.isRegularFile(v.jar)) {
                throw new IllegalArgumentException("no CLI at " + v.jar.toAbsolutePath()
                        + "; build it first: mvn -B -q -Dstyle.color=never -pl migrator -am -DskipTests package");
            }
        }
        if (url != null) {
            run(url, user, variants, rows, rounds, workers);
            return;
        }
        try (EmbeddedPostgres pg = Bench.startServer()) {
            run("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", variants, rows, rounds, workers);
        }
    }

    /** {@code [NAME=]JAR [FLAG …]}: the name defaults to the jar's file name. */
    private static Variant variant(String spec) {
        List<String> words = new ArrayList<>(Arrays.asList(spec.trim().split("\\s+")));
        String first = words.remove(0);
        int eq = first.indexOf('=');
        Path jar = Path.of(eq < 0 ? first : first.substring(eq + 1));
        String name = eq < 0 ? jar.getFileName().toString() : first.substring(0, eq);
        if (!words.isEmpty()) {
            name += " " + String.join(" ", words);
        }
        return new Variant(name, jar, words);
    }

    private static void run(String serverUrl, String user, List<Variant> variants, int rows, int rounds, String workers)
            throws Exception {
        try (Connection admin = DriverManager.getConnection(serverUrl, user, null); Statement s = admin.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE);
            s.execute("CREATE DATABASE " + DATABASE);
        }
        Matcher m = URL_DATABASE.matcher(serverUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a jdbc:postgresql://host[:port]/database URL, got " + serverUrl);
        }
        String url = m.group(1) + DATABASE + m.group(3);
        try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement()) {
            System.out.println(scalar(s, "SELECT version()") + "; cores: " + Runtime.getRuntime().availableProcessors()
                    + "; load: " + BenchmarkSuite.loadAverage());
            System.out.printf(Locale.ROOT, "creating %,d users%n", rows);
            s.execute("CREATE TABLE users (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text NOT NULL, email text)");
            s.execute("INSERT INTO users (id, name, email) SELECT g, 'user ' || g, CASE WHEN g % 7 = 0 THEN NULL"
                    + " ELSE 'u' || g || '@example.com' END FROM generate_series(1, " + rows + ") g");
            s.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), " + rows + ")");
            s.execute("VACUUM ANALYZE users");
            Variant first = variants.get(0);
            cli(first, url, user, "expand", "--source", "users.email", "--key", "id", "--target", "email_address.address",
                    "--target-key", "user_id", "--primary-flag", "is_primary");
            cli(first, url, user, "phase", "--migration", "users.email", "DUAL_WRITE");
            // the twin: the target's columns, defaults and indexes (the unique partial index expand created)
            s.execute("CREATE TABLE email_address_twin (LIKE email_address INCLUDING ALL)");
            long expected = Long.parseLong(scalar(s, "SELECT count(email) FROM users"));
            ProcCpu server = ProcCpu.server(Long.parseLong(scalar(s, "SELECT pg_backend_pid()")));

            Map<String, List<Run>> runs = new LinkedHashMap<>();
            for (int round = 1; round <= rounds; round++) {
                for (Variant v : variants) {
                    reset(s, "email_address");
                    List<String> backfill = new ArrayList<>(List.of("backfill", "--migration", "users.email", "--restart", "--json"));
                    if (workers != null) {
                        backfill.addAll(List.of("--workers", workers));
                    }
                    double cpu0 = ProcCpu.children(), server0 = server.seconds();
                    long t0 = System.nanoTime();
                    String out = cli(v, url, user, backfill.toArray(String[]::new));
                    double wall = seconds(t0);
                    double cliCpu = ProcCpu.children() - cpu0, serverCpu = server.seconds() - server0;
                    Matcher sec = SECONDS.matcher(out);
                    double reported = sec.find() ? Double.parseDouble(sec.group(1)) : Double.NaN;
                    long copied = Long.parseLong(scalar(s, "SELECT count(*) FROM email_address WHERE is_primary"));
                    if (copied != expected) {
                        throw new IllegalStateException(v.name + " copied " + copied + " rows, expected " + expected + ": " + out);
                    }
                    record(runs, "backfill " + v.name, round, new Run(wall, reported, cliCpu, serverCpu), rows);
                }
                reset(s, "email_address_twin");
                double server0 = server.seconds();
                long t0 = System.nanoTime();
                s.execute("INSERT INTO email_address_twin (user_id, address, is_primary)"
                        + " SELECT id, email, true FROM users WHERE email IS NOT NULL");
                double wall = seconds(t0);
                record(runs, "INSERT ... SELECT", round, new Run(wall, Double.NaN, Double.NaN, server.seconds() - server0), rows);
            }
            System.out.printf(Locale.ROOT, "%nbest of %d, %,d users (load now: %s)%n", rounds, rows, BenchmarkSuite.loadAverage());
            double insert = best(runs.get("INSERT ... SELECT"), Run::wallSeconds);
            for (Map.Entry<String, List<Run>> e : runs.entrySet()) {
                List<Run> r = e.getValue();
                double wall = best(r, Run::wallSeconds);
                String cpu = String.format(Locale.ROOT, "CPU: server %.2f s, CLI %.2f s", best(r, Run::serverCpu), best(r, Run::cliCpu));
                if (e.getKey().startsWith("backfill ")) {
                    double reported = best(r, Run::reportedSeconds);
                    System.out.printf(Locale.ROOT, "  %-48s process %.3f s (%.2fx INSERT ... SELECT), CLI-reported %.3f s (%.2fx); %s%n",
                            e.getKey(), wall, insert / wall, reported, insert / reported, cpu);
                } else {
                    System.out.printf(Locale.ROOT, "  %-48s %.3f s; %s%n", e.getKey(), wall, cpu);
                }
            }
            System.out.println("(ratio = INSERT ... SELECT time / backfill time: >= 1.0 means the backfill is at least as fast)");
        }
        try (Connection admin = DriverManager.getConnection(serverUrl, user, null); Statement s = admin.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE);
        }
    }

    /** The same starting point for both sides: an empty target, a vacuumed source, no dirty pages to write. */
    private static void reset(Statement s, String target) throws SQLException {
        s.execute("TRUNCATE " + target);
        s.execute("VACUUM users");
        s.execute("CHECKPOINT");
    }

    private static void record(Map<String, List<Run>> runs, String what, int round, Run r, int rows) {
        runs.computeIfAbsent(what, k -> new ArrayList<>()).add(r);
        System.out.printf(Locale.ROOT, "round %d  %-48s %.3f s  %,10.0f rows/s%s  CPU: server %.2f s, CLI %.2f s%n", round,
                what, r.wallSeconds, rows / r.wallSeconds, Double.isNaN(r.reportedSeconds) ? ""
                        : String.format(Locale.ROOT, "  (CLI-reported %.3f s)", r.reportedSeconds), r.serverCpu, r.cliCpu);
    }

    private static double best(List<Run> runs, ToDoubleFunction<Run> metric) {
        return runs.stream().mapToDouble(metric).min().orElseThrow();
    }

    /** Runs the CLI in a fresh JVM; returns its stdout, or fails with its output when it exits non-zero. */
    private static String cli(Variant v, String url, String user, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (v.launcher()) {
            cmd.add(v.jar.toString());
        } else {
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(v.jvmFlags);
            cmd.addAll(List.of("-jar", v.jar.toString()));
        }
        cmd.add(args[0]);
        cmd.addAll(List.of("--url", url, "--user", user));
        cmd.addAll(Arrays.asList(args).subList(1, args.length));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        if (v.launcher() && !v.jvmFlags.isEmpty()) {
            pb.environment().put("DUALWRITE_JAVA_OPTS", String.join(" ", v.jvmFlags));
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        if (code != 0) {
            throw new IllegalStateException("dualwrite " + String.join(" ", args) + " (" + v.name + ") exited " + code + ":\n" + out);
        }
        return out;
    }

    private static String scalar(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
