package io.dualwrite.migrator.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Arrays;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(PostgresExtension.class)
class GrantCommandTest {

    @Test
    void printsQuotedStatementsAndAppliesThemOnlyWhenAskedAndSafe(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 100);
        assertThat(cli(Fixtures.expandArgs(db)).code()).isZero();
        String app = "App \"" + db.name() + "\""; // mixed case, a space and a quote
        String quoted = "\"App \"\"" + db.name() + "\"\"\"";
        String[] grant = {"grant", "--url", db.jdbcUrl(), "--user", db.user(), "--app-role", app};

        Run missing = cli(concat(grant, "--apply"));
        assertThat(missing.code()).as(missing.toString()).isEqualTo(1);
        assertThat(missing.err()).contains("nothing was granted", "does not exist", "CREATE ROLE " + quoted);

        db.execute("CREATE ROLE " + quoted + " LOGIN");
        try {
            Run printed = cli(grant);
            assertThat(printed.code()).as(printed.toString()).isZero();
            assertThat(printed.out()).contains(
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON \"public\".\"users\", \"public\".\"email_address\" TO " + quoted + ";",
                    "REVOKE ALL ON ALL TABLES IN SCHEMA \"dualwrite\" FROM " + quoted + ";",
                    "GRANT INSERT ON \"dualwrite\".\"sync_users_email\", \"dualwrite\".\"translated_sync_users_email\" TO " + quoted
                            + ";",
                    "GRANT EXECUTE ON FUNCTION dualwrite.rollback_reads(text, text, text) TO " + quoted + ";",
                    "-- operator: the owner of the control schema").doesNotContain("UPDATE ON \"dualwrite\".\"migration\"");
            assertThat(privilege(db, app, "public.users", "INSERT")).as("printing grants nothing").isFalse();

            Run applied = cli(concat(grant, "--apply", "--json"));
            assertThat(applied.code()).as(applied.toString()).isZero();
            JsonObject o = JsonParser.parseString(applied.out()).getAsJsonObject();
            assertThat(o.get("applied").getAsBoolean()).isTrue();
            assertThat(o.getAsJsonArray("statements").size()).isEqualTo(9);
            assertThat(privilege(db, app, "public.users", "INSERT")).isTrue();
            assertThat(privilege(db, app, "dualwrite.migration", "SELECT")).isTrue();
            assertThat(privilege(db, app, "dualwrite.migration", "UPDATE")).isFalse();
            assertThat(privilege(db, app, "dualwrite.phase_change", "INSERT")).isFalse();
            assertThat(privilege(db, app, "dualwrite.backfill_checkpoint", "SELECT")).isFalse();

            Run same = cli(concat(grant, "--operator-role", app, "--apply"));
            assertThat(same.code()).isEqualTo(1);
            assertThat(same.err()).contains("name the same role");
        } finally {
            db.execute("DROP OWNED BY " + quoted + "; DROP ROLE " + quoted);
        }
    }

    @Test
    void planShowsTheGrants(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 100);
        String[] plan = {"plan", "--url", db.jdbcUrl(), "--user", db.user(), "--source", "users.email", "--target",
                "email_address.address", "--app-role", "billing_app", "--operator-role", "dba"};
        Run md = cli(plan);
        assertThat(md.code()).as(md.toString()).isZero();
        assertThat(md.out()).contains("**Roles**", "dualwrite grant --url", "--app-role billing_app --operator-role dba --apply",
                "GRANT INSERT ON \"dualwrite\".\"sync_users_email\", \"dualwrite\".\"translated_sync_users_email\""
                        + " TO \"billing_app\";",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \"dualwrite\" TO \"dba\";");
        Run json = cli(concat(plan, "--format", "json"));
        assertThat(JsonParser.parseString(json.out()).getAsJsonObject().getAsJsonArray("grants").toString())
                .contains("REVOKE ALL ON ALL TABLES IN SCHEMA \\\"dualwrite\\\" FROM \\\"billing_app\\\"");
    }

    private static boolean privilege(TestDatabase db, String role, String table, String privilege) throws Exception {
        return db.queryLong("SELECT has_table_privilege('" + role.replace("'", "''") + "', '" + table + "', '" + privilege
                + "')::int") == 1;
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
