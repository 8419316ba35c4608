package io.dualwrite.migrator.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every command the CLI prints for the operator to run (the plan's runbook, each command's next step, rollback and
 * repair line) is pasted into a POSIX shell ({@code /bin/sh} splits it) and run, for a migration whose name has a
 * dot inside a quoted schema, spaces and a single quote: {@code "app.v2".My Users.it's e-mail}.
 */
@ExtendWith(PostgresExtension.class)
class PastedCommandsTest {

    private static final String MIGRATION = "\"app.v2\".My Users.it's e-mail";

    @Test
    void everyPrintedCommandRunsAsPrintedForANameThatNeedsQuoting(TestDatabase db) throws Exception {
        db.execute("CREATE SCHEMA \"app.v2\"");
        db.execute("CREATE TABLE \"app.v2\".\"My Users\" (\"Id\" bigint PRIMARY KEY, \"it's e-mail\" text)");
        db.execute("INSERT INTO \"app.v2\".\"My Users\" SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 50) g");

        Run plan = Fixtures.cli("plan", "--url", db.jdbcUrl(), "--user", db.user(), "--source",
                "\"app.v2\".\"My Users\".it's e-mail", "--key", "\"Id\"", "--target", "\"app.v2\".\"Mail Box\".\"Address\"",
                "--target-key", "\"Owner\"", "--primary-flag", "primary", "--format", "json");
        assertThat(plan.code()).as(plan.toString()).isZero();
        JsonArray steps = JsonParser.parseString(plan.out()).getAsJsonObject().getAsJsonArray("steps");
        String expand = steps.get(0).getAsJsonObject().get("command").getAsString();
        assertThat(expand).contains("--source '\"app.v2\".\"My Users\".it'\\''s e-mail'", "--key '\"Id\"'");

        Run expanded = pasted(db, expand);
        assertThat(expanded.code()).as(expanded.toString()).isZero();
        assertThat(expanded.out()).contains("expanded: phase EXPANDED");
        assertThat(db.queryString("SELECT string_agg(name, ',') FROM dualwrite.migration")).isEqualTo(MIGRATION);
        assertThat(db.queryString(steps.get(0).getAsJsonObject().get("validation").getAsString())).isEqualTo("EXPANDED");

        Run dualWrite = pasted(db, line(expanded.out(), "next: "));
        assertThat(dualWrite.code()).as(dualWrite.toString()).isZero();
        assertThat(dualWrite.out()).contains(MIGRATION + ": EXPANDED -> DUAL_WRITE");
        // the way back is pasteable too (run it, then forward again with the plan's own step 3)
        assertThat(pasted(db, line(dualWrite.out(), "rollback: ")).code()).isZero();
        Run step3 = pasted(db, steps.get(2).getAsJsonObject().get("command").getAsString());
        assertThat(step3.code()).as(step3.toString()).isZero();

        Run backfill = pasted(db, line(step3.out(), "next: once every application instance applies DUAL_WRITE, run "));
        assertThat(backfill.code()).as(backfill.toString()).isZero();
        assertThat(backfill.out()).contains("backfill of " + MIGRATION + " complete");
        Run parity = pasted(db, line(backfill.out(), "next: "));
        assertThat(parity.code()).as(parity.toString()).isZero();
        assertThat(db.queryLong(steps.get(4).getAsJsonObject().get("validation").getAsString())).isZero();

        db.execute("UPDATE \"app.v2\".\"Mail Box\" SET \"Address\" = 'stale' WHERE \"Owner\" = 7");
        Run drift = pasted(db, steps.get(4).getAsJsonObject().get("command").getAsString());
        assertThat(drift.code()).as(drift.toString()).isEqualTo(1);
        Run repair = pasted(db, line(drift.out(), "repair: "));
        assertThat(repair.code()).as(repair.toString()).isZero();
        assertThat(repair.out()).contains("0 mismatches");
    }

    /** The text after {@code prefix} on the output's line that starts with it. */
    private static String line(String out, String prefix) {
        Matcher m = Pattern.compile("^" + Pattern.quote(prefix) + "(.*)$", Pattern.MULTILINE).matcher(out);
        assertThat(m.find()).as("a line starting with '" + prefix + "' in:\n" + out).isTrue();
        return m.group(1);
    }

    /** Runs {@code command} as a POSIX shell splits it (its {@code dualwrite} replaced by the in-process CLI). */
    private static Run pasted(TestDatabase db, String command) throws IOException, InterruptedException {
        List<String> words = shellWords(command);
        assertThat(words.get(0)).as(command).isEqualTo("dualwrite");
        List<String> args = new ArrayList<>(words.subList(1, words.size()));
        args.addAll(List.of("--user", db.user())); // the printed URL carries no user: the operator's environment does
        return Fixtures.cli(args.toArray(String[]::new));
    }

    private static List<String> shellWords(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/bin/sh", "-c", "printf '%s\\0' " + command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("sh: " + out).isZero();
        return Arrays.asList(out.substring(0, out.length() - 1).split("\0", -1));
    }
}
