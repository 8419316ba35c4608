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

    @Test
    void anExistingTargetKeyOfAnotherTypeOrCollationIsRefusedAndLeftAlone(TestDatabase db) throws Exception {
        // "C" sorts 'B-1' before 'a-2', "en-x-icu" after it: key ranges would hold other keys on each side, and the
        // join of two different collations is an error in PostgreSQL
        db.execute("CREATE TABLE users (id text COLLATE \"C\" PRIMARY KEY, email text)");
        db.execute("CREATE TABLE email_address (user_id text COLLATE \"en-x-icu\" NOT NULL, address text NOT NULL,"
                + " is_primary boolean NOT NULL)");
        Run r = cli(Fixtures.expandArgs(db));
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("target key column email_address.user_id is text COLLATE", "en-x-icu",
                "but the key users.id is text COLLATE pg_catalog.\"C\"", "one type and one collation");
        db.execute("ALTER TABLE email_address ALTER COLUMN user_id TYPE uuid USING NULL");
        Run uuid = cli(Fixtures.expandArgs(db));
        assertThat(uuid.code()).as(uuid.toString()).isEqualTo(2);
        assertThat(uuid.err()).contains("email_address.user_id is uuid but the key users.id is text");
        assertThat(db.queryLong("SELECT count(*) FROM pg_indexes WHERE tablename = 'email_address'")).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'dualwrite'")).isZero();

        db.execute("ALTER TABLE email_address ALTER COLUMN user_id TYPE text COLLATE \"C\" USING NULL");
        Run same = cli(Fixtures.expandArgs(db));
        assertThat(same.code()).as(same.toString()).isZero();
    }
}
