package io.dualwrite.migrator.cli;

import io.dualwrite.control.ControlGrants;
import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.MigrationState;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.UsageException;
import io.dualwrite.rewriter.MigrationSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.util.List;

@Command(name = "grant", mixinStandardHelpOptions = true,
        description = {"Prints the GRANT and REVOKE statements of the least-privilege setup: the application's role may run"
                + " the dual writes, heartbeat and read the phase, but not change it; the operator role changes phases through"
                + " the gates. With --apply runs them, in one transaction, as the connecting role (the control schema's owner).",
                "Covers every registered migration; run it after dualwrite expand, and again after each new migration."})
final class GrantCommand extends BaseCommand {

    @Option(names = "--app-role", required = true, paramLabel = "ROLE", description = "The role the application logs in as.")
    String appRole;

    @Option(names = "--operator-role", paramLabel = "ROLE", description = "A role that changes phases, other than the"
            + " control schema's owner (default: the owner, who needs no grant).")
    String operatorRole;

    @Option(names = "--apply", description = "Run the statements (all or none), after checking that they give least privilege.")
    boolean apply;

    @Override
    public Integer call() throws Exception {
        try (Connection c = connection.open("dualwrite-grant")) {
            // every registered migration: the REVOKE covers the whole control schema, so a grant for one would take
            // the others' sync views away
            List<MigrationSpec> specs = ControlSchema.load(c).stream().map(MigrationState::spec).toList();
            if (specs.isEmpty()) {
                throw new UsageException("no migration is registered: run dualwrite expand first, then dualwrite grant");
            }
            List<String> statements = ControlGrants.statements(specs, appRole, operatorRole);
            List<String> problems = ControlGrants.problems(c, appRole, operatorRole);
            if (apply && !problems.isEmpty()) {
                throw new RefusedException("nothing was granted: " + String.join("; ", problems));
            }
            if (apply) {
                ControlGrants.apply(c, statements);
            }
            if (json()) {
                printJson(Json.obj("ok", true, "applied", apply, "statements", statements.stream()
                        .filter(s -> !s.startsWith("--")).toList(), "problems", problems));
                return DualwriteCli.OK;
            }
            for (String s : statements) {
                out().println(s.startsWith("--") ? s : s + ";");
            }
            for (String p : problems) {
                err().println("warning: " + p);
            }
            if (apply) {
                out().println("-- applied in one transaction");
            }
            out().flush();
            return DualwriteCli.OK;
        }
    }
}
