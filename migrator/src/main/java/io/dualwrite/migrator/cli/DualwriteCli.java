package io.dualwrite.migrator.cli;

import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.UsageException;
import io.dualwrite.migrator.db.Connections;
import io.dualwrite.migrator.db.Retry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code dualwrite}: the companion CLI of the dualwrite driver. Exit codes: 0 success, 1 a check
 * failed or the operation was refused, 2 usage, connection or database error.
 */
@Command(name = "dualwrite", mixinStandardHelpOptions = true, version = "dualwrite migrator 0.1.0",
        description = "Zero-downtime expand/contract column migrations for PostgreSQL (companion of the"
                + " jdbc:dualwrite: driver).%nRunbook: plan -> expand -> phase DUAL_WRITE -> backfill -> parity -> phase READ_NEW -> (NEW_ONLY) -> contract; watch alongside.",
        footer = {"", "Exit codes: 0 success, 1 check failed or refused, 2 usage, connection or database error."})
public final class DualwriteCli implements Callable<Integer> {

    public static final int OK = 0;
    public static final int CHECK_FAILED = 1;
    public static final int USAGE = 2;

    /** The subcommands, in the order the usage help lists them. */
    private static final List<Class<?>> COMMANDS = List.of(PlanCommand.class, ExpandCommand.class, GrantCommand.class,
            PhaseCommand.class, BackfillCommand.class, ParityCommand.class, ShadowCommand.class, ReverseSyncCommand.class,
            ContractCommand.class, WatchCommand.class, StatusCommand.class, CommandLine.HelpCommand.class);

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        spec.commandLine().getErr().println("error: missing command");
        return USAGE;
    }

    /** Runs the CLI in-process, printing to System.out / System.err (passwords masked); returns the exit code. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new DualwriteCli());
        addCommands(cl, args);
        List<String> secrets = RedactingWriter.secretsOf(args, System.getenv("PGPASSWORD"));
        cl.setOut(new PrintWriter(new RedactingWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), secrets), true));
        cl.setErr(new PrintWriter(new RedactingWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), secrets), true));
        cl.setExecutionExceptionHandler(DualwriteCli::handle);
        boolean json = Arrays.asList(args).contains("--json");
        CommandLine.IParameterExceptionHandler parse = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((e, rest) -> {
            int code = parse.handleParseException(e, rest);
            if (json) {
                // the command line did not parse: the JSON promised on failure still reaches stdout
                e.getCommandLine().getOut().println(Json.write(Json.obj("ok", false, "exitCode", code, "error",
                        "error: " + e.getMessage())));
                e.getCommandLine().getOut().flush();
            }
            return code;
        });
        return cl.execute(args);
    }

    /**
     * Registers only the command being run when the first argument names one: picocli builds the model of every
     * registered command up front (reflection over all their options and ~650 classes loaded): measured 0.1-0.15 s of
     * CPU in a fresh JVM, taken from the short CLI run of a backfill (benchmarks/scripts/cli-backfill.sh). Anything
     * else (no command, {@code --help}, {@code help}, a typo) gets them all, so the usage help, {@code help COMMAND}
     * and picocli's suggestions know every command.
     */
    private static void addCommands(CommandLine cl, String[] args) {
        List<Class<?>> run = COMMANDS.stream()
                .filter(c -> c != CommandLine.HelpCommand.class && args.length > 0 && name(c).equals(args[0])).toList();
        (run.isEmpty() ? COMMANDS : run).forEach(cl::addSubcommand);
    }

    private static String name(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    public static void main(String[] args) {
        EarlyConnection.start(args, System.getenv());
        System.exit(execute(args));
    }

    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        int code;
        String message;
        if (e instanceof RefusedException) {
            code = CHECK_FAILED;
            message = "refused: " + e.getMessage();
        } else if (e instanceof UsageException || e instanceof IllegalArgumentException) {
            code = USAGE;
            message = "error: " + e.getMessage();
        } else if (e instanceof Retry.GaveUpException) {
            code = USAGE;
            message = "error: " + e.getMessage();
        } else if (e instanceof SQLException s) {
            code = USAGE;
            message = "42704".equals(s.getSQLState()) ? "error: " + s.getMessage()
                    : Connections.isConnectionLoss(s)
                    ? "error: lost the connection to the database: " + s.getMessage() + " (SQLState " + s.getSQLState()
                    + "). Everything committed so far is kept; run the same command again (a backfill resumes after its"
                    + " last committed batch)."
                    : "error: the database refused a statement: " + s.getMessage() + " (SQLState " + s.getSQLState() + ")";
        } else {
            code = USAGE;
            message = "internal error: " + e + " (set DUALWRITE_DEBUG=1 for the stack trace)";
            if (System.getenv("DUALWRITE_DEBUG") != null) {
                e.printStackTrace(err);
            }
        }
        err.println(message);
        err.flush();
        Object command = cmd.getCommand();
        if (command instanceof BaseCommand b && b.connection != null && b.connection.json) {
            cmd.getOut().println(Json.write(Json.obj("ok", false, "exitCode", code, "error", message)));
            cmd.getOut().flush();
        }
        return code;
    }
}
