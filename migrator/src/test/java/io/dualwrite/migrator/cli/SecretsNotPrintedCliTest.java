package io.dualwrite.migrator.cli;

import io.dualwrite.control.Secrets;
import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;

/** No CLI output carries a password: not one in the URL, not --password, on success or on any error path. */
@ExtendWith(PostgresExtension.class)
class SecretsNotPrintedCliTest {

    private static final String IN_URL = "urlSecret-c0ffee";
    private static final String OPTION = "optionSecret-beef";

    @Test
    void passwordsAreMaskedOnEveryPath(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 100);
        assertThat(cli(Fixtures.expandArgs(db)).code()).isZero();
        String url = db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + "password=" + IN_URL;
        String unreachable = "jdbc:postgresql://127.0.0.1:1/app?password=" + IN_URL;
        List<Run> runs = new ArrayList<>();

        runs.add(expect(2, "status", "--url", unreachable, "--password", OPTION));                 // cannot connect
        assertThat(runs.get(0).err()).contains("could not connect to jdbc:postgresql://127.0.0.1:1/app?password=" + Secrets.MASK);
        runs.add(expect(2, "status", "--url", unreachable, "--password=" + OPTION, "--json"));     // the same, as JSON
        runs.add(expect(2, "status", "--url", "postgresql://db/app?password=" + IN_URL));          // not a JDBC URL
        runs.add(expect(2, "status", "--url", "jdbc:postgresql://db:notaport/app?password=" + IN_URL)); // PgJDBC rejects it
        runs.add(expect(2, "phase", "--url", url, "--user", db.user(), "--password", OPTION, "--migration", "no.such", "DUAL_WRITE"));
        runs.add(expect(2, "status", "--url", url, "--changes", "not-a-number", "--password", OPTION)); // picocli's own error
        runs.add(expect(0, "status", "--url", url, "--user", db.user(), "--password", OPTION, "--json", "--history"));
        // picocli quotes an unknown option's value back: a misspelled password option too
        runs.add(expect(2, "status", "--url", url, "--passwd", OPTION));
        runs.add(expect(2, "status", "--url", url, "--pasword=" + OPTION));
        // a password in the URL's user info (the DATABASE_URL form), which the error quotes
        runs.add(expect(2, "status", "--url", "postgres://app:" + IN_URL + "@db/app"));
        runs.add(expect(2, "status", "--url", "jdbc:postgresql://app:" + IN_URL + "@127.0.0.1:1/app", "--json"));
        Run phase = expect(0, "phase", "--url", url, "--user", db.user(), "--password", OPTION, "--migration", "users.email",
                "DUAL_WRITE");
        runs.add(phase);
        assertThat(phase.out()).as("the next-step line keeps the URL, masked").contains("password=" + Secrets.MASK);

        for (Run r : runs) {
            assertThat(r.out() + r.err()).as(r.toString()).doesNotContain(IN_URL, OPTION);
        }
    }

    private static Run expect(int code, String... args) {
        Run r = cli(args);
        assertThat(r.code()).as(r.toString()).isEqualTo(code);
        return r;
    }
}
