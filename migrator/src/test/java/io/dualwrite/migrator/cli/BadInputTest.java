package io.dualwrite.migrator.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.dualwrite.migrator.CatalogSnapshot;
import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.SQLException;
import java.util.List;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A CLI given what cannot work: a wrong URL, a wrong migration name, a table without a primary key, a column type
 * that cannot be compared, a target that exists but differs. Each gets exit 2 (usage, connection or database
 * error) and one message saying what was wrong and what to do, and leaves the catalog and the control schema
 * exactly as they were ({@link CatalogSnapshot}).
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BadInputTest {

    private static final String[] EXPAND_REST = {"--key", "id", "--target", "email_address.address", "--target-key", "user_id",
            "--primary-flag", "is_primary"};

    private static String[] expand(TestDatabase db, String source) {
        return concat(new String[] {"expand", "--url", db.jdbcUrl(), "--user", db.user(), "--source", source}, EXPAND_REST);
    }

    /**
     * {@code plan} with expand's arguments refuses as expand does, word for word (it runs expand's checks before it
     * prints a runbook), and so does expand; neither changes anything.
     */
    private static void planAndExpandRefuse(TestDatabase db, List<String> before, String[] expandArgs, String... says)
            throws SQLException {
        String[] planArgs = expandArgs.clone();
        planArgs[0] = "plan";
        Run plan = cli(planArgs);
        refusedAndUnchanged(db, before, plan, says);
        Run expand = cli(expandArgs);
        refusedAndUnchanged(db, before, expand, says);
        assertThat(plan.err()).isEqualTo(expand.err());
    }

    /** Runs {@code args}, asserts exit 2, a message containing every one of {@code says}, no stack trace, nothing changed. */
    private static void refusedAndUnchanged(TestDatabase db, List<String> before, Run r, String... says) throws SQLException {
        assertThat(r.code()).as(r.toString()).isEqualTo(DualwriteCli.USAGE);
        assertThat(r.err()).as(r.toString()).startsWith("error: ").contains(says).doesNotContain("\tat ");
        assertThat(CatalogSnapshot.of(db)).as("nothing changed after: " + r.err()).isEqualTo(before);
    }

    @Test
    void aWrongUrlSaysWhatToCheck(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 10);
        Fixtures.expandAndDualWrite(db);
        List<String> before = CatalogSnapshot.of(db);
        String[] bad = {"mysql://localhost/app", "jdbc:postgresql://127.0.0.1:1/app",
                db.jdbcUrl().replaceFirst("/[^/?]+(\\?|$)", "/no_such_database$1")};
        for (String url : bad) {
            Run r = cli(concat(new String[] {"expand", "--url", url, "--user", db.user(), "--source", "users.email"}, EXPAND_REST));
            refusedAndUnchanged(db, before, r, "--url");
            Run b = cli("backfill", "--url", url, "--user", db.user(), "--migration", "users.email");
            refusedAndUnchanged(db, before, b, "--url");
        }
        Run scheme = cli("parity", "--url", "postgresql://localhost/app", "--migration", "users.email");
        refusedAndUnchanged(db, before, scheme, "--url must be a PostgreSQL JDBC URL such as jdbc:postgresql://host:5432/database");
        Run down = cli("parity", "--url", "jdbc:postgresql://127.0.0.1:1/app", "--migration", "users.email");
        refusedAndUnchanged(db, before, down, "could not connect to jdbc:postgresql://127.0.0.1:1/app",
                "Check --url, --user and --password", "that the server is running and reachable");
    }

    @Test
    void aWrongMigrationNameIsRefusedByEveryCommandListingTheRegisteredOnes(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 10);
        Fixtures.expandAndDualWrite(db);
        List<String> before = CatalogSnapshot.of(db);
        List<List<String>> commands = List.of(
                List.of("phase", "READ_NEW"), List.of("phase", "EXPANDED"), List.of("backfill"), List.of("backfill", "--pause"),
                List.of("parity"), List.of("parity", "--repair"), List.of("parity", "--mode", "full"), List.of("reverse-sync"),
                List.of("contract", "--soak", "0s"), List.of("contract", "--dry-run"), List.of("shadow", "--rate", "0.5"));
        for (List<String> command : commands) {
            String[] args = concat(new String[] {command.get(0), "--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.mail"},
                    command.subList(1, command.size()).toArray(String[]::new));
            Run r = cli(args);
            refusedAndUnchanged(db, before, r, "no migration named 'users.mail'", "registered: [users.email]");
        }
    }

    @Test
    void aDurationThatIsNotOneIsRefused(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 10);
        Fixtures.expandAndDualWrite(db);
        List<String> before = CatalogSnapshot.of(db);
        List<List<String>> commands = List.of(List.of("phase", "--wait", "soon", "READ_NEW"),
                List.of("phase", "--wait", "-5s", "EXPANDED"), List.of("contract", "--soak", "-1h"),
                List.of("contract", "--lock-timeout", "2x"));
        for (List<String> command : commands) {
            String[] args = concat(new String[] {command.get(0), "--url", db.jdbcUrl(), "--user", db.user(), "--migration",
                    "users.email"}, command.subList(1, command.size()).toArray(String[]::new));
            refusedAndUnchanged(db, before, cli(args), command.get(1) + " must be a duration like 24h, 90m, 30s, 500ms or 0"
                    + " (not negative); got '" + command.get(2) + "'");
        }
    }

    /**
     * {@code lock_timeout = 0} waits without end, a count of 0 would do nothing or loop, a negative replica lag holds every
     * batch, a huge wait overflows: refused before anything runs.
     */
    @Test
    void outOfRangeNumbersAreRefused(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 10);
        Fixtures.expandAndDualWrite(db);
        List<String> before = CatalogSnapshot.of(db);
        String[][] cases = {
                {"contract", "--lock-timeout", "0", "--lock-timeout must be more than 0"},
                {"reverse-sync", "--lock-timeout", "0ms", "--lock-timeout must be more than 0"},
                {"contract", "--attempts", "0", "--attempts must be 1 or more; got 0"},
                {"reverse-sync", "--attempts", "-2", "--attempts must be 1 or more; got -2"},
                {"reverse-sync", "--batch-size", "0", "--batch-size must be 1 or more; got 0"},
                {"backfill", "--max-replica-lag", "-3", "--max-replica-lag must be 0 or more seconds"},
                {"backfill", "--ack-timeout", "99999999999999999", "--ack-timeout must be between 0 and 86400 seconds"}};
        for (String[] c : cases) {
            refusedAndUnchanged(db, before, cli(c[0], "--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email",
                    c[1], c[2]), c[3]);
        }
    }

    /** With --json, a command line that does not parse still prints {"ok":false,…} on stdout, as every failure does. */
    @Test
    void aCommandLineThatDoesNotParseStillAnswersInJson(TestDatabase db) throws Exception {
        for (String[] args : new String[][] {{"status", "--url", db.jdbcUrl(), "--changes", "abc", "--json"},
                {"status", "--url", db.jdbcUrl(), "--no-such-option", "--json"}}) {
            Run r = cli(args);
            assertThat(r.code()).as(r.toString()).isEqualTo(DualwriteCli.USAGE);
            JsonObject o = JsonParser.parseString(r.out().strip()).getAsJsonObject();
            assertThat(o.get("ok").getAsBoolean()).isFalse();
            assertThat(o.get("exitCode").getAsInt()).isEqualTo(DualwriteCli.USAGE);
            assertThat(o.get("error").getAsString()).startsWith("error: ");
        }
    }

    @Test
    void aTableWithoutAPrimaryKeyIsRefusedBeforeAnythingIsCreated(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE users (id bigint, email text)");
        db.execute("INSERT INTO users VALUES (1, 'a@example.com'), (2, 'b@example.com')");
        List<String> before = CatalogSnapshot.of(db);
        planAndExpandRefuse(db, before, expand(db, "users.email"), "key column users.id is not unique",
                "Pass the primary key with --key, or create such an index first");
        db.execute("CREATE UNIQUE INDEX users_id_partial ON users (id) WHERE email IS NOT NULL");
        before = CatalogSnapshot.of(db);
        planAndExpandRefuse(db, before, expand(db, "users.email"), "is not unique", "non-partial");
    }

    @Test
    void aColumnTypeThatCannotBeComparedIsRefused(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, email json, location point)");
        List<String> before = CatalogSnapshot.of(db);
        planAndExpandRefuse(db, before, expand(db, "users.email"), "source column users.email is of type json",
                "no equality operator", "TYPE jsonb");
        planAndExpandRefuse(db, before, expand(db, "users.location"), "is of type point", "no equality operator");
    }

    @Test
    void aTargetThatExistsDifferentlyIsRefusedAndLeftAlone(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 10);
        String[][] targets = {
                {"user_id bigint NOT NULL, address varchar(10) NOT NULL, is_primary boolean", "target value column email_address.address is character varying(10)"},
                {"user_id text NOT NULL, address text NOT NULL, is_primary boolean", "target key column email_address.user_id is text but the key users.id is bigint"},
                {"user_id bigint NOT NULL, address text NOT NULL, is_primary int", "primary flag column email_address.is_primary is integer; it must be boolean"},
                {"user_id bigint NOT NULL, address text NOT NULL", "primary flag column is_primary does not exist"},
        };
        for (String[] t : targets) {
            db.execute("DROP TABLE IF EXISTS email_address");
            db.execute("CREATE TABLE email_address (" + t[0] + ")");
            List<String> before = CatalogSnapshot.of(db);
            planAndExpandRefuse(db, before, expand(db, "users.email"), t[1]);
        }
        db.execute("DROP TABLE email_address");
        Fixtures.expandAndDualWrite(db);
        List<String> before = CatalogSnapshot.of(db);
        String[] other = {"expand", "--url", db.jdbcUrl(), "--user", db.user(), "--source", "users.email", "--key", "id",
                "--target", "mail_box.address", "--target-key", "user_id", "--primary-flag", "is_primary"};
        planAndExpandRefuse(db, before, other, "migration users.email is already registered with different settings",
                "Use the registered settings, or remove it from dualwrite.migration first");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
