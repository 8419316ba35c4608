package io.dualwrite.migrator.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(PostgresExtension.class)
class PlanCommandTest {

    @Test
    void plansTheSeedExampleFromTheLiveSchemaWithASampledRateAndChangesNothing(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 25_000);
        Run md = cli("plan", "--url", db.jdbcUrl(), "--user", db.user(), "--source", "users.email", "--target",
                "email_address.address", "--key", "id", "--target-key", "user_id", "--primary-flag", "is_primary", "--workers", "2");
        assertThat(md.code()).as(md.toString()).isZero();
        assertThat(md.out()).contains("## Runbook: `users.email` → `email_address.address`", "25,000 rows", "key `bigint`",
                "timed sample", "dualwrite expand --url", "dualwrite phase --url", "DUAL_WRITE", "dualwrite backfill --url",
                "--workers 2", "dualwrite parity --url", "READ_NEW", "NEW_ONLY", "dualwrite reverse-sync", "dualwrite contract",
                "--dry-run", "IS DISTINCT FROM", "**Go/no-go gates**", "| 8 |");
        // the sample ran in a rolled-back transaction: nothing created, no row locked afterwards
        assertThat(db.queryLong("SELECT count(*) FROM pg_tables WHERE tablename IN ('email_address', 'dw_plan_sample')")).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'dualwrite'")).isZero();

        Run json = cli("plan", "--url", db.jdbcUrl(), "--user", db.user(), "--source", "users.email", "--target",
                "email_address.address", "--format", "json");
        assertThat(json.code()).as(json.toString()).isZero();
        JsonObject o = JsonParser.parseString(json.out()).getAsJsonObject();
        assertThat(o.get("rows").getAsLong()).isEqualTo(25_000);
        assertThat(o.get("backfillRowsPerSecond").getAsDouble()).isPositive();
        assertThat(o.getAsJsonArray("steps")).hasSize(8);
        assertThat(o.getAsJsonArray("steps").get(3).getAsJsonObject().get("command").getAsString())
                .startsWith("dualwrite backfill --url");
        assertThat(json.out()).contains("--target-key user_id"); // defaulted from users
        assertThat(json.out()).doesNotContain("under another name"); // no partition, child, view or rule to name
        // steps 7 and 8 as real commands, each with its rollback
        JsonObject seven = o.getAsJsonArray("steps").get(6).getAsJsonObject(), eight = o.getAsJsonArray("steps").get(7).getAsJsonObject();
        assertThat(seven.get("command").getAsString()).contains("dualwrite status --url", "--statements",
                "dualwrite phase --url", "--migration users.email NEW_ONLY");
        assertThat(seven.get("validation").getAsString()).contains("statement_evidence", "NOT translatable");
        assertThat(seven.get("rollback").getAsString()).contains("dualwrite reverse-sync --url", "--migration users.email`",
                "READ_NEW");
        assertThat(eight.get("command").getAsString()).contains("dualwrite contract --url",
                "--migration users.email --soak 24h --dry-run").doesNotContain("reverse-sync");
        assertThat(eight.get("rollback").getAsString()).contains("no backup needed", "re-adds `email`", "CONTRACTED → NEW_ONLY")
                .doesNotContain("restore from backup");

        Run bad = cli("plan", "--url", db.jdbcUrl(), "--user", db.user(), "--source", "users.mail", "--target", "e.a");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("source column mail does not exist in \"public\".\"users\"; check --source");
    }

    /** Step 5's validation query counts what dualwrite parity counts: differing values and orphaned target rows. */
    @Test
    void stepFivesValidationQueryCountsOrphanedTargetRows(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 100);
        Fixtures.expandAndDualWrite(db);
        assertThat(cli("backfill", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email").code()).isZero();
        db.execute("UPDATE users SET email = 'changed@example.com' WHERE id = 4"); // plain URL: a stale target value
        db.execute("DELETE FROM users WHERE id = 3");                              // plain URL: an orphaned target row
        Run json = cli("plan", "--url", db.jdbcUrl(), "--user", db.user(), "--source", "users.email", "--target",
                "email_address.address", "--format", "json");
        assertThat(json.code()).as(json.toString()).isZero();
        String validation = JsonParser.parseString(json.out()).getAsJsonObject().getAsJsonArray("steps").get(4).getAsJsonObject()
                .get("validation").getAsString();
        assertThat(db.queryLong(validation)).as(validation).isEqualTo(2);
        Run parity = cli("parity", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email", "--json");
        assertThat(JsonParser.parseString(parity.out()).getAsJsonObject().get("mismatches").getAsLong()).isEqualTo(2);

        // a second migration of users: no runbook, as expand would refuse its first step
        Run second = cli("plan", "--url", db.jdbcUrl(), "--user", db.user(), "--source", "users.name", "--target",
                "user_name.name");
        assertThat(second.code()).as(second.toString()).isNotZero();
        assertThat(second.err()).contains("already has migration users.email (phase DUAL_WRITE)", "one column per table");
    }

    /** Writes the driver will refuse from DUAL_WRITE on are named before the move, with what to do about them. */
    @Test
    void namesTheRelationsWhoseWritesTheDriverWillRefuse(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 100);
        db.execute("CREATE TABLE vip_users (tier int) INHERITS (users)");
        db.execute("CREATE VIEW contacts AS SELECT id, email AS mail FROM users");
        db.execute("CREATE VIEW member_names AS SELECT id, name FROM users");
        db.execute("CREATE TABLE email_log (user_id bigint, email text)");
        db.execute("CREATE RULE apply_email AS ON INSERT TO email_log DO ALSO UPDATE users SET email = NEW.email"
                + " WHERE id = NEW.user_id");
        Run json = cli("plan", "--url", db.jdbcUrl(), "--user", db.user(), "--source", "users.email", "--target",
                "email_address.address", "--format", "json");
        assertThat(json.code()).as(json.toString()).isZero();
        String gate = JsonParser.parseString(json.out()).getAsJsonObject().getAsJsonArray("gates").get(0).getAsString();
        assertThat(gate).startsWith("Before DUAL_WRITE").contains("under another name", "0A000",
                "inheritance children and parents \"public\".\"vip_users\"", "\"public\".\"contacts\", \"public\".\"email_log\"", "other views over the table \"public\".\"member_names\" (a DELETE");

        // and again when the move makes them refused
        assertThat(cli(Fixtures.expandArgs(db)).code()).isZero();
        Run dw = cli("phase", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email", "DUAL_WRITE");
        assertThat(dw.code()).as(dw.toString()).isZero();
        assertThat(dw.out()).contains("note: the driver now refuses writes to public.contacts (a view over the column",
                "writes to public.email_log (", "writes to public.vip_users (a partition, inheritance child or parent)",
                "writes to public.member_names (a view over the table: a DELETE until NEW_ONLY");
    }
}
