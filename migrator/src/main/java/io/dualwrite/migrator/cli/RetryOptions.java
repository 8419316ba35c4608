package io.dualwrite.migrator.cli;

import io.dualwrite.migrator.db.Retry;
import picocli.CommandLine.Option;

import java.util.function.Consumer;

/** --retry-for, shared by the long-running commands (backfill, parity, reverse-sync, contract). */
final class RetryOptions {

    @Option(names = "--retry-for", paramLabel = "DURATION", defaultValue = "5m",
            description = "Ride out transient faults (connection lost or terminated, server restart or not yet accepting"
                    + " connections, serialization failure or deadlock) for up to this long without progress: reconnect"
                    + " with capped exponential backoff and resume from the checkpoint, saying so on the progress line;"
                    + " then give up with exit 2 (everything committed is kept). 0 = give up at the first fault."
                    + " Default: ${DEFAULT-VALUE}.")
    String retryFor;

    Retry retry(Consumer<String> log) {
        return new Retry(ContractCommand.parseDuration(retryFor, "--retry-for"), log);
    }
}
