package io.dualwrite.migrator.cli;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.migrator.UsageException;
import io.dualwrite.rewriter.Phase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.sql.SQLException;

import static io.dualwrite.control.phase.PhaseTransitions.Operation.SHADOW_READS;

@Command(name = "shadow", mixinStandardHelpOptions = true,
        description = {"Sets the share of reads that every driver instance, in DUAL_WRITE, also runs against the target table"
                + " and compares with the old column (SHADOW reads; counted in the JMX attribute ShadowMismatches).",
                "The application is always served the old column. 0 turns shadow reads off."})
final class ShadowCommand extends BaseCommand {

    @Option(names = "--migration", required = true, paramLabel = "NAME", description = "The migration, e.g. users.email.")
    String migration;

    @Option(names = "--rate", required = true, paramLabel = "SHARE", description = "0 to 1: 0.01 compares 1 %% of reads.")
    double rate;

    @Override
    public Integer call() throws Exception {
        if (!(rate >= 0 && rate <= 1)) {
            throw new UsageException("--rate must be between 0 and 1 (0.01 = 1 % of reads), got " + rate);
        }
        try (Connection c = connection.open("dualwrite-shadow")) {
            Phase phase;
            try {
                phase = ControlSchema.require(c, migration).phase();
            } catch (SQLException e) {
                if ("42704".equals(e.getSQLState())) {
                    throw new UsageException(e.getMessage());
                }
                throw e;
            }
            ControlSchema.setShadowSampleRate(c, migration, rate);
            if (json()) {
                printJson(Json.obj("ok", true, "migration", migration, "shadowSampleRate", rate, "phase", phase));
            } else {
                out().println(migration + ": shadow reads " + (rate == 0 ? "off" : "on for " + rate * 100 + " % of reads")
                        + (rate > 0 && !SHADOW_READS.runsIn(phase) ? " (" + SHADOW_READS.refusalIn(phase) + ")" : ""));
            }
            return DualwriteCli.OK;
        }
    }
}
