package io.dualwrite.migrator.expand;

import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.SQLException;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;

/** Keys dualwrite cannot address a source row by are refused at expand, before anything is created. */
@ExtendWith(PostgresExtension.class)
class ExpandKeyRefusalTest {

    /** Every relation, index and schema of the database: what a refused expand must leave as it was. */
    private static final String CATALOG = """
            SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' ORDER BY n.nspname, c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')""";

    private static String catalog(TestDatabase db) throws SQLException {
        return db.queryString(CATALOG) + " schemas " + db.queryString("SELECT string_agg(nspname, ',' ORDER BY nspname)"
                + " FROM pg_namespace");
    }

    @Test
    void aCompositePrimaryKeyIsRefusedWithTheWayOutAndNothingChanges(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE users (tenant int, id bigint, email text, PRIMARY KEY (tenant, id))");
        db.execute("INSERT INTO users SELECT g % 3, g, 'u' || g || '@example.com' FROM generate_series(1, 100) g");
        String before = catalog(db);
        for (String key : new String[] {"id", "tenant"}) {
            String[] args = Fixtures.expandArgs(db);
            args[8] = key;
            Run r = cli(args);
            assertThat(r.code()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).contains("users has a composite primary key (tenant, id)", "single-column keys only",
                    "Pass --key a NOT NULL column with a unique index of its own");
        }
        assertThat(catalog(db)).isEqualTo(before).doesNotContain("dualwrite", "email_address");

        Run plan = cli("plan", "--url", db.jdbcUrl(), "--user", db.user(), "--source", "users.email", "--key", "id",
                "--target", "email_address.address");
        assertThat(plan.code()).as("no runbook whose first step would be refused: " + plan).isEqualTo(2);
        assertThat(plan.err()).contains("users has a composite primary key (tenant, id)");
    }

    @Test
    void aUniqueButNullableKeyIsRefusedBecauseANullKeyCannotBeMirrored(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, ref uuid UNIQUE, email text)");
        String before = catalog(db);
        String[] args = Fixtures.expandArgs(db);
        args[8] = "ref";
        Run r = cli(args);
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("key column users.ref is unique but nullable",
                "ALTER TABLE users ALTER COLUMN ref SET NOT NULL");
        assertThat(catalog(db)).isEqualTo(before);

        db.execute("ALTER TABLE users ALTER COLUMN ref SET NOT NULL");
        Run ok = cli(args);
        assertThat(ok.code()).as(ok.toString()).isZero();
        assertThat(db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                + " WHERE attrelid = 'email_address'::regclass AND attname = 'user_id'")).isEqualTo("uuid");
    }
}
