package io.dualwrite.migrator.cli;

import io.dualwrite.migrator.parity.Mismatch;
import io.dualwrite.migrator.parity.ParityCheck;
import io.dualwrite.migrator.parity.ParityResult;
import io.dualwrite.driver.control.ControlSchema;
import io.dualwrite.rewriter.MigrationSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

@Command(name = "parity", mixinStandardHelpOptions = true,
        description = {"Counts rows whose old column differs from the primary target row, plus orphaned primary rows,"
                + " in one REPEATABLE READ snapshot. Exit 0 only when the count is 0, else 1."})
final class ParityCommand extends BaseCommand {

    @Option(names = "--migration", required = true, paramLabel = "NAME", description = "The migration, e.g. users.email.")
    String migration;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "10", description = "Show up to N offending keys. Default: ${DEFAULT-VALUE}.")
    int limit;

    @Override
    public Integer call() throws Exception {
        try (Connection c = connection.open("dualwrite-parity")) {
            MigrationSpec spec = ControlSchema.require(c, migration).spec();
            ParityResult r = ParityCheck.run(c, spec, Math.max(0, limit));
            int code = r.clean() ? DualwriteCli.OK : DualwriteCli.CHECK_FAILED;
            if (json()) {
                List<Map<String, Object>> samples = new ArrayList<>();
                for (Mismatch m : r.samples()) {
                    samples.add(Json.obj("key", m.key(), "source", m.sourceValue(), "target", m.targetValue(), "kind", m.kind()));
                }
                printJson(Json.obj("ok", r.clean(), "migration", migration, "mismatches", r.mismatches(), "orphans", r.orphans(),
                        "sourceRows", r.sourceRows(), "seconds", r.seconds(), "samples", samples));
                return code;
            }
            String src = spec.sourceTable() + "." + spec.sourceColumn();
            String tgt = spec.targetTable() + "." + spec.targetValueColumn();
            out().println(String.format(Locale.ROOT, "parity %s: %d mismatches%s in %,d source rows (%.2f s)", migration,
                    r.mismatches(), r.orphans() > 0 ? " (" + r.orphans() + " orphaned target rows)" : "", r.sourceRows(), r.seconds()));
            for (Mismatch m : r.samples()) {
                out().println("  " + spec.keyColumn() + "=" + m.key() + "  " + src + "=" + show(m.sourceValue(), m.kind() == Mismatch.Kind.ORPHAN)
                        + "  " + tgt + "=" + show(m.targetValue(), false));
            }
            if (r.mismatches() > r.samples().size() && limit > 0) {
                out().println("  … " + (r.mismatches() - r.samples().size()) + " more (--limit)");
            }
            return code;
        }
    }

    private static String show(String v, boolean missingRow) {
        if (missingRow) {
            return "(no row)";
        }
        return v == null ? "NULL" : "'" + v.replace("'", "''") + "'";
    }
}
