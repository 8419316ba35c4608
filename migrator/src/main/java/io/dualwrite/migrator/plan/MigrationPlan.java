package io.dualwrite.migrator.plan;

import io.dualwrite.control.Queries;
import io.dualwrite.control.SourceRelatives;
import io.dualwrite.migrator.ShellCommand;
import io.dualwrite.migrator.db.QualifiedName;
import io.dualwrite.migrator.expand.ExpandRequest;
import io.dualwrite.migrator.expand.Expander;
import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.RelationName;
import io.dualwrite.rewriter.SourceView;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code dualwrite plan}: reads the live schema and row counts and builds the runbook of one migration —
 * every step with its exact command, validation query and expected result, rollback, estimated duration
 * and go/no-go gate. Durations come from a timed sample of the backfill's copy (its first {@link #SAMPLE_ROWS}
 * rows in physical order, into a temporary table) and of the parity chunk query on the first keys, inside a
 * transaction that is rolled back; small tables use the documented rates instead.
 */
public final class MigrationPlan {

    static final int SAMPLE_ROWS = 20_000;
    /** Measured on the 2-core reference machine (migrator/README.md), used when the table is too small to sample. */
    static final double DOC_BACKFILL_ROWS_PER_S = 800_000, DOC_PARITY_ROWS_PER_S = 1_000_000;

    public record Facts(String source, String target, String keyType, String valueType, long rows, boolean rowsExact,
                        long tableBytes, double nullFraction, boolean targetExists, long targetRows,
                        double backfillRowsPerSecond, double parityRowsPerSecond, String rateSource, int workers) {
    }

    public record Step(int no, String title, String command, String validation, String expected, String rollback,
                       String duration, String gate) {
    }

    /** @param spec the migration expand would register (its schema found on the search_path when not given) */
    public record Plan(MigrationSpec spec, Facts facts, List<Step> steps, List<String> gates) {
    }

    private MigrationPlan() {
    }

    public static Plan build(Connection c, ExpandRequest r, String url, int workers) throws SQLException {
        if (!c.getAutoCommit()) {
            c.commit();
            c.setAutoCommit(true);
        }
        // a runbook whose first step expand refuses is no plan: the same checks, the same refusal
        Expander.Checked checked = Expander.check(c, r);
        MigrationSpec spec = checked.spec();
        String schema = spec.sourceSchema();
        String src = spec.qualifiedSource(), tgt = spec.qualifiedTarget();
        String k = Identifiers.quote(spec.keyColumn()), v = Identifiers.quote(spec.sourceColumn());
        String keyType = checked.keyType(), valueType = checked.valueType();
        long reltuples = queryLong(c, "SELECT coalesce((SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(?)), -1)", src);
        boolean exact = reltuples < 1_000_000;
        long rows = exact ? queryLong(c, "SELECT count(*) FROM " + src, null) : reltuples;
        long bytes = queryLong(c, "SELECT pg_total_relation_size(to_regclass(?))", src);
        double nullFrac;
        try (PreparedStatement p = c.prepareStatement("SELECT null_frac FROM pg_stats WHERE schemaname = ? AND tablename = ? AND attname = ?")) {
            p.setString(1, schema);
            p.setString(2, r.source().table());
            p.setString(3, r.source().column());
            try (ResultSet rs = p.executeQuery()) {
                nullFrac = rs.next() ? rs.getDouble(1) : -1;
            }
        }
        boolean targetExists = checked.targetExists();
        long targetRows = targetExists ? queryLong(c, "SELECT count(*) FROM (SELECT 1 FROM " + tgt + " LIMIT 10000000) x", null) : 0;
        double bf, par;
        String rateSource;
        if (rows >= SAMPLE_ROWS) {
            double[] s = sample(c, src, k, v, keyType, valueType);
            bf = s[0];
            par = s[1];
            rateSource = "timed sample of the first " + SAMPLE_ROWS + " rows, single worker, in a rolled-back transaction:"
                    + " the backfill's copy into a temporary table (not WAL-logged, so optimistic) and the parity chunk query";
        } else {
            bf = DOC_BACKFILL_ROWS_PER_S;
            par = DOC_PARITY_ROWS_PER_S;
            rateSource = "documented single-worker rates (table smaller than the " + SAMPLE_ROWS + "-row sample)";
        }
        Facts f = new Facts(r.source().table() + "." + r.source().column(), r.target().table() + "." + r.target().column(),
                keyType, valueType, rows, exact, bytes, nullFrac, targetExists, targetRows, bf, par, rateSource, workers);
        List<String> gates = new ArrayList<>(gates(r));
        String refused = writesRefused(c, src, r.keyColumn(), r.source().column());
        if (refused != null) {
            gates.add(0, refused);
        }
        return new Plan(spec, f, steps(r, spec, SqlNames.of(c, spec), f, url), gates);
    }

    /** {backfill rows/s, parity rows/s}, measured inside a transaction that is rolled back. */
    private static double[] sample(Connection c, String src, String k, String v, String keyType, String valueType) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL lock_timeout = '1s'");
            s.execute("SET LOCAL statement_timeout = '30s'");
            s.execute("CREATE TEMP TABLE dw_plan_sample (k " + keyType + " NOT NULL, v " + valueType + " NOT NULL,"
                    + " p boolean NOT NULL DEFAULT false) ON COMMIT DROP");
            s.execute("CREATE UNIQUE INDEX ON dw_plan_sample (k) WHERE p");
            // warm the pages both measurements read
            s.execute("SELECT count(" + v + ") FROM (SELECT " + v + " FROM " + src + " LIMIT " + SAMPLE_ROWS + ") x");
            s.execute("SELECT count(" + v + ") FROM (SELECT " + v + " FROM " + src + " ORDER BY " + k + " LIMIT " + SAMPLE_ROWS + ") x");
            long t0 = System.nanoTime();
            // the backfill's copy: the first pages, unlocked, a plain insert into a table with the partial unique index
            s.execute("INSERT INTO dw_plan_sample (k, v, p) SELECT k, v, true FROM (SELECT " + k + " AS k, " + v + " AS v FROM "
                    + src + " LIMIT " + SAMPLE_ROWS + ") b WHERE v IS NOT NULL");
            double bfSecs = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            s.execute("SELECT count(*), sum(hashtext(" + k + "::text || '|' || " + v + "::text)) FROM (SELECT " + k + ", " + v
                    + " FROM " + src + " ORDER BY " + k + " LIMIT " + SAMPLE_ROWS + ") u WHERE " + v + " IS NOT NULL");
            s.execute("SELECT count(*), sum(hashtext(k::text || '|' || v::text)) FROM dw_plan_sample WHERE p");
            double parSecs = (System.nanoTime() - t0) / 1e9;
            return new double[] {SAMPLE_ROWS / Math.max(bfSecs, 1e-6), SAMPLE_ROWS / Math.max(parSecs, 1e-6)};
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    private static List<Step> steps(ExpandRequest r, MigrationSpec spec, SqlNames q, Facts f, String url) {
        String name = spec.name();
        // every command as the shell takes it back, every name in the SQL quoted: the runbook is pasted, not read
        String src = spec.sourceTable(), col = spec.sourceColumn(), tgt = spec.targetTable(); // for the prose
        String nameLiteral = Identifiers.literal(name);
        double bfSecs = f.rows() / Math.max(1, f.backfillRowsPerSecond());
        double bfParallel = bfSecs / Math.max(1, f.workers());
        double parSecs = f.rows() / Math.max(1, f.parityRowsPerSecond());
        String live = "SELECT count(*) FROM dualwrite.instance WHERE heartbeat_at > now() - interval '15 seconds'"
                + " AND applied->>" + nameLiteral + " IS DISTINCT FROM '%s'";
        // what dualwrite parity counts: differing values plus orphaned primary target rows (a deleted source row)
        String parityQuery = "SELECT (SELECT count(*) FROM " + q.source() + " u LEFT JOIN " + q.target() + " e ON e." + q.targetKey()
                + " = u." + q.key() + " AND e." + q.primaryFlag() + " WHERE u." + q.value() + " IS DISTINCT FROM e." + q.targetValue()
                + ") + (SELECT count(*) FROM " + q.target() + " e WHERE e." + q.primaryFlag() + " AND NOT EXISTS (SELECT 1 FROM "
                + q.source() + " u WHERE u." + q.key() + " = e." + q.targetKey() + "))";
        List<Step> s = new ArrayList<>();
        s.add(new Step(1, "Expand: create `" + tgt + "`, its unique partial index, the control schema; register the migration (EXPANDED)",
                ShellCommand.dualwrite("expand", "--url", url, "--source", r.source().written(), "--key",
                        QualifiedName.written(r.keyColumn()), "--target", r.target().written(), "--target-key",
                        QualifiedName.written(r.targetKeyColumn()), "--primary-flag", QualifiedName.written(r.primaryFlagColumn())),
                "SELECT phase FROM dualwrite.migration WHERE name = " + nameLiteral, "`EXPANDED`",
                "`DROP TABLE " + q.target() + "` (nothing reads or writes it yet)",
                f.targetExists() && f.targetRows() > 0 ? "index built CONCURRENTLY over " + f.targetRows() + " existing rows: ~"
                        + human(f.targetRows() / 500_000.0 + 1) : "< 1 s", "source key is unique (expand checks)"));
        s.add(new Step(2, "Deploy the application with the `jdbc:dualwrite:postgresql://…` URL (nothing changes in EXPANDED)",
                "(deploy; the URL is the only change)",
                "SELECT count(*) FROM dualwrite.instance WHERE heartbeat_at > now() - interval '15 seconds'",
                "= number of application instances", "redeploy with the plain `jdbc:postgresql:` URL", "one rolling deploy",
                "every instance heartbeats; error rate unchanged"));
        s.add(new Step(3, "Dual write: old column and `" + tgt + "` written atomically by every instance",
                ShellCommand.onMigration(url, name, "phase", "DUAL_WRITE"),
                String.format(live, "DUAL_WRITE"), "`0` (every live instance applies DUAL_WRITE)",
                "`" + ShellCommand.onMigration(url, name, "phase", "EXPANDED") + "`", "< 1 s (instances are notified; they also poll every 500 ms)",
                "all instances acknowledge; write latency +~80 µs per statement (DESIGN baselines)"));
        s.add(new Step(4, "Backfill existing rows (page ranges in parallel, COPY, checkpointed; adaptive ~200 ms batches)",
                ShellCommand.onMigration(url, name, "backfill", "--workers", String.valueOf(f.workers())),
                "SELECT completed_at IS NOT NULL FROM dualwrite.backfill_checkpoint WHERE migration = " + nameLiteral,
                "`true`", "`" + ShellCommand.onMigration(url, name, "backfill", "--pause") + "`; then phase EXPANDED and `TRUNCATE " + q.target()
                        + "` (nothing reads it before READ_NEW); a killed run resumes from its checkpoints",
                "~" + human(bfSecs) + " with 1 worker, ~" + human(bfParallel) + " with " + f.workers()
                        + " workers if the server has the cores idle",
                "replica lag stays low (`--max-replica-lag`), app p99 latency unchanged; `--pause` if not"));
        s.add(new Step(5, "Parity: chunked count+hash, offending keys re-checked under lock",
                ShellCommand.onMigration(url, name, "parity"), parityQuery, "`0` (and exit code 0)",
                "read-only; on drift: `" + ShellCommand.onMigration(url, name, "parity", "--repair") + "`, then investigate",
                "~" + human(parSecs) + " (1 worker)", "**go/no-go for READ_NEW: parity = 0**"));
        s.add(new Step(6, "Read new: reads served from `" + tgt + "`, writes still to both",
                ShellCommand.onMigration(url, name, "phase", "READ_NEW"), String.format(live, "READ_NEW"), "`0`",
                "`" + ShellCommand.onMigration(url, name, "phase", "DUAL_WRITE") + "` (instant: the old column is still complete)", "< 5 s",
                "backfill complete AND parity 0 AND all instances on DUAL_WRITE (the command checks); roll back on drift or"
                        + " error rate > 1 %"));
        String untranslatable = "SELECT count(*) FROM dualwrite.statement_evidence WHERE migration = " + nameLiteral + " AND NOT translatable"
                + " AND last_seen > now() - interval '24 hours'";
        String backToReadNew = "`" + ShellCommand.onMigration(url, name, "phase", "READ_NEW") + "`";
        String reverseSync = "`" + ShellCommand.onMigration(url, name, "reverse-sync") + "`";
        String rollbackNewOnly = reverseSync + " (a mirror trigger keeps the old column in step from its"
                + " first moment, batches fill the rest, parity must be 0), then " + backToReadNew;
        s.add(new Step(7, "Soak in READ_NEW, then new only: the old column is no longer written, every statement naming it is"
                        + " translated to `" + tgt + "` by the driver",
                ShellCommand.dualwrite("status", "--url", url, "--statements") + "   # nothing untranslatable; then: "
                        + ShellCommand.onMigration(url, name, "phase", "NEW_ONLY"),
                untranslatable + "; " + String.format(live, "NEW_ONLY"), "`0`; `0` (every live instance applies NEW_ONLY)",
                rollbackNewOnly, "soak: one release cycle (e.g. 24 h+)",
                "parity 0, every instance on READ_NEW, no untranslatable statement seen in the soak window, `" + col
                        + "` nullable or with a default, each unique index and CHECK on `" + col + "` with its twin on `" + tgt
                        + "` (the command checks each, and builds the twins first), no trigger on `" + src + "` that reads or"
                        + " sets `NEW." + col + "`, no view, policy, rule, generated column or foreign key reading `" + col + "`"));
        s.add(new Step(8, "Contract: drop `" + src + "." + col + "` (lock_timeout 2 s, retried); the driver goes on translating",
                ShellCommand.onMigration(url, name, "contract", "--soak", "24h", "--dry-run") + "   # then without --dry-run",
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = " + Identifiers.literal(spec.sourceSchema())
                        + " AND table_name = " + Identifiers.literal(spec.sourceTable()) + " AND column_name = "
                        + Identifiers.literal(spec.sourceColumn()),
                "`0`; phase `CONTRACTED`",
                "no backup needed: " + reverseSync + " re-adds `" + col + "` (recorded type and collation; now"
                        + " the last column) and fills it, moving CONTRACTED → NEW_ONLY; then " + backToReadNew + ","
                        + " then the commands it printed (the column's NOT NULL, default, unique indexes, CHECKs)",
                "< 1 s once the lock is granted",
                "phase NEW_ONLY, soak passed, every instance on NEW_ONLY, no untranslatable statement in the soak"
                        + " window, no view, trigger, policy or foreign key of yours on the column (`--dry-run` shows each"
                        + " verdict); no parity: the new table is the truth in NEW_ONLY"));
        return s;
    }

    /**
     * The migration's names for the runbook's SQL, quoted where PostgreSQL needs it ({@code quote_ident}, so the seed
     * example reads as written by hand and {@code "My Users"} still works); a table outside public qualified.
     */
    private record SqlNames(String source, String key, String value, String target, String targetKey, String targetValue,
                            String primaryFlag) {

        static SqlNames of(Connection c, MigrationSpec spec) throws SQLException {
            return new SqlNames(table(c, spec.sourceSchema(), spec.sourceTable()), ident(c, spec.keyColumn()),
                    ident(c, spec.sourceColumn()), table(c, spec.targetSchema(), spec.targetTable()),
                    ident(c, spec.targetKeyColumn()), ident(c, spec.targetValueColumn()), ident(c, spec.primaryFlagColumn()));
        }

        private static String table(Connection c, String schema, String table) throws SQLException {
            return (schema.equals("public") ? "" : ident(c, schema) + ".") + ident(c, table);
        }

        private static String ident(Connection c, String name) throws SQLException {
            return Queries.strings(c, "SELECT quote_ident(?)", name).get(0);
        }
    }

    /**
     * The relations through which the application may write the source's rows under another name, whose writes the
     * driver refuses from DUAL_WRITE on ({@link SourceRelatives}), as a gate before DUAL_WRITE; null when there are none.
     */
    private static String writesRefused(Connection c, String src, String key, String column) throws SQLException {
        List<String> descendants = names(SourceRelatives.descendants(c, src));
        Set<RelationName> columnRules = SourceRelatives.columnRules(c, src, column);
        List<String> ruled = names(columnRules);
        List<String> views = names(SourceRelatives.views(c, src, key, column, columnRules).stream().map(SourceView::view)
                .toList());
        if (descendants.isEmpty() && ruled.isEmpty() && views.isEmpty()) {
            return null;
        }
        return "Before DUAL_WRITE: move to " + src + " itself the writes the application sends to relations that reach"
                + " its rows under another name; from DUAL_WRITE on the driver refuses them (`0A000`, nothing written)"
                + (descendants.isEmpty() ? "" : ": partitions, inheritance children and parents "
                        + String.join(", ", descendants)
                        + " (an INSERT, DELETE, MERGE, TRUNCATE or COPY into them, an UPDATE of the column or the key, DDL;"
                        + " from NEW_ONLY on also reads of the column there)")
                + (ruled.isEmpty() ? "" : (descendants.isEmpty() ? ": " : "; ") + "views over the column and relations"
                        + " with a rule on it or inserting or deleting its rows " + String.join(", ", ruled)
                        + " (any INSERT, UPDATE, DELETE or MERGE)")
                + (views.isEmpty() ? "" : (descendants.isEmpty() && ruled.isEmpty() ? ": " : "; ") + "other views over the"
                        + " table " + String.join(", ", views) + " (a DELETE until NEW_ONLY, an INSERT while the column"
                        + " has a default, an UPDATE of the key, MERGE; any write through one with INSTEAD OF triggers or"
                        + " rules)")
                + ".";
    }

    private static List<String> names(Collection<RelationName> relations) {
        return relations.stream().map(n -> Identifiers.quote(n.schema()) + "." + Identifiers.quote(n.name())).sorted().toList();
    }

    private static List<String> gates(ExpandRequest r) {
        return List.of(
                "Before DUAL_WRITE: every application instance runs the dualwrite driver (step 2 validation) and has read the"
                        + " migration: `dualwrite phase DUAL_WRITE` waits (`--wait`, 10 s) until every instance connected to the"
                        + " database applies EXPANDED, then refuses naming those that do not; an instance that keeps"
                        + " PreparedStatements across uses recycles its connections first: one prepared before it read the"
                        + " migration is refused (`0A000`, nothing written) wherever the migration would rewrite it, until it is"
                        + " prepared again.",
                "Before the backfill: every live instance acknowledges DUAL_WRITE (the backfill waits up to --ack-timeout, then refuses).",
                "Before READ_NEW: backfill complete, parity 0, all instances on DUAL_WRITE, the new table's value column of the old column's type (`dualwrite phase` refuses otherwise).",
                "Roll back READ_NEW at once on parity drift or an error-rate spike > 1 %.",
                "Before NEW_ONLY: parity 0 after a soak of at least one release cycle, every instance on READ_NEW, no untranslatable"
                        + " statement seen (`dualwrite status --statements`); each unique index and CHECK constraint on the old"
                        + " column gets its twin on the new table (`dualwrite phase NEW_ONLY` builds them without blocking writes;"
                        + " one that combines the column with another column has none and refuses the move); no trigger on the"
                        + " source table reads or sets the old column (move its logic to a trigger on the new table), and no"
                        + " view, policy, rule, generated column or foreign key reads it (they would read stale values).",
                "Before contract: phase NEW_ONLY for the soak, every instance on NEW_ONLY,"
                        + " no untranslatable statement in the soak window, nothing else in the database using the column"
                        + " (views, triggers, policies, foreign keys: recreate them on the new table; `dualwrite contract"
                        + " --dry-run` lists each verdict).",
                "Roll back NEW_ONLY or CONTRACTED with `dualwrite reverse-sync`, then `dualwrite phase READ_NEW`.");
    }

    public static String markdown(Plan p) {
        Facts f = p.facts();
        StringBuilder b = new StringBuilder();
        b.append("## Runbook: `").append(f.source()).append("` → `").append(f.target()).append("`\n\n");
        b.append(String.format(Locale.ROOT, "Live schema: `%s` has %s%,d rows (%s), key `%s`, value `%s`%s. Target %s.%n",
                f.source().substring(0, f.source().indexOf('.')), f.rowsExact() ? "" : "~", f.rows(), bytes(f.tableBytes()), f.keyType(),
                f.valueType(), f.nullFraction() >= 0 ? String.format(Locale.ROOT, ", %.1f %% NULL", 100 * f.nullFraction()) : "",
                f.targetExists() ? "exists (" + f.targetRows() + " rows)" : "does not exist yet"));
        b.append(String.format(Locale.ROOT, "Rates: backfill %,.0f rows/s, parity %,.0f rows/s per worker (%s).%n%n",
                f.backfillRowsPerSecond(), f.parityRowsPerSecond(), f.rateSource()));
        b.append("| # | step | command | validation | expected | rollback | est. duration | go/no-go |\n");
        b.append("|---|------|---------|------------|----------|----------|---------------|----------|\n");
        for (Step s : p.steps()) {
            b.append("| ").append(s.no()).append(" | ").append(cell(s.title())).append(" | `").append(cell(s.command())).append("` | `")
                    .append(cell(s.validation())).append("` | ").append(cell(s.expected())).append(" | ").append(cell(s.rollback()))
                    .append(" | ").append(cell(s.duration())).append(" | ").append(cell(s.gate())).append(" |\n");
        }
        b.append("\n**Go/no-go gates**\n\n");
        for (String g : p.gates()) {
            b.append("- ").append(g).append('\n');
        }
        return b.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    static String bytes(long n) {
        return n >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GB", n / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.1f MB", n / (double) (1L << 20));
    }

    public static String human(double seconds) {
        long s = Math.max(1, Math.round(seconds));
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + " s";
    }

    private static long queryLong(Connection c, String sql, String param) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            if (param != null) {
                p.setString(1, param);
            }
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
