package io.dualwrite.migrator.expand;

import io.dualwrite.migrator.CatalogSnapshot;
import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;

/** Keys dualwrite cannot address a source row by are refused at expand, before anything is created. */
@ExtendWith(PostgresExtension.class)
class ExpandKeyRefusalTest {

    @Test
    void aCompositePrimaryKeyIsRefusedWithTheWayOutAndNothingChanges(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE users (tenant int, id bigint, email text, PRIMARY KEY (tenant, id))");
        db.execute("INSERT INTO users SELECT g % 3, g, 'u' || g || '@example.com' FROM generate_series(1, 100) g");
        // another migration already registered: the refusal must leave the control schema's rows alone too
        db.execute("CREATE TABLE accounts (id bigint PRIMARY KEY, email text)");
        Run other = cli("expand", "--url", db.jdbcUrl(), "--user", db.user(), "--source", "accounts.email", "--key", "id",
                "--target", "account_email.address", "--target-key", "account_id", "--primary-flag", "is_primary");
        assertThat(other.code()).as(other.toString()).isZero();
        List<String> before = CatalogSnapshot.of(db);
        for (String key : new String[] {"id", "tenant"}) {
            String[] args = Fixtures.expandArgs(db);
            args[8] = key;
            Run r = cli(args);
            assertThat(r.code()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).contains("users has a composite primary key (tenant, id)", "single-column keys only",
                    "Pass --key a NOT NULL column with a unique index of its own");
        }
        assertThat(CatalogSnapshot.of(db)).isEqualTo(before);
        assertThat(String.join("\n", before)).doesNotContain("email_address").contains("rows dualwrite.migration 1");

        Run plan = cli("plan", "--url", db.jdbcUrl(), "--user", db.user(), "--source", "users.email", "--key", "id",
                "--target", "email_address.address");
        assertThat(plan.code()).as("no runbook whose first step would be refused: " + plan).isEqualTo(2);
        assertThat(plan.err()).contains("users has a composite primary key (tenant, id)");
    }

    @Test
    void aUniqueButNullableKeyIsRefusedBecauseANullKeyCannotBeMirrored(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, ref uuid UNIQUE, email text)");
        List<String> before = CatalogSnapshot.of(db);
        String[] args = Fixtures.expandArgs(db);
        args[8] = "ref";
        Run r = cli(args);
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("key column users.ref is unique but nullable",
                "ALTER TABLE users ALTER COLUMN ref SET NOT NULL");
        assertThat(CatalogSnapshot.of(db)).isEqualTo(before);

        db.execute("ALTER TABLE users ALTER COLUMN ref SET NOT NULL");
        Run ok = cli(args);
        assertThat(ok.code()).as(ok.toString()).isZero();
        assertThat(db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                + " WHERE attrelid = 'email_address'::regclass AND attname = 'user_id'")).isEqualTo("uuid");
    }
}
