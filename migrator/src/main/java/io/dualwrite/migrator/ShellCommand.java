package io.dualwrite.migrator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A command line the CLI prints for the operator to paste into a POSIX shell (next steps, rollbacks, the runbook):
 * each word quoted where the shell would split, expand or glob it, so that a migration named
 * {@code "app.v2"."My Users".email}, a URL with {@code password=***} or a name with a quote in it arrives as the one
 * argument it was.
 */
public final class ShellCommand {

    private ShellCommand() {
    }

    /** {@code dualwrite} and its arguments, each quoted where needed, joined by spaces. */
    public static String dualwrite(String... args) {
        return Stream.concat(Stream.of("dualwrite"), Arrays.stream(args)).map(ShellCommand::quote)
                .collect(Collectors.joining(" "));
    }

    /** {@code dualwrite VERB --url URL --migration MIGRATION MORE…}, each word quoted where needed. */
    public static String onMigration(String url, String migration, String verb, String... more) {
        List<String> words = new ArrayList<>(List.of(verb, "--url", url, "--migration", migration));
        words.addAll(List.of(more));
        return dualwrite(words.toArray(String[]::new));
    }

    /**
     * {@code word} as one POSIX shell word: as it is when it holds only characters no shell treats specially, else in
     * single quotes, inside which only the quote itself needs care ({@code '\''}).
     */
    public static String quote(String word) {
        if (word.matches("[A-Za-z0-9_./:@=,+-]+") && !word.startsWith("=")) { // zsh expands a leading =
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
