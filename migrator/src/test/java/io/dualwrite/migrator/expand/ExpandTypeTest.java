package io.dualwrite.migrator.expand;

import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;

/** READ_NEW serves reads from the target column: it must compare, sort and describe itself as the source column did. */
@ExtendWith(PostgresExtension.class)
class ExpandTypeTest {

    private static final String TARGET_COLUMN = """
            SELECT format_type(a.atttypid, a.atttypmod) || coalesce(' ' || co.collname, '')
            FROM pg_attribute a LEFT JOIN pg_collation co ON co.oid = a.attcollation AND co.collname <> 'default'
            WHERE a.attrelid = 'email_address'::regclass AND a.attname = 'address'""";

    @Test
    void theCreatedTargetColumnHasTheSourcesTypeModifierAndCollation(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, email varchar(254) COLLATE \"C\")");
        db.execute("INSERT INTO users VALUES (1, 'b@x'), (2, 'B@x'), (3, 'a@x')");
        Run r = cli(Fixtures.expandArgs(db));
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(db.queryString(TARGET_COLUMN)).isEqualTo("character varying(254) C");
        // the order a READ_NEW read would return is the old column's order
        db.execute("INSERT INTO email_address SELECT id, email, true FROM users");
        assertThat(db.queryString("SELECT string_agg(address, ',' ORDER BY address) FROM email_address"))
                .isEqualTo(db.queryString("SELECT string_agg(email, ',' ORDER BY email) FROM users"));
    }

    @Test
    void anExistingTargetOfAnotherTypeOrCollationIsRefusedAndLeftAlone(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, email text COLLATE \"C\")");
        db.execute("CREATE TABLE email_address (user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL)");
        Run r = cli(Fixtures.expandArgs(db));
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("email_address.address is text but the source column users.email is text COLLATE",
                "same type and collation");
        assertThat(db.queryLong("SELECT count(*) FROM pg_indexes WHERE tablename = 'email_address'")).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'dualwrite'")).isZero();
    }
}
