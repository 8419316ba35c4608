package io.dualwrite.migrator.cli;

import io.dualwrite.migrator.expand.ExpandRequest;
import io.dualwrite.migrator.expand.ExpandResult;
import io.dualwrite.migrator.expand.Expander;
import io.dualwrite.rewriter.Phase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.sql.Connection;

@Command(name = "expand", mixinStandardHelpOptions = true,
        description = {"Creates the target table (if absent), its unique index on the target key WHERE the primary flag,"
                + " the control schema, and registers the migration in phase EXPANDED. Additive and idempotent.",
                "Example: dualwrite expand --url jdbc:postgresql://localhost/app --source users.email --key id"
                        + " --target email_address.address --target-key user_id --primary-flag is_primary"})
final class ExpandCommand extends BaseCommand {

    @Option(names = "--source", required = true, paramLabel = "[SCHEMA.]TABLE.COLUMN", description = "The column that moves, e.g. users.email.")
    String source;

    @Option(names = "--key", required = true, paramLabel = "COLUMN", description = "The source table's unique key, e.g. id.")
    String key;

    @Option(names = "--target", required = true, paramLabel = "[SCHEMA.]TABLE.COLUMN",
            description = "Target table and value column, e.g. email_address.address (schema defaults to the source's).")
    String target;

    @Option(names = "--target-key", required = true, paramLabel = "COLUMN", description = "Target column holding the source key, e.g. user_id.")
    String targetKey;

    @Option(names = "--primary-flag", required = true, paramLabel = "COLUMN",
            description = "Boolean target column marking the row that mirrors the old column, e.g. is_primary.")
    String primaryFlag;

    @Override
    public Integer call() throws Exception {
        ExpandRequest request = ExpandRequest.parse(source, key, target, targetKey, primaryFlag);
        try (Connection c = connection.open("dualwrite-expand")) {
            ExpandResult r = Expander.expand(c, request, err()::println);
            String name = r.spec().name();
            if (json()) {
                printJson(Json.obj("ok", true, "migration", name, "phase", r.phase(), "alreadyExpanded", r.alreadyExpanded(),
                        "createdTable", r.createdTable(), "createdIndex", r.createdIndex(), "index", r.indexName(),
                        "syncView", "dualwrite." + r.spec().syncView(), "actions", r.actions()));
                return DualwriteCli.OK;
            }
            if (r.alreadyExpanded()) {
                out().println(name + " is already expanded (phase " + r.phase() + "); nothing to do.");
            } else {
                for (String a : r.actions()) {
                    out().println("  " + a);
                }
                out().println(name + " expanded: phase " + r.phase() + ".");
            }
            if (r.phase() == Phase.EXPANDED) {
                out().println("next: " + dualwrite("phase", name, "DUAL_WRITE"));
            }
            return DualwriteCli.OK;
        }
    }
}
