package io.dualwrite.migrator.cli;

import io.dualwrite.control.ControlGrants;
import io.dualwrite.migrator.ShellCommand;
import io.dualwrite.migrator.UsageException;
import io.dualwrite.migrator.expand.ExpandRequest;
import io.dualwrite.migrator.plan.MigrationPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Reads the live schema and row counts and prints the runbook of one migration: every step with its"
                + " exact command, validation query and expected result, rollback, estimated duration (from a timed sample of"
                + " the backfill and parity statements on the first 20,000 keys, in a rolled-back transaction) and go/no-go"
                + " gates. Changes nothing."})
final class PlanCommand extends BaseCommand {

    @Option(names = "--source", required = true, paramLabel = "[SCHEMA.]TABLE.COLUMN", description = "The column that moves, e.g. users.email.")
    String source;

    @Option(names = "--target", required = true, paramLabel = "[SCHEMA.]TABLE.COLUMN", description = "e.g. email_address.address.")
    String target;

    @Option(names = "--key", defaultValue = "id", paramLabel = "COLUMN", description = "Source key. Default: ${DEFAULT-VALUE}.")
    String key;

    @Option(names = "--target-key", paramLabel = "COLUMN", description = "Default: <source table without trailing s>_id, e.g. user_id.")
    String targetKey;

    @Option(names = "--primary-flag", defaultValue = "is_primary", paramLabel = "COLUMN", description = "Default: ${DEFAULT-VALUE}.")
    String primaryFlag;

    @Option(names = "--format", defaultValue = "markdown", paramLabel = "FORMAT", description = "markdown (default) or json.")
    String format;

    @Option(names = "--workers", paramLabel = "N", description = "Backfill workers to plan for. Default: the number of cores.")
    Integer workers;

    @Option(names = "--app-role", defaultValue = "app", paramLabel = "ROLE",
            description = "The application's role, for the grants the plan shows. Default: ${DEFAULT-VALUE}.")
    String appRole;

    @Option(names = "--operator-role", paramLabel = "ROLE",
            description = "An operator role other than the control schema's owner, for the grants the plan shows.")
    String operatorRole;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("markdown") && !format.equals("json")) {
            throw new UsageException("--format must be markdown or json, got " + format);
        }
        String tk = targetKey;
        if (tk == null) {
            String table = source.contains(".") ? source.substring(0, source.lastIndexOf('.')) : source;
            table = table.substring(table.lastIndexOf('.') + 1);
            tk = (table.endsWith("s") ? table.substring(0, table.length() - 1) : table) + "_id";
        }
        ExpandRequest r = ExpandRequest.parse(source, key, target, tk, primaryFlag);
        try (Connection c = connection.open("dualwrite-plan")) {
            MigrationPlan.Plan p = MigrationPlan.build(c, r, connection.displayUrl(),
                    workers != null ? workers : Runtime.getRuntime().availableProcessors());
            List<String> grants = ControlGrants.statements(List.of(p.spec()), appRole, operatorRole);
            if (json() || format.equals("json")) {
                MigrationPlan.Facts f = p.facts();
                List<Map<String, Object>> steps = new ArrayList<>();
                for (MigrationPlan.Step s : p.steps()) {
                    steps.add(Json.obj("no", s.no(), "title", s.title(), "command", s.command(), "validation", s.validation(),
                            "expected", s.expected(), "rollback", s.rollback(), "duration", s.duration(), "gate", s.gate()));
                }
                printJson(Json.obj("ok", true, "source", f.source(), "target", f.target(), "keyType", f.keyType(),
                        "valueType", f.valueType(), "rows", f.rows(), "rowsExact", f.rowsExact(), "tableBytes", f.tableBytes(),
                        "nullFraction", f.nullFraction(), "targetExists", f.targetExists(), "targetRows", f.targetRows(),
                        "backfillRowsPerSecond", f.backfillRowsPerSecond(), "parityRowsPerSecond", f.parityRowsPerSecond(),
                        "rateSource", f.rateSource(), "workers", f.workers(), "steps", steps, "gates", p.gates(),
                        "grants", grants.stream().filter(g -> !g.startsWith("--")).toList()));
            } else {
                out().print(MigrationPlan.markdown(p));
                out().print(grantsMarkdown(grants));
                out().flush();
            }
            return DualwriteCli.OK;
        }
    }

    /** The least-privilege grants, as {@code dualwrite grant --apply} runs them after expand. */
    private String grantsMarkdown(List<String> grants) {
        List<String> grant = new ArrayList<>(List.of("grant", "--url", connection.displayUrl(), "--app-role", appRole));
        if (operatorRole != null) {
            grant.addAll(List.of("--operator-role", operatorRole));
        }
        grant.add("--apply");
        StringBuilder b = new StringBuilder("\n**Roles** (after step 1, as the operator: `")
                .append(ShellCommand.dualwrite(grant.toArray(String[]::new)))
                .append("`; the application then logs in as `").append(appRole).append("`)\n\n```sql\n");
        for (String g : grants) {
            b.append(g.startsWith("--") ? g : g + ";").append('\n');
        }
        return b.append("```\n").toString();
    }
}
