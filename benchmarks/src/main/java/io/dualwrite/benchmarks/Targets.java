package io.dualwrite.benchmarks;

import java.util.ArrayList;
import java.util.List;

/** Which score is compared with which, and the targets. */
final class Targets {

    private Targets() {
    }

    static final List<Report.Ratio> RATIOS;
    static final List<Report.Absolute> ABSOLUTES = List.of(
            new Report.Absolute("driver cost, pass-through statement, cached (wrapped − raw)",
                    "DriverOverheadBenchmark.wrappedPassThrough", "DriverOverheadBenchmark.rawPassThrough", 1.0, "≤ 1 µs"),
            new Report.Absolute("driver cost, dual-write statement, cached (wrapped − raw)",
                    "DriverOverheadBenchmark.wrappedDualWrite", "DriverOverheadBenchmark.rawDualWrite", 1.0, "≤ 1 µs"),
            new Report.Absolute("rewriter plan, cache hit", "PlanBenchmark.cached", null, 1.0, "≤ 1 µs"),
            new Report.Absolute("rewriter plan, cache hit after 100k distinct statements", "PlanBenchmark.cachedAfterFlood", null,
                    1.0, "≤ 1 µs"),
            new Report.Absolute("rewriter plan, statement naming no migrated table (never cached)", "PlanBenchmark.passThrough",
                    null, 1.0, "≤ 1 µs"),
            new Report.Absolute("rewriter plan, first sight: UPDATE users SET email", "PlanBenchmark.firstSightUpdate", null, 50.0,
                    "≤ 50 µs"),
            new Report.Absolute("rewriter plan, first sight: SELECT … FROM users", "PlanBenchmark.firstSightSelect", null, 50.0,
                    "≤ 50 µs"),
            new Report.Absolute("rewriter plan, first sight: statement on another table", "PlanBenchmark.firstSightOtherTable",
                    null, 50.0, "≤ 50 µs"));

    static {
        List<Report.Ratio> r = new ArrayList<>();
        r.add(new Report.Ratio("pass-through (HikariCP)", "SELECT accounts by key: dualwrite / raw PgJDBC",
                "PassThroughBenchmark.dualwriteSelect", "PassThroughBenchmark.rawSelect", 1.02, "≤ 1.02×"));
        r.add(new Report.Ratio("pass-through (HikariCP)", "UPDATE accounts by key: dualwrite / raw PgJDBC",
                "PassThroughBenchmark.dualwriteUpdate", "PassThroughBenchmark.rawUpdate", 1.02, "≤ 1.02×"));
        r.add(new Report.Ratio("pass-through (one connection)", "prepare + execute + read one row + close: wrapped / raw PgJDBC",
                "PassThroughBenchmark.wrappedPlainSelect", "PassThroughBenchmark.rawPlainSelect", 1.05, "≤ 1.05×"));
        r.add(new Report.Ratio("pass-through (one connection)", "bytes allocated per operation (--prof gc): wrapped / raw PgJDBC",
                "PassThroughBenchmark.wrappedPlainSelect" + BenchmarkSuite.ALLOCATION, "PassThroughBenchmark.rawPlainSelect"
                        + BenchmarkSuite.ALLOCATION, 1.05, "≤ 1.05×"));
        for (String op : List.of("update", "insert", "delete")) {
            String group = "single-row " + op.toUpperCase(java.util.Locale.ROOT);
            String dw = "SingleRowWriteBenchmark." + op + "[variant=dualwrite]";
            String base = "SingleRowWriteBenchmark." + op + "[variant=";
            r.add(new Report.Ratio(group, "dualwrite / hand-written CTE", dw, base + "cte]", 1.05, "≤ 1.05×"));
            r.add(new Report.Ratio(group, "dualwrite / AFTER trigger", dw, base + "trigger]", 1.0, "≤ 1.0×"));
            r.add(new Report.Ratio(group, "dualwrite / two statements, one transaction", dw, base + "twoStatements]", null, null));
            r.add(new Report.Ratio(group, "dualwrite / plain write (old column only)", dw, base + "plain]", null, null));
            r.add(new Report.Ratio(group, "same SQL without the driver (sync view SQL, raw) / hand-written CTE",
                    base + "syncViewSql]", base + "cte]", null, null));
        }
        r.add(new Report.Ratio("batch of 100 UPDATEs", "dualwrite / plain batch", "BatchWriteBenchmark.batch100[variant=dualwrite]",
                "BatchWriteBenchmark.batch100[variant=plain]", null, null));
        r.add(new Report.Ratio("batch of 100 UPDATEs", "dualwrite / batch with AFTER trigger",
                "BatchWriteBenchmark.batch100[variant=dualwrite]", "BatchWriteBenchmark.batch100[variant=trigger]", null, null));
        r.add(new Report.Ratio("batch of 100 UPDATEs", "same SQL without the driver (sync view SQL, raw) / plain batch",
                "BatchWriteBenchmark.batch100[variant=syncViewSql]", "BatchWriteBenchmark.batch100[variant=plain]", null, null));
        r.add(new Report.Ratio("COPY of 1,000 rows (COPY API)", "dualwrite (staged) / COPY with AFTER trigger",
                "CopyBenchmark.copy1000[variant=dualwrite]", "CopyBenchmark.copy1000[variant=trigger]", null, null));
        r.add(new Report.Ratio("COPY of 1,000 rows (COPY API)", "dualwrite (staged) / plain COPY",
                "CopyBenchmark.copy1000[variant=dualwrite]", "CopyBenchmark.copy1000[variant=plain]", null, null));
        r.add(new Report.Ratio("READ_NEW read by key", "dualwrite / same read on the old column",
                "ReadNewBenchmark.readByKey[variant=dualwrite]", "ReadNewBenchmark.readByKey[variant=oldColumn]", 1.05, "≤ 1.05×"));
        r.add(new Report.Ratio("READ_NEW read by key", "dualwrite / hand-written LEFT JOIN on the new table",
                "ReadNewBenchmark.readByKey[variant=dualwrite]", "ReadNewBenchmark.readByKey[variant=leftJoin]", null, null));
        r.add(new Report.Ratio("READ_NEW read by key", "dualwrite / hand-written subquery read",
                "ReadNewBenchmark.readByKey[variant=dualwrite]", "ReadNewBenchmark.readByKey[variant=handWritten]", null, null));
        r.add(new Report.Ratio("READ_NEW range scan of 1,000 rows", "dualwrite / hand-written LEFT JOIN on the new table",
                "ReadNewBenchmark.scan1000[variant=dualwrite]", "ReadNewBenchmark.scan1000[variant=leftJoin]", 1.10, "≤ 1.10×"));
        r.add(new Report.Ratio("READ_NEW range scan of 1,000 rows", "dualwrite / same scan on the old column",
                "ReadNewBenchmark.scan1000[variant=dualwrite]", "ReadNewBenchmark.scan1000[variant=oldColumn]", null, null));
        r.add(new Report.Ratio("READ_NEW range scan of 1,000 rows", "dualwrite / hand-written subquery scan",
                "ReadNewBenchmark.scan1000[variant=dualwrite]", "ReadNewBenchmark.scan1000[variant=handWritten]", null, null));
        r.add(new Report.Ratio("READ_NEW lookup by email", "dualwrite / same read on the old column (indexed)",
                "ReadNewBenchmark.readByEmail[variant=dualwrite]", "ReadNewBenchmark.readByEmail[variant=oldColumn]", null, null));
        r.add(new Report.Ratio("READ_NEW lookup by email", "dualwrite / hand-written join on the new table",
                "ReadNewBenchmark.readByEmail[variant=dualwrite]", "ReadNewBenchmark.readByEmail[variant=leftJoin]", null, null));
        r.add(new Report.Ratio("READ_NEW lookup by email", "dualwrite / correlated subquery compared (the driver's form before)",
                "ReadNewBenchmark.readByEmail[variant=dualwrite]", "ReadNewBenchmark.readByEmail[variant=handWritten]", null, null));
        for (String op : List.of("readByKey", "update", "insert", "delete")) {
            r.add(new Report.Ratio("after the contract (CONTRACTED)", op + ": the legacy SQL through dualwrite / hand-written"
                    + " SQL for the new schema", "ContractedBenchmark." + op + "[variant=dualwrite]",
                    "ContractedBenchmark." + op + "[variant=handWritten]", 1.05, "≤ 1.05×"));
            r.add(new Report.Ratio("after the contract (CONTRACTED)", op + ": the translated SQL sent by raw PgJDBC / hand-written"
                    + " SQL (what the SQL form costs)", "ContractedBenchmark." + op + "[variant=translatedSql]",
                    "ContractedBenchmark." + op + "[variant=handWritten]", null, null));
            r.add(new Report.Ratio("after the contract (CONTRACTED)", op + ": the legacy SQL through dualwrite / the translated SQL"
                    + " sent by raw PgJDBC (what the driver costs)", "ContractedBenchmark." + op + "[variant=dualwrite]",
                    "ContractedBenchmark." + op + "[variant=translatedSql]", null, null));
        }
        // tens of nanoseconds either way (a hit in a large Caffeine map misses the CPU caches more often); what the flood
        // must not change is the dual write's latency, the next ratio
        r.add(new Report.Ratio("plan cache", "hit after 100k distinct statements / hit on a fresh cache",
                "PlanBenchmark.cachedAfterFlood", "PlanBenchmark.cached", null, null));
        r.add(new Report.Ratio("plan cache", "dual write (prepare per call) after a 100k-statement flood / fresh cache",
                "PlanCacheFloodBenchmark.dualWrite[cache=flooded]", "PlanCacheFloodBenchmark.dualWrite[cache=fresh]", 1.05,
                "≤ 1.05×"));
        RATIOS = List.copyOf(r);
    }
}
