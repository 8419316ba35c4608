package io.dualwrite.migrator.cli;

import io.dualwrite.migrator.ShellCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.concurrent.Callable;

/** What every subcommand shares: connection options, --json, output streams. */
abstract class BaseCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    boolean json() {
        return connection.json;
    }

    void printJson(Object value) {
        out().println(Json.write(value));
        out().flush();
    }

    /** A line among the progress lines, such as a fault and the reconnect (stderr with --json: stdout is the JSON). */
    void progressLine(String line) {
        PrintWriter w = json() ? err() : out();
        w.println("  " + line);
        w.flush();
    }

    static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            String h = System.getenv("HOSTNAME");
            return h != null ? h : "unknown-host";
        }
    }

    /** {@code dualwrite VERB --url <this run's URL> --migration MIGRATION MORE…}, as a shell takes it back. */
    String dualwrite(String verb, String migration, String... more) {
        return ShellCommand.onMigration(connection.displayUrl(), migration, verb, more);
    }
}
